-- Patient?_has:Observation:subject:_has:Observation:has-member:status=final
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "patient" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "observation" o1 JOIN "observation_ref" x2 ON x2.tenant_id = o1.tenant_id AND x2.pk = o1.pk WHERE o1.tenant_id = $1 AND NOT o1.deleted AND x2.tenant_id = $1 AND x2.h = $2 AND x2.target_type = 'Patient' AND x2.target_id = r.id AND EXISTS (SELECT 1 FROM "observation_ref" x3 WHERE x3.tenant_id = $1 AND x3.h = $3 AND x3.target_type = 'Observation' AND x3.target_id = o1.id AND EXISTS (SELECT 1 FROM "observation_tok" x4 WHERE x4.tenant_id = $1 AND x4.pk = x3.pk AND x4.h = ANY($4))))
  ORDER BY r.pk ASC
  LIMIT $5)
SELECT 'match' AS mode, 'Patient' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 4255619047414749967
-- $3 = int64 -1786606744563072188
-- $4 = []int64 [-6988531525385097906]
-- $5 = int64 21
