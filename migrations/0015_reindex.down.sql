DROP TABLE fhir_reindex;
