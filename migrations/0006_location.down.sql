DROP TABLE "location", "location_history", "location_tok", "location_str", "location_ref", "location_date", "location_num";
