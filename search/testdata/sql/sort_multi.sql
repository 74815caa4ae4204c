-- Observation?_sort=-date,code,_id
-- sort keys 3, total false, reversed false
WITH mk AS (SELECT DISTINCT ON (k1.hi, k2.v, r.id, r.pk) r.pk, r.id, r.version_id, r.last_updated, r.content, k1.hi AS s1, k2.v AS s2, r.id AS s3
  FROM "observation_date" k1 JOIN "observation" r ON r.tenant_id = $1 AND r.pk = k1.pk
  CROSS JOIN LATERAL (SELECT min(x3.norm) AS v FROM "observation_str" x3 WHERE x3.tenant_id = $1 AND x3.pk = r.pk AND x3.h = $3) k2
  WHERE k1.tenant_id = $1 AND k1.h = $2 AND NOT EXISTS (SELECT 1 FROM "observation_date" y4 WHERE y4.tenant_id = $1 AND y4.pk = k1.pk AND y4.h = $2 AND y4.hi > k1.hi) AND r.tenant_id = $1 AND NOT r.deleted
  ORDER BY k1.hi DESC, k2.v ASC NULLS LAST, r.id ASC, r.pk ASC
  LIMIT $4),
mn AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content, NULL::timestamptz AS s1, k2.v AS s2, r.id AS s3
  FROM "observation" r
  CROSS JOIN LATERAL (SELECT min(x3.norm) AS v FROM "observation_str" x3 WHERE x3.tenant_id = $1 AND x3.pk = r.pk AND x3.h = $3) k2
  WHERE r.tenant_id = $1 AND NOT r.deleted AND NOT EXISTS (SELECT 1 FROM "observation_date" y5 WHERE y5.tenant_id = $1 AND y5.pk = r.pk AND y5.h = $2) AND (SELECT count(*) FROM mk) < $4
  ORDER BY k2.v ASC NULLS LAST, r.id ASC, r.pk ASC
  LIMIT $4),
m AS (SELECT * FROM (SELECT * FROM mk UNION ALL SELECT * FROM mn) u
  ORDER BY u.s1 DESC NULLS LAST, u.s2 ASC NULLS LAST, u.s3 ASC, u.pk ASC
  LIMIT $4)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk, m.s1, m.s2, m.s3 FROM m
ORDER BY m.s1 DESC NULLS LAST, m.s2 ASC NULLS LAST, m.s3 ASC, m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 -540091234323978158
-- $3 = int64 -7054385925112246914
-- $4 = int64 21
