-- Observation?combo-code-value-quantity=8480-6$gt140
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND r.pk IN (SELECT u1.pk FROM "observation" u1 WHERE u1.tenant_id = $1 AND EXISTS (SELECT 1 FROM "observation_tok" x2 WHERE x2.tenant_id = $1 AND x2.pk = u1.pk AND x2.h = ANY($2)) AND EXISTS (SELECT 1 FROM "observation_num" x3 WHERE x3.tenant_id = $1 AND x3.pk = u1.pk AND x3.h = $3 AND x3.v > $4) UNION ALL SELECT u4.pk FROM "observation" u4 WHERE u4.tenant_id = $1 AND EXISTS (SELECT 1 FROM "observation_num" x5 WHERE x5.tenant_id = $1 AND x5.pk = u4.pk AND x5.h = $5 AND x5.v > $6))
  ORDER BY r.pk ASC
  LIMIT $7)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = []int64 [4925163854301752089]
-- $3 = int64 6004161554410143149
-- $4 = float64 140
-- $5 = int64 -2804728402803188604
-- $6 = float64 140
-- $7 = int64 21
