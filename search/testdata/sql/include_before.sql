-- Observation?_include=Observation:subject:Patient&_sort=-date
-- after keys [time.Time 2023-01-02T03:04:05.6Z] pk 3 backward true
-- sort keys 1, total false, reversed true
WITH mn AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content, NULL::timestamptz AS s1
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND NOT EXISTS (SELECT 1 FROM "observation_date" y3 WHERE y3.tenant_id = $1 AND y3.pk = r.pk AND y3.h = $2) AND FALSE
  ORDER BY r.pk ASC
  LIMIT $5),
mk AS (SELECT DISTINCT ON (k1.hi, r.pk) r.pk, r.id, r.version_id, r.last_updated, r.content, k1.hi AS s1
  FROM "observation_date" k1 JOIN "observation" r ON r.tenant_id = $1 AND r.pk = k1.pk
  WHERE k1.tenant_id = $1 AND k1.h = $2 AND NOT EXISTS (SELECT 1 FROM "observation_date" y2 WHERE y2.tenant_id = $1 AND y2.pk = k1.pk AND y2.h = $2 AND y2.hi > k1.hi) AND r.tenant_id = $1 AND NOT r.deleted AND k1.hi >= $3::timestamptz AND (k1.hi > $3::timestamptz OR (k1.hi = $3::timestamptz AND r.pk > $4)) AND (SELECT count(*) FROM mn) < $5
  ORDER BY k1.hi ASC, r.pk ASC
  LIMIT $5),
m AS (SELECT * FROM (SELECT * FROM mn UNION ALL SELECT * FROM mk) u
  ORDER BY u.s1 ASC NULLS FIRST, u.pk ASC
  LIMIT $5),
page AS (SELECT m.pk, m.id, 'Observation' COLLATE "C" AS type FROM m ORDER BY m.s1 ASC NULLS FIRST, m.pk ASC LIMIT $8),
i1 AS (
    (SELECT 'Patient' COLLATE "C" AS type, t4.id, t4.version_id, t4.last_updated, t4.content, t4.pk FROM "patient" t4 WHERE t4.tenant_id = $1 AND NOT t4.deleted AND t4.pk NOT IN (SELECT pk FROM page) AND t4.id IN (SELECT x5.target_id FROM "observation_ref" x5 WHERE x5.tenant_id = $1 AND x5.h = ANY($6) AND x5.target_type = 'Patient' AND x5.pk IN (SELECT l6.pk FROM page l6 WHERE l6.type = 'Observation')) LIMIT $7)),
inc AS (SELECT DISTINCT ON (a.pk) a.type, a.id, a.version_id, a.last_updated, a.content, a.pk FROM (SELECT * FROM i1) a ORDER BY a.pk LIMIT $7)
SELECT u.mode, u.type, u.id, u.version_id, u.last_updated, u.content, u.pk, u.s1 FROM (
  SELECT 0 AS g, 'match' AS mode, 'Observation' COLLATE "C" AS type, m.id, m.version_id, m.last_updated, m.content, m.pk, m.s1 FROM m
  UNION ALL
  SELECT 1, 'include', i.type, i.id, i.version_id, i.last_updated, i.content, i.pk, NULL FROM inc i
) u
ORDER BY u.g, u.s1 ASC NULLS FIRST, u.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 -540091234323978158
-- $3 = time.Time 2023-01-02T03:04:05.6Z
-- $4 = int64 3
-- $5 = int64 21
-- $6 = []int64 [4255619047414749967]
-- $7 = int64 1001
-- $8 = int64 20
