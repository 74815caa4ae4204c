-- Patient?_sort=family,-birthdate&_count=5
-- sort keys 2, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content, k1.v AS s1, k3.v AS s2
  FROM "patient" r
  CROSS JOIN LATERAL (SELECT min(x2.norm) AS v FROM "patient_str" x2 WHERE x2.tenant_id = $1 AND x2.pk = r.pk AND x2.h = $2) k1
  CROSS JOIN LATERAL (SELECT max(x4.hi) AS v FROM "patient_date" x4 WHERE x4.tenant_id = $1 AND x4.pk = r.pk AND x4.h = $3) k3
  WHERE r.tenant_id = $1 AND NOT r.deleted
  ORDER BY k1.v ASC NULLS LAST, k3.v DESC NULLS LAST, r.pk DESC
  LIMIT $4)
SELECT 'match' AS mode, 'Patient' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk, m.s1, m.s2 FROM m
ORDER BY m.s1 ASC NULLS LAST, m.s2 DESC NULLS LAST, m.pk DESC;

-- $1 = string "tenant-a"
-- $2 = int64 -6523520174985175580
-- $3 = int64 8341826762275077058
-- $4 = int64 6
