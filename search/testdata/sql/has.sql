-- Patient?_has:Observation:subject:code=1234-5
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "patient" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "observation_ref" x1 WHERE x1.tenant_id = $1 AND x1.h = $2 AND x1.target_type = 'Patient' AND x1.target_id = r.id AND EXISTS (SELECT 1 FROM "observation_tok" x2 WHERE x2.tenant_id = $1 AND x2.pk = x1.pk AND x2.h = ANY($3)))
  ORDER BY r.pk ASC
  LIMIT $4)
SELECT 'match' AS mode, 'Patient' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 4255619047414749967
-- $3 = []int64 [-757136330325773941]
-- $4 = int64 21
