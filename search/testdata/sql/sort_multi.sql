-- Observation?_sort=-date,code,_id
-- sort keys 3, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content, k1.v AS s1, k3.v AS s2, r.id AS s3
  FROM "observation" r
  CROSS JOIN LATERAL (SELECT max(x2.hi) AS v FROM "observation_date" x2 WHERE x2.tenant_id = $1 AND x2.pk = r.pk AND x2.h = $2) k1
  CROSS JOIN LATERAL (SELECT min(x4.norm) AS v FROM "observation_str" x4 WHERE x4.tenant_id = $1 AND x4.pk = r.pk AND x4.h = $3) k3
  WHERE r.tenant_id = $1 AND NOT r.deleted
  ORDER BY k1.v DESC NULLS LAST, k3.v ASC NULLS LAST, r.id ASC, r.pk ASC
  LIMIT $4)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk, m.s1, m.s2, m.s3 FROM m
ORDER BY m.s1 DESC NULLS LAST, m.s2 ASC NULLS LAST, m.s3 ASC, m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 -540091234323978158
-- $3 = int64 -7054385925112246914
-- $4 = int64 21
