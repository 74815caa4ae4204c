DROP TABLE "encounter", "encounter_history", "encounter_tok", "encounter_str", "encounter_ref", "encounter_date", "encounter_num";
