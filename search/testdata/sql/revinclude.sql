-- Patient?_revinclude=Observation:subject&_total=accurate
-- sort keys 0, total true, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "patient" r
  WHERE r.tenant_id = $1 AND NOT r.deleted
  ORDER BY r.pk ASC
  LIMIT $2),
page AS (SELECT m.pk, m.id, 'Patient' COLLATE "C" AS type FROM m ORDER BY m.pk ASC LIMIT $5),
i1 AS (
    (SELECT 'Observation' COLLATE "C" AS type, s1.id, s1.version_id, s1.last_updated, s1.content, s1.pk FROM "observation" s1 WHERE s1.tenant_id = $1 AND NOT s1.deleted AND s1.pk NOT IN (SELECT pk FROM page) AND s1.pk IN (SELECT x2.pk FROM page l3 JOIN "observation_ref" x2 ON x2.tenant_id = $1 AND x2.h = ANY($3) AND x2.target_type = l3.type AND x2.target_id = l3.id) LIMIT $4)),
inc AS (SELECT DISTINCT ON (a.pk) a.type, a.id, a.version_id, a.last_updated, a.content, a.pk FROM (SELECT * FROM i1) a ORDER BY a.pk LIMIT $4)
SELECT u.mode, u.type, u.id, u.version_id, u.last_updated, u.content, u.pk, (SELECT count(*) FROM "patient" r WHERE r.tenant_id = $1 AND NOT r.deleted) AS total FROM (
  SELECT 0 AS g, 'match' AS mode, 'Patient' COLLATE "C" AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
  UNION ALL
  SELECT 1, 'include', i.type, i.id, i.version_id, i.last_updated, i.content, i.pk FROM inc i
) u
ORDER BY u.g, u.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 21
-- $3 = []int64 [4255619047414749967]
-- $4 = int64 1001
-- $5 = int64 20
