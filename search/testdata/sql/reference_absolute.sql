-- Observation?subject=http://other.org/fhir/Patient/9,http://fhir.test/fhir/Patient/8
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "observation_ref" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = $2 AND ((x1.target_type = $3 AND x1.target_id = ANY($4)) OR (x1.target_type = $5 AND x1.target_id = $6)))
  ORDER BY r.pk ASC
  LIMIT $7)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 4255619047414749967
-- $3 = string ""
-- $4 = []string ["http://other.org/fhir/Patient/9" "http://fhir.test/fhir/Patient/8"]
-- $5 = string "Patient"
-- $6 = string "8"
-- $7 = int64 21
