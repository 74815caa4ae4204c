DROP TABLE "schedule", "schedule_history", "schedule_tok", "schedule_str", "schedule_ref", "schedule_date", "schedule_num";
