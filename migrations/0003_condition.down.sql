DROP TABLE "condition", "condition_history", "condition_tok", "condition_str", "condition_ref", "condition_date", "condition_num";
