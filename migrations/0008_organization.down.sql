DROP TABLE "organization", "organization_history", "organization_tok", "organization_str", "organization_ref", "organization_date", "organization_num";
