-- Observation?_include=Observation:subject:Patient&_include:iterate=Patient:organization&_revinclude:iterate=Observation:has-member
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted
  ORDER BY r.pk ASC
  LIMIT $2),
page AS (SELECT m.pk, m.id, 'Observation' COLLATE "C" AS type FROM m ORDER BY m.pk ASC LIMIT $10),
i1 AS (
    (SELECT 'Patient' COLLATE "C" AS type, t1.id, t1.version_id, t1.last_updated, t1.content, t1.pk FROM "patient" t1 WHERE t1.tenant_id = $1 AND NOT t1.deleted AND t1.pk NOT IN (SELECT pk FROM page) AND t1.id IN (SELECT x2.target_id FROM "observation_ref" x2 WHERE x2.tenant_id = $1 AND x2.h = ANY($3) AND x2.target_type = 'Patient' AND x2.pk IN (SELECT l3.pk FROM page l3 WHERE l3.type = 'Observation')) LIMIT $4)
    UNION ALL
    (SELECT 'Observation' COLLATE "C" AS type, s4.id, s4.version_id, s4.last_updated, s4.content, s4.pk FROM "observation" s4 WHERE s4.tenant_id = $1 AND NOT s4.deleted AND s4.pk NOT IN (SELECT pk FROM page) AND s4.pk IN (SELECT x5.pk FROM page l6 JOIN "observation_ref" x5 ON x5.tenant_id = $1 AND x5.h = ANY($5) AND x5.target_type = l6.type AND x5.target_id = l6.id) LIMIT $4)),
i2 AS (
    (SELECT 'Organization' COLLATE "C" AS type, t7.id, t7.version_id, t7.last_updated, t7.content, t7.pk FROM "organization" t7 WHERE t7.tenant_id = $1 AND NOT t7.deleted AND t7.pk NOT IN (SELECT pk FROM page) AND t7.id IN (SELECT x8.target_id FROM "patient_ref" x8 WHERE x8.tenant_id = $1 AND x8.h = ANY($6) AND x8.target_type = 'Organization' AND x8.pk IN (SELECT l9.pk FROM i1 l9 WHERE l9.type = 'Patient')) LIMIT $4)
    UNION ALL
    (SELECT 'Observation' COLLATE "C" AS type, s10.id, s10.version_id, s10.last_updated, s10.content, s10.pk FROM "observation" s10 WHERE s10.tenant_id = $1 AND NOT s10.deleted AND s10.pk NOT IN (SELECT pk FROM page) AND s10.pk IN (SELECT x11.pk FROM i1 l12 JOIN "observation_ref" x11 ON x11.tenant_id = $1 AND x11.h = ANY($7) AND x11.target_type = l12.type AND x11.target_id = l12.id) LIMIT $4)),
i3 AS (
    (SELECT 'Organization' COLLATE "C" AS type, t13.id, t13.version_id, t13.last_updated, t13.content, t13.pk FROM "organization" t13 WHERE t13.tenant_id = $1 AND NOT t13.deleted AND t13.pk NOT IN (SELECT pk FROM page) AND t13.id IN (SELECT x14.target_id FROM "patient_ref" x14 WHERE x14.tenant_id = $1 AND x14.h = ANY($8) AND x14.target_type = 'Organization' AND x14.pk IN (SELECT l15.pk FROM i2 l15 WHERE l15.type = 'Patient')) LIMIT $4)
    UNION ALL
    (SELECT 'Observation' COLLATE "C" AS type, s16.id, s16.version_id, s16.last_updated, s16.content, s16.pk FROM "observation" s16 WHERE s16.tenant_id = $1 AND NOT s16.deleted AND s16.pk NOT IN (SELECT pk FROM page) AND s16.pk IN (SELECT x17.pk FROM i2 l18 JOIN "observation_ref" x17 ON x17.tenant_id = $1 AND x17.h = ANY($9) AND x17.target_type = l18.type AND x17.target_id = l18.id) LIMIT $4)),
inc AS (SELECT DISTINCT ON (a.pk) a.type, a.id, a.version_id, a.last_updated, a.content, a.pk FROM (SELECT * FROM i1 UNION ALL SELECT * FROM i2 UNION ALL SELECT * FROM i3) a ORDER BY a.pk LIMIT $4)
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
-- $5 = []int64 [-1786606744563072188]
-- $6 = []int64 [-717384646257502434]
-- $7 = []int64 [-1786606744563072188]
-- $8 = []int64 [-717384646257502434]
-- $9 = []int64 [-1786606744563072188]
-- $10 = int64 20
