-- Observation?code=a&code=b
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "observation_tok" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = ANY($2)) AND EXISTS (SELECT 1 FROM "observation_tok" x2 WHERE x2.tenant_id = $1 AND x2.pk = r.pk AND x2.h = ANY($3))
  ORDER BY r.pk ASC
  LIMIT $4)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = []int64 [-8083958912892204363]
-- $3 = []int64 [3966414674412899076]
-- $4 = int64 21
