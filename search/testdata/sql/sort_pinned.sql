-- Observation?subject=Patient/p1&code=http://loinc.org|2160-0&date=ge2015&_sort=-date&_count=50
-- sort keys 1, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content, k4.v AS s1
  FROM "observation" r
  CROSS JOIN LATERAL (SELECT max(x5.hi) AS v FROM "observation_date" x5 WHERE x5.tenant_id = $1 AND x5.pk = r.pk AND x5.h = $12) k4
  WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "observation_tok" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = ANY($2)) AND EXISTS (SELECT 1 FROM "observation_date" x2 WHERE x2.tenant_id = $1 AND x2.pk = r.pk AND x2.h = $3 AND x2.hi >= $4 AND (x2.hi > $5 OR x2.lo >= $6)) AND EXISTS (SELECT 1 FROM "observation_ref" x3 WHERE x3.tenant_id = $1 AND x3.pk = r.pk AND x3.h = $7 AND ((x3.target_type = $8 AND x3.target_id = $9) OR (x3.target_type = $10 AND x3.target_id = $11)))
  ORDER BY k4.v DESC NULLS LAST, r.pk DESC
  LIMIT $13)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk, m.s1 FROM m
ORDER BY m.s1 DESC NULLS LAST, m.pk DESC;

-- $1 = string "tenant-a"
-- $2 = []int64 [-3919036645465807461]
-- $3 = int64 -540091234323978158
-- $4 = time.Time 2015-01-01T00:00:00Z
-- $5 = time.Time 2015-12-31T23:59:59.999999Z
-- $6 = time.Time 2015-01-01T00:00:00Z
-- $7 = int64 4255619047414749967
-- $8 = string "Patient"
-- $9 = string "p1"
-- $10 = string ""
-- $11 = string "http://fhir.test/fhir/Patient/p1"
-- $12 = int64 -540091234323978158
-- $13 = int64 51
