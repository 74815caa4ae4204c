-- Observation?_sort=-date
-- after keys [nil] pk 5 backward true
-- sort keys 1, total false, reversed true
WITH mn AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content, NULL::timestamptz AS s1
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND NOT EXISTS (SELECT 1 FROM "observation_date" y3 WHERE y3.tenant_id = $1 AND y3.pk = r.pk AND y3.h = $2) AND r.pk > $3
  ORDER BY r.pk ASC
  LIMIT $4),
mk AS (SELECT DISTINCT ON (k1.hi, r.pk) r.pk, r.id, r.version_id, r.last_updated, r.content, k1.hi AS s1
  FROM "observation_date" k1 JOIN "observation" r ON r.tenant_id = $1 AND r.pk = k1.pk
  WHERE k1.tenant_id = $1 AND k1.h = $2 AND NOT EXISTS (SELECT 1 FROM "observation_date" y2 WHERE y2.tenant_id = $1 AND y2.pk = k1.pk AND y2.h = $2 AND y2.hi > k1.hi) AND r.tenant_id = $1 AND NOT r.deleted AND (SELECT count(*) FROM mn) < $4
  ORDER BY k1.hi ASC, r.pk ASC
  LIMIT $4),
m AS (SELECT * FROM (SELECT * FROM mn UNION ALL SELECT * FROM mk) u
  ORDER BY u.s1 ASC NULLS FIRST, u.pk ASC
  LIMIT $4)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk, m.s1 FROM m
ORDER BY m.s1 ASC NULLS FIRST, m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 -540091234323978158
-- $3 = int64 5
-- $4 = int64 21
