-- Observation?value-quantity=gt43&_sort=date
-- after keys [nil] pk 5 backward false
-- sort keys 1, total false, reversed false
WITH mk AS (SELECT DISTINCT ON (k2.lo, r.pk) r.pk, r.id, r.version_id, r.last_updated, r.content, k2.lo AS s1
  FROM "observation_date" k2 JOIN "observation" r ON r.tenant_id = $1 AND r.pk = k2.pk
  WHERE k2.tenant_id = $1 AND k2.h = $4 AND NOT EXISTS (SELECT 1 FROM "observation_date" y3 WHERE y3.tenant_id = $1 AND y3.pk = k2.pk AND y3.h = $4 AND y3.lo < k2.lo) AND r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "observation_num" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = $2 AND x1.v > $3) AND FALSE
  ORDER BY k2.lo ASC, r.pk ASC
  LIMIT $6),
mn AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content, NULL::timestamptz AS s1
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "observation_num" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = $2 AND x1.v > $3) AND NOT EXISTS (SELECT 1 FROM "observation_date" y4 WHERE y4.tenant_id = $1 AND y4.pk = r.pk AND y4.h = $4) AND r.pk > $5 AND (SELECT count(*) FROM mk) < $6
  ORDER BY r.pk ASC
  LIMIT $6),
m AS (SELECT * FROM (SELECT * FROM mk UNION ALL SELECT * FROM mn) u
  ORDER BY u.s1 ASC NULLS LAST, u.pk ASC
  LIMIT $6)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk, m.s1 FROM m
ORDER BY m.s1 ASC NULLS LAST, m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 6004161554410143149
-- $3 = float64 43
-- $4 = int64 -540091234323978158
-- $5 = int64 5
-- $6 = int64 21
