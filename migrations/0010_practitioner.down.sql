DROP TABLE "practitioner", "practitioner_history", "practitioner_tok", "practitioner_str", "practitioner_ref", "practitioner_date", "practitioner_num";
