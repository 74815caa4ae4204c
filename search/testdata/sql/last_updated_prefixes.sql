-- Patient?_lastUpdated=ne2024&_lastUpdated=gt2024&_lastUpdated=le2024&_lastUpdated=sa2024&_lastUpdated=eb2024&_lastUpdated=ap2024
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "patient" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND (r.last_updated < $2 OR r.last_updated > $3) AND r.last_updated > $4 AND r.last_updated <= $5 AND r.last_updated > $6 AND r.last_updated < $7 AND r.last_updated <= $8 AND r.last_updated >= $9
  ORDER BY r.pk ASC
  LIMIT $10)
SELECT 'match' AS mode, 'Patient' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = time.Time 2024-01-01T00:00:00Z
-- $3 = time.Time 2024-12-31T23:59:59.999999Z
-- $4 = time.Time 2024-12-31T23:59:59.999999Z
-- $5 = time.Time 2024-12-31T23:59:59.999999Z
-- $6 = time.Time 2024-12-31T23:59:59.999999Z
-- $7 = time.Time 2024-01-01T00:00:00Z
-- $8 = time.Time 2024-12-31T23:59:59.999999Z
-- $9 = time.Time 2024-01-01T00:00:00Z
-- $10 = int64 21
