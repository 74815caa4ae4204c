DROP TABLE "group", "group_history", "group_tok", "group_str", "group_ref", "group_date", "group_num";
