SELECT fhir_create_resource_tables('slot');
