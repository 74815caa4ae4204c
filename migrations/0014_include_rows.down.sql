DROP FUNCTION fhir_include_rows(text, text[], text);
