-- Patient?_sort=family,-birthdate&_count=5
-- sort keys 2, total false, reversed false
WITH mk AS (SELECT DISTINCT ON (k1.norm, k2.v, r.pk) r.pk, r.id, r.version_id, r.last_updated, r.content, k1.norm AS s1, k2.v AS s2
  FROM "patient_str" k1 JOIN "patient" r ON r.tenant_id = $1 AND r.pk = k1.pk
  CROSS JOIN LATERAL (SELECT max(x3.hi) AS v FROM "patient_date" x3 WHERE x3.tenant_id = $1 AND x3.pk = r.pk AND x3.h = $3) k2
  WHERE k1.tenant_id = $1 AND k1.h = $2 AND NOT EXISTS (SELECT 1 FROM "patient_str" y4 WHERE y4.tenant_id = $1 AND y4.pk = k1.pk AND y4.h = $2 AND y4.norm < k1.norm) AND r.tenant_id = $1 AND NOT r.deleted
  ORDER BY k1.norm ASC, k2.v DESC NULLS LAST, r.pk DESC
  LIMIT $4),
mn AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content, NULL::text AS s1, k2.v AS s2
  FROM "patient" r
  CROSS JOIN LATERAL (SELECT max(x3.hi) AS v FROM "patient_date" x3 WHERE x3.tenant_id = $1 AND x3.pk = r.pk AND x3.h = $3) k2
  WHERE r.tenant_id = $1 AND NOT r.deleted AND NOT EXISTS (SELECT 1 FROM "patient_str" y5 WHERE y5.tenant_id = $1 AND y5.pk = r.pk AND y5.h = $2) AND (SELECT count(*) FROM mk) < $4
  ORDER BY k2.v DESC NULLS LAST, r.pk DESC
  LIMIT $4),
m AS (SELECT * FROM (SELECT * FROM mk UNION ALL SELECT * FROM mn) u
  ORDER BY u.s1 ASC NULLS LAST, u.s2 DESC NULLS LAST, u.pk DESC
  LIMIT $4)
SELECT 'match' AS mode, 'Patient' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk, m.s1, m.s2 FROM m
ORDER BY m.s1 ASC NULLS LAST, m.s2 DESC NULLS LAST, m.pk DESC;

-- $1 = string "tenant-a"
-- $2 = int64 -6523520174985175580
-- $3 = int64 8341826762275077058
-- $4 = int64 6
