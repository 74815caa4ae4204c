-- Observation?_sort=-_lastUpdated
-- after keys [time.Time 2023-01-02T03:04:05.6Z] pk 7 backward false
-- sort keys 1, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content, r.last_updated AS s1
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND (r.last_updated < $2::timestamptz OR (r.last_updated = $2::timestamptz AND r.pk < $3))
  ORDER BY r.last_updated DESC, r.pk DESC
  LIMIT $4)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk, m.s1 FROM m
ORDER BY m.s1 DESC, m.pk DESC;

-- $1 = string "tenant-a"
-- $2 = time.Time 2023-01-02T03:04:05.6Z
-- $3 = int64 7
-- $4 = int64 21
