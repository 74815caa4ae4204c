-- Observation?code-value-string=1234-5$Pos
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "observation_str" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = $2 AND x1.norm >= $3 AND x1.norm < $4)
  ORDER BY r.pk ASC
  LIMIT $5)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 8740485795479441484
-- $3 = string "pos"
-- $4 = string "pot"
-- $5 = int64 21
