-- Patient?_lastUpdated=ge2024-01-01&_lastUpdated=lt2024-02&_lastUpdated=eq2024-01-15
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "patient" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND r.last_updated >= $2 AND r.last_updated < $3 AND r.last_updated >= $4 AND r.last_updated <= $5
  ORDER BY r.pk ASC
  LIMIT $6)
SELECT 'match' AS mode, 'Patient' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = time.Time 2024-01-01T00:00:00Z
-- $3 = time.Time 2024-02-01T00:00:00Z
-- $4 = time.Time 2024-01-15T00:00:00Z
-- $5 = time.Time 2024-01-15T23:59:59.999999Z
-- $6 = int64 21
