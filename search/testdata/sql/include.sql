-- Observation?_include=Observation:subject
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted
  ORDER BY r.pk ASC
  LIMIT $2),
page AS (SELECT m.pk, m.id, 'Observation' COLLATE "C" AS type FROM m ORDER BY m.pk ASC LIMIT $8),
i1 AS (
    (SELECT 'Device' COLLATE "C" AS type, t1.id, t1.version_id, t1.last_updated, t1.content, t1.pk FROM "device" t1 WHERE t1.tenant_id = $1 AND NOT t1.deleted AND t1.pk NOT IN (SELECT pk FROM page) AND t1.id IN (SELECT x2.target_id FROM "observation_ref" x2 WHERE x2.tenant_id = $1 AND x2.h = ANY($3) AND x2.target_type = 'Device' AND x2.pk IN (SELECT l3.pk FROM page l3 WHERE l3.type = 'Observation')) LIMIT $4)
    UNION ALL
    (SELECT 'Group' COLLATE "C" AS type, t4.id, t4.version_id, t4.last_updated, t4.content, t4.pk FROM "group" t4 WHERE t4.tenant_id = $1 AND NOT t4.deleted AND t4.pk NOT IN (SELECT pk FROM page) AND t4.id IN (SELECT x5.target_id FROM "observation_ref" x5 WHERE x5.tenant_id = $1 AND x5.h = ANY($5) AND x5.target_type = 'Group' AND x5.pk IN (SELECT l6.pk FROM page l6 WHERE l6.type = 'Observation')) LIMIT $4)
    UNION ALL
    (SELECT 'Location' COLLATE "C" AS type, t7.id, t7.version_id, t7.last_updated, t7.content, t7.pk FROM "location" t7 WHERE t7.tenant_id = $1 AND NOT t7.deleted AND t7.pk NOT IN (SELECT pk FROM page) AND t7.id IN (SELECT x8.target_id FROM "observation_ref" x8 WHERE x8.tenant_id = $1 AND x8.h = ANY($6) AND x8.target_type = 'Location' AND x8.pk IN (SELECT l9.pk FROM page l9 WHERE l9.type = 'Observation')) LIMIT $4)
    UNION ALL
    (SELECT 'Patient' COLLATE "C" AS type, t10.id, t10.version_id, t10.last_updated, t10.content, t10.pk FROM "patient" t10 WHERE t10.tenant_id = $1 AND NOT t10.deleted AND t10.pk NOT IN (SELECT pk FROM page) AND t10.id IN (SELECT x11.target_id FROM "observation_ref" x11 WHERE x11.tenant_id = $1 AND x11.h = ANY($7) AND x11.target_type = 'Patient' AND x11.pk IN (SELECT l12.pk FROM page l12 WHERE l12.type = 'Observation')) LIMIT $4)),
inc AS (SELECT DISTINCT ON (a.pk) a.type, a.id, a.version_id, a.last_updated, a.content, a.pk FROM (SELECT * FROM i1) a ORDER BY a.pk LIMIT $4)
SELECT u.mode, u.type, u.id, u.version_id, u.last_updated, u.content, u.pk FROM (
  SELECT 0 AS g, 'match' AS mode, 'Observation' COLLATE "C" AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
  UNION ALL
  SELECT 1, 'include', i.type, i.id, i.version_id, i.last_updated, i.content, i.pk FROM inc i
) u
ORDER BY u.g, u.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 21
-- $3 = []int64 [4255619047414749967]
-- $4 = int64 1001
-- $5 = []int64 [4255619047414749967]
-- $6 = []int64 [4255619047414749967]
-- $7 = []int64 [4255619047414749967]
-- $8 = int64 20
