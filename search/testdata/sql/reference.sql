-- Observation?subject=Patient/1,2,Group/3,Patient/4
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "observation_ref" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = $2 AND ((x1.target_type = $3 AND x1.target_id = ANY($4)) OR (x1.target_type = $5 AND x1.target_id = ANY($6)) OR (x1.target_type = $7 AND x1.target_id = $8) OR x1.target_id = $9))
  ORDER BY r.pk ASC
  LIMIT $10)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 4255619047414749967
-- $3 = string "Patient"
-- $4 = []string ["1" "4"]
-- $5 = string ""
-- $6 = []string ["http://fhir.test/fhir/Patient/1" "http://fhir.test/fhir/Group/3" "http://fhir.test/fhir/Patient/4"]
-- $7 = string "Group"
-- $8 = string "3"
-- $9 = string "2"
-- $10 = int64 21
