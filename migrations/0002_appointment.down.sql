DROP TABLE "appointment", "appointment_history", "appointment_tok", "appointment_str", "appointment_ref", "appointment_date", "appointment_num";
