-- Observation?_sort=value-quantity,subject,-_source
-- sort keys 3, total false, reversed false
WITH mk AS (SELECT DISTINCT ON (k1.v, k2.v, k4.v, r.pk) r.pk, r.id, r.version_id, r.last_updated, r.content, k1.v AS s1, k2.v AS s2, k4.v AS s3
  FROM "observation_num" k1 JOIN "observation" r ON r.tenant_id = $1 AND r.pk = k1.pk
  CROSS JOIN LATERAL (SELECT min(x3.target_id) AS v FROM "observation_ref" x3 WHERE x3.tenant_id = $1 AND x3.pk = r.pk AND x3.h = $3) k2
  CROSS JOIN LATERAL (SELECT max(x5.norm) AS v FROM "observation_str" x5 WHERE x5.tenant_id = $1 AND x5.pk = r.pk AND x5.h = $4) k4
  WHERE k1.tenant_id = $1 AND k1.h = $2 AND NOT EXISTS (SELECT 1 FROM "observation_num" y6 WHERE y6.tenant_id = $1 AND y6.pk = k1.pk AND y6.h = $2 AND y6.v < k1.v) AND r.tenant_id = $1 AND NOT r.deleted
  ORDER BY k1.v ASC, k2.v ASC NULLS LAST, k4.v DESC NULLS LAST, r.pk DESC
  LIMIT $5),
mn AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content, NULL::float8 AS s1, k2.v AS s2, k4.v AS s3
  FROM "observation" r
  CROSS JOIN LATERAL (SELECT min(x3.target_id) AS v FROM "observation_ref" x3 WHERE x3.tenant_id = $1 AND x3.pk = r.pk AND x3.h = $3) k2
  CROSS JOIN LATERAL (SELECT max(x5.norm) AS v FROM "observation_str" x5 WHERE x5.tenant_id = $1 AND x5.pk = r.pk AND x5.h = $4) k4
  WHERE r.tenant_id = $1 AND NOT r.deleted AND NOT EXISTS (SELECT 1 FROM "observation_num" y7 WHERE y7.tenant_id = $1 AND y7.pk = r.pk AND y7.h = $2) AND (SELECT count(*) FROM mk) < $5
  ORDER BY k2.v ASC NULLS LAST, k4.v DESC NULLS LAST, r.pk DESC
  LIMIT $5),
m AS (SELECT * FROM (SELECT * FROM mk UNION ALL SELECT * FROM mn) u
  ORDER BY u.s1 ASC NULLS LAST, u.s2 ASC NULLS LAST, u.s3 DESC NULLS LAST, u.pk DESC
  LIMIT $5)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk, m.s1, m.s2, m.s3 FROM m
ORDER BY m.s1 ASC NULLS LAST, m.s2 ASC NULLS LAST, m.s3 DESC NULLS LAST, m.pk DESC;

-- $1 = string "tenant-a"
-- $2 = int64 6004161554410143149
-- $3 = int64 4255619047414749967
-- $4 = int64 7877816287563738275
-- $5 = int64 21
