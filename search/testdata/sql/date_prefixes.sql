-- Observation?date=2020&date=ne2020-02&date=gt2020-02-03&date=lt2020-02-03T10:00&date=ge2021&date=le2021&date=sa2019&date=eb2022&date=ap2020-06-15
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "observation_date" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = $2 AND x1.lo >= $3 AND x1.lo <= $4 AND x1.hi >= $5 AND x1.hi <= $6) AND EXISTS (SELECT 1 FROM "observation_date" x2 WHERE x2.tenant_id = $1 AND x2.pk = r.pk AND x2.h = $7 AND (x2.lo < $8 OR x2.hi > $9)) AND EXISTS (SELECT 1 FROM "observation_date" x3 WHERE x3.tenant_id = $1 AND x3.pk = r.pk AND x3.h = $10 AND x3.hi > $11) AND EXISTS (SELECT 1 FROM "observation_date" x4 WHERE x4.tenant_id = $1 AND x4.pk = r.pk AND x4.h = $12 AND x4.lo < $13) AND EXISTS (SELECT 1 FROM "observation_date" x5 WHERE x5.tenant_id = $1 AND x5.pk = r.pk AND x5.h = $14 AND x5.hi >= $15 AND (x5.hi > $16 OR x5.lo >= $17)) AND EXISTS (SELECT 1 FROM "observation_date" x6 WHERE x6.tenant_id = $1 AND x6.pk = r.pk AND x6.h = $18 AND x6.lo <= $19 AND (x6.lo < $20 OR x6.hi <= $21)) AND EXISTS (SELECT 1 FROM "observation_date" x7 WHERE x7.tenant_id = $1 AND x7.pk = r.pk AND x7.h = $22 AND x7.lo > $23) AND EXISTS (SELECT 1 FROM "observation_date" x8 WHERE x8.tenant_id = $1 AND x8.pk = r.pk AND x8.h = $24 AND x8.hi < $25) AND EXISTS (SELECT 1 FROM "observation_date" x9 WHERE x9.tenant_id = $1 AND x9.pk = r.pk AND x9.h = $26 AND x9.lo <= $27 AND x9.hi >= $28)
  ORDER BY r.pk ASC
  LIMIT $29)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 -540091234323978158
-- $3 = time.Time 2020-01-01T00:00:00Z
-- $4 = time.Time 2020-12-31T23:59:59.999999Z
-- $5 = time.Time 2020-01-01T00:00:00Z
-- $6 = time.Time 2020-12-31T23:59:59.999999Z
-- $7 = int64 -540091234323978158
-- $8 = time.Time 2020-02-01T00:00:00Z
-- $9 = time.Time 2020-02-29T23:59:59.999999Z
-- $10 = int64 -540091234323978158
-- $11 = time.Time 2020-02-03T23:59:59.999999Z
-- $12 = int64 -540091234323978158
-- $13 = time.Time 2020-02-03T10:00:00Z
-- $14 = int64 -540091234323978158
-- $15 = time.Time 2021-01-01T00:00:00Z
-- $16 = time.Time 2021-12-31T23:59:59.999999Z
-- $17 = time.Time 2021-01-01T00:00:00Z
-- $18 = int64 -540091234323978158
-- $19 = time.Time 2021-12-31T23:59:59.999999Z
-- $20 = time.Time 2021-01-01T00:00:00Z
-- $21 = time.Time 2021-12-31T23:59:59.999999Z
-- $22 = int64 -540091234323978158
-- $23 = time.Time 2019-12-31T23:59:59.999999Z
-- $24 = int64 -540091234323978158
-- $25 = time.Time 2022-01-01T00:00:00Z
-- $26 = int64 -540091234323978158
-- $27 = time.Time 2020-11-05T00:42:48.899999Z
-- $28 = time.Time 2020-01-24T23:17:11.1Z
-- $29 = int64 21
