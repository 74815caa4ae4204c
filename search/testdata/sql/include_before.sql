-- Observation?_include=Observation:subject:Patient&_sort=-date
-- after keys [time.Time 2023-01-02T03:04:05.6Z] pk 3 backward true
-- sort keys 1, total false, reversed true
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content, k1.v AS s1
  FROM "observation" r
  CROSS JOIN LATERAL (SELECT max(x2.hi) AS v FROM "observation_date" x2 WHERE x2.tenant_id = $1 AND x2.pk = r.pk AND x2.h = $2) k1
  WHERE r.tenant_id = $1 AND NOT r.deleted AND (k1.v > $3::timestamptz OR (k1.v = $3::timestamptz AND r.pk > $4))
  ORDER BY k1.v ASC NULLS FIRST, r.pk ASC
  LIMIT $5),
page AS (SELECT m.pk, m.id, 'Observation' COLLATE "C" AS type FROM m ORDER BY m.s1 ASC NULLS FIRST, m.pk ASC LIMIT $8),
i1 AS (
    (SELECT 'Patient' COLLATE "C" AS type, t3.id, t3.version_id, t3.last_updated, t3.content, t3.pk FROM "patient" t3 WHERE t3.tenant_id = $1 AND NOT t3.deleted AND t3.pk NOT IN (SELECT pk FROM page) AND t3.id IN (SELECT x4.target_id FROM "observation_ref" x4 WHERE x4.tenant_id = $1 AND x4.h = ANY($6) AND x4.target_type = 'Patient' AND x4.pk IN (SELECT l5.pk FROM page l5 WHERE l5.type = 'Observation')) LIMIT $7)),
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
