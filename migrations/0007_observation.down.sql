DROP TABLE "observation", "observation_history", "observation_tok", "observation_str", "observation_ref", "observation_date", "observation_num";
