-- fhir_include_rows returns the current, not deleted resources of type typ
-- whose ids are in ids: the rows an _include reaches through a reference
-- parameter that may point at many types (Provenance target, Observation
-- focus: every one of the 145). A static branch per possible type would
-- make a statement of hundreds of SELECTs that costs 100-400 ms to plan;
-- the search compiler calls this function once per type that the page's
-- references actually name, and the function plans one primary-key lookup.
--
-- typ must be a registry type name: the compiler passes only the names
-- its registry lists as targets (WHERE target_type = ANY($n)), and the
-- table is the lower-cased name, as fhirgen names tables; format's %I
-- quotes it regardless. Row-level security applies (SECURITY INVOKER), and
-- the tenant is compared explicitly too.
CREATE FUNCTION fhir_include_rows(typ text, ids text[], tenant text)
    RETURNS TABLE (type text, id text, version_id bigint, last_updated timestamptz, content jsonb, pk bigint)
    LANGUAGE plpgsql STABLE
    AS $fn$
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT %L::text COLLATE "C", t.id, t.version_id, t.last_updated, t.content, t.pk FROM %I t '
        'WHERE t.tenant_id = $1 AND t.id = ANY($2) AND NOT t.deleted',
        typ, lower(typ))
    USING tenant, ids;
END
$fn$;
