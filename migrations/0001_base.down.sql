DROP FUNCTION fhir_create_resource_tables(text);
DROP FUNCTION fhir_protect(text);
DROP FUNCTION fhir_tenant();
DROP SEQUENCE fhir_pk_seq;
