-- Observation?code=x
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "observation_tok" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = ANY($2)) AND EXISTS (SELECT 1 FROM "observation_ref" x2 WHERE x2.tenant_id = $1 AND x2.pk = r.pk AND x2.h = ANY($4) AND x2.target_type = 'Patient' AND x2.target_id = $3)
  ORDER BY r.pk ASC
  LIMIT $5)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = []int64 [-3942222351073014881]
-- $3 = string "p1"
-- $4 = []int64 [3387017646492766867 4255619047414749967]
-- $5 = int64 21
