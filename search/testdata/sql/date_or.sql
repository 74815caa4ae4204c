-- Observation?date=2020,2022-03
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "observation_date" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = $2 AND ((x1.lo >= $3 AND x1.lo <= $4 AND x1.hi >= $5 AND x1.hi <= $6) OR (x1.lo >= $7 AND x1.lo <= $8 AND x1.hi >= $9 AND x1.hi <= $10)))
  ORDER BY r.pk ASC
  LIMIT $11)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 -540091234323978158
-- $3 = time.Time 2020-01-01T00:00:00Z
-- $4 = time.Time 2020-12-31T23:59:59.999999Z
-- $5 = time.Time 2020-01-01T00:00:00Z
-- $6 = time.Time 2020-12-31T23:59:59.999999Z
-- $7 = time.Time 2022-03-01T00:00:00Z
-- $8 = time.Time 2022-03-31T23:59:59.999999Z
-- $9 = time.Time 2022-03-01T00:00:00Z
-- $10 = time.Time 2022-03-31T23:59:59.999999Z
-- $11 = int64 21
