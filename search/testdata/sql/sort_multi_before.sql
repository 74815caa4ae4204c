-- Observation?_sort=-date,code,_id
-- after keys [time.Time 2023-01-02T03:04:05.6Z, nil, string "o1"] pk 9 backward true
-- sort keys 3, total false, reversed true
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content, k1.v AS s1, k3.v AS s2, r.id AS s3
  FROM "observation" r
  CROSS JOIN LATERAL (SELECT max(x2.hi) AS v FROM "observation_date" x2 WHERE x2.tenant_id = $1 AND x2.pk = r.pk AND x2.h = $2) k1
  CROSS JOIN LATERAL (SELECT min(x4.norm) AS v FROM "observation_str" x4 WHERE x4.tenant_id = $1 AND x4.pk = r.pk AND x4.h = $3) k3
  WHERE r.tenant_id = $1 AND NOT r.deleted AND (k1.v > $4::timestamptz OR (k1.v = $4::timestamptz AND (k3.v IS NOT NULL OR (k3.v IS NULL AND (r.id < $5::text OR (r.id = $5::text AND r.pk < $6))))))
  ORDER BY k1.v ASC NULLS FIRST, k3.v DESC NULLS FIRST, r.id DESC, r.pk DESC
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
