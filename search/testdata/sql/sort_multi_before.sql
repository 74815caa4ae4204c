-- Observation?_sort=-date,code,_id
-- after keys [time.Time 2023-01-02T03:04:05.6Z, nil, string "o1"] pk 9 backward true
-- sort keys 3, total false, reversed true
WITH mn AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content, NULL::timestamptz AS s1, k2.v AS s2, r.id AS s3
  FROM "observation" r
  CROSS JOIN LATERAL (SELECT min(x3.norm) AS v FROM "observation_str" x3 WHERE x3.tenant_id = $1 AND x3.pk = r.pk AND x3.h = $3) k2
  WHERE r.tenant_id = $1 AND NOT r.deleted AND NOT EXISTS (SELECT 1 FROM "observation_date" y5 WHERE y5.tenant_id = $1 AND y5.pk = r.pk AND y5.h = $2) AND FALSE
  ORDER BY k2.v DESC NULLS FIRST, r.id DESC, r.pk DESC
  LIMIT $7),
mk AS (SELECT DISTINCT ON (k1.hi, k2.v, r.id, r.pk) r.pk, r.id, r.version_id, r.last_updated, r.content, k1.hi AS s1, k2.v AS s2, r.id AS s3
  FROM "observation_date" k1 JOIN "observation" r ON r.tenant_id = $1 AND r.pk = k1.pk
  CROSS JOIN LATERAL (SELECT min(x3.norm) AS v FROM "observation_str" x3 WHERE x3.tenant_id = $1 AND x3.pk = r.pk AND x3.h = $3) k2
  WHERE k1.tenant_id = $1 AND k1.h = $2 AND NOT EXISTS (SELECT 1 FROM "observation_date" y4 WHERE y4.tenant_id = $1 AND y4.pk = k1.pk AND y4.h = $2 AND y4.hi > k1.hi) AND r.tenant_id = $1 AND NOT r.deleted AND k1.hi >= $4::timestamptz AND (k1.hi > $4::timestamptz OR (k1.hi = $4::timestamptz AND (k2.v IS NOT NULL OR (k2.v IS NULL AND (r.id < $5::text OR (r.id = $5::text AND r.pk < $6)))))) AND (SELECT count(*) FROM mn) < $7
  ORDER BY k1.hi ASC, k2.v DESC NULLS FIRST, r.id DESC, r.pk DESC
  LIMIT $7),
m AS (SELECT * FROM (SELECT * FROM mn UNION ALL SELECT * FROM mk) u
  ORDER BY u.s1 ASC NULLS FIRST, u.s2 DESC NULLS FIRST, u.s3 DESC, u.pk DESC
  LIMIT $7)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk, m.s1, m.s2, m.s3 FROM m
ORDER BY m.s1 ASC NULLS FIRST, m.s2 DESC NULLS FIRST, m.s3 DESC, m.pk DESC;

-- $1 = string "tenant-a"
-- $2 = int64 -540091234323978158
-- $3 = int64 -7054385925112246914
-- $4 = time.Time 2023-01-02T03:04:05.6Z
-- $5 = string "o1"
-- $6 = int64 9
-- $7 = int64 21
