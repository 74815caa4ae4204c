-- Observation?code-value-date=1234-5$ge2020
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "observation_tok" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = ANY($2)) AND EXISTS (SELECT 1 FROM "observation_date" x2 WHERE x2.tenant_id = $1 AND x2.pk = r.pk AND x2.h = $3 AND x2.hi >= $4 AND (x2.hi > $5 OR x2.lo >= $6))
  ORDER BY r.pk ASC
  LIMIT $7)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = []int64 [-757136330325773941]
-- $3 = int64 -3208332354862537072
-- $4 = time.Time 2020-01-01T00:00:00Z
-- $5 = time.Time 2020-12-31T23:59:59.999999Z
-- $6 = time.Time 2020-01-01T00:00:00Z
-- $7 = int64 21
