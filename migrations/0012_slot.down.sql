DROP TABLE "slot", "slot_history", "slot_tok", "slot_str", "slot_ref", "slot_date", "slot_num";
