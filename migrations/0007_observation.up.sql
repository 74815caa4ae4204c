SELECT fhir_create_resource_tables('observation');
