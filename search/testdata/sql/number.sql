-- Group?
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "group" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "group_num" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = $2 AND x1.v >= $3 AND x1.v < $4) AND EXISTS (SELECT 1 FROM "group_num" x2 WHERE x2.tenant_id = $1 AND x2.pk = r.pk AND x2.h = $5 AND (x2.v < $6 OR x2.v >= $7)) AND EXISTS (SELECT 1 FROM "group_num" x3 WHERE x3.tenant_id = $1 AND x3.pk = r.pk AND x3.h = $8 AND x3.v > $9) AND EXISTS (SELECT 1 FROM "group_num" x4 WHERE x4.tenant_id = $1 AND x4.pk = r.pk AND x4.h = $10 AND x4.v < $11) AND EXISTS (SELECT 1 FROM "group_num" x5 WHERE x5.tenant_id = $1 AND x5.pk = r.pk AND x5.h = $12 AND x5.v >= $13) AND EXISTS (SELECT 1 FROM "group_num" x6 WHERE x6.tenant_id = $1 AND x6.pk = r.pk AND x6.h = $14 AND x6.v <= $15) AND EXISTS (SELECT 1 FROM "group_num" x7 WHERE x7.tenant_id = $1 AND x7.pk = r.pk AND x7.h = $16 AND x7.v > $17) AND EXISTS (SELECT 1 FROM "group_num" x8 WHERE x8.tenant_id = $1 AND x8.pk = r.pk AND x8.h = $18 AND x8.v < $19) AND EXISTS (SELECT 1 FROM "group_num" x9 WHERE x9.tenant_id = $1 AND x9.pk = r.pk AND x9.h = $20 AND x9.v >= $21 AND x9.v <= $22) AND EXISTS (SELECT 1 FROM "group_num" x10 WHERE x10.tenant_id = $1 AND x10.pk = r.pk AND x10.h = $23 AND ((x10.v >= $24 AND x10.v < $25) OR (x10.v >= $26 AND x10.v < $27)))
  ORDER BY r.pk ASC
  LIMIT $28)
SELECT 'match' AS mode, 'Group' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 -7766998813001231207
-- $3 = float64 99.5
-- $4 = float64 100.5
-- $5 = int64 -7766998813001231207
-- $6 = float64 95
-- $7 = float64 105
-- $8 = int64 -7766998813001231207
-- $9 = float64 5
-- $10 = int64 -7766998813001231207
-- $11 = float64 5.5
-- $12 = int64 -7766998813001231207
-- $13 = float64 -3
-- $14 = int64 -7766998813001231207
-- $15 = float64 0.25
-- $16 = int64 -7766998813001231207
-- $17 = float64 1
-- $18 = int64 -7766998813001231207
-- $19 = float64 2
-- $20 = int64 -7766998813001231207
-- $21 = float64 90
-- $22 = float64 110
-- $23 = int64 -7766998813001231207
-- $24 = float64 99.5
-- $25 = float64 100.5
-- $26 = float64 2.45
-- $27 = float64 2.55
-- $28 = int64 21
