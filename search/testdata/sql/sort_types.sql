-- Observation?_sort=value-quantity,subject,-_source
-- sort keys 3, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content, k1.v AS s1, k3.v AS s2, k5.v AS s3
  FROM "observation" r
  CROSS JOIN LATERAL (SELECT min(x2.v) AS v FROM "observation_num" x2 WHERE x2.tenant_id = $1 AND x2.pk = r.pk AND x2.h = $2) k1
  CROSS JOIN LATERAL (SELECT min(x4.target_id) AS v FROM "observation_ref" x4 WHERE x4.tenant_id = $1 AND x4.pk = r.pk AND x4.h = $3) k3
  CROSS JOIN LATERAL (SELECT max(x6.norm) AS v FROM "observation_str" x6 WHERE x6.tenant_id = $1 AND x6.pk = r.pk AND x6.h = $4) k5
  WHERE r.tenant_id = $1 AND NOT r.deleted
  ORDER BY k1.v ASC NULLS LAST, k3.v ASC NULLS LAST, k5.v DESC NULLS LAST, r.pk DESC
  LIMIT $5)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk, m.s1, m.s2, m.s3 FROM m
ORDER BY m.s1 ASC NULLS LAST, m.s2 ASC NULLS LAST, m.s3 DESC NULLS LAST, m.pk DESC;

-- $1 = string "tenant-a"
-- $2 = int64 6004161554410143149
-- $3 = int64 4255619047414749967
-- $4 = int64 7877816287563738275
-- $5 = int64 21
