-- Observation?combo-code:text=systolic&_sort=combo-code
-- sort keys 1, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content, k2.v AS s1
  FROM "observation" r
  CROSS JOIN LATERAL (SELECT min(x3.norm) AS v FROM "observation_str" x3 WHERE x3.tenant_id = $1 AND x3.pk = r.pk AND x3.h = ANY($5)) k2
  WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "observation_str" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = ANY($2) AND x1.norm >= $3 AND x1.norm < $4)
  ORDER BY k2.v ASC NULLS LAST, r.pk ASC
  LIMIT $6)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk, m.s1 FROM m
ORDER BY m.s1 ASC NULLS LAST, m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = []int64 [-7054385925112246914 -1590582654863774515]
-- $3 = string "systolic"
-- $4 = string "systolid"
-- $5 = []int64 [-7054385925112246914 -1590582654863774515]
-- $6 = int64 21
