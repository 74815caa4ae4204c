-- Observation?_include=Observation:subject:Patient&_sort=date
-- sort keys 1, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content, k1.v AS s1
  FROM "observation" r
  CROSS JOIN LATERAL (SELECT min(x2.lo) AS v FROM "observation_date" x2 WHERE x2.tenant_id = $1 AND x2.pk = r.pk AND x2.h = $2) k1
  WHERE r.tenant_id = $1 AND NOT r.deleted
  ORDER BY k1.v ASC NULLS LAST, r.pk ASC
  LIMIT $3),
page AS (SELECT m.pk, m.id, 'Observation' COLLATE "C" AS type FROM m ORDER BY m.s1 ASC NULLS LAST, m.pk ASC LIMIT $6),
i1 AS (
    (SELECT 'Patient' COLLATE "C" AS type, t3.id, t3.version_id, t3.last_updated, t3.content, t3.pk FROM "patient" t3 WHERE t3.tenant_id = $1 AND NOT t3.deleted AND t3.pk NOT IN (SELECT pk FROM page) AND t3.id IN (SELECT x4.target_id FROM "observation_ref" x4 WHERE x4.tenant_id = $1 AND x4.h = ANY($4) AND x4.target_type = 'Patient' AND x4.pk IN (SELECT l5.pk FROM page l5 WHERE l5.type = 'Observation')) LIMIT $5)),
inc AS (SELECT DISTINCT ON (a.pk) a.type, a.id, a.version_id, a.last_updated, a.content, a.pk FROM (SELECT * FROM i1) a ORDER BY a.pk LIMIT $5)
SELECT u.mode, u.type, u.id, u.version_id, u.last_updated, u.content, u.pk, u.s1 FROM (
  SELECT 0 AS g, 'match' AS mode, 'Observation' COLLATE "C" AS type, m.id, m.version_id, m.last_updated, m.content, m.pk, m.s1 FROM m
  UNION ALL
  SELECT 1, 'include', i.type, i.id, i.version_id, i.last_updated, i.content, i.pk, NULL FROM inc i
) u
ORDER BY u.g, u.s1 ASC NULLS LAST, u.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 -540091234323978158
-- $3 = int64 21
-- $4 = []int64 [4255619047414749967]
-- $5 = int64 1001
-- $6 = int64 20
