-- Observation?_sort=combo-code
-- sort keys 1, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content, k1.v AS s1
  FROM "observation" r
  CROSS JOIN LATERAL (SELECT min(x2.norm) AS v FROM "observation_str" x2 WHERE x2.tenant_id = $1 AND x2.pk = r.pk AND x2.h = ANY($2)) k1
  WHERE r.tenant_id = $1 AND NOT r.deleted
  ORDER BY k1.v ASC NULLS LAST, r.pk ASC
  LIMIT $3)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk, m.s1 FROM m
ORDER BY m.s1 ASC NULLS LAST, m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = []int64 [-7054385925112246914 -1590582654863774515]
-- $3 = int64 21
