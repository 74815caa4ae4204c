DROP TABLE "patient", "patient_history", "patient_tok", "patient_str", "patient_ref", "patient_date", "patient_num";
