-- Patient?gender:missing=true&birthdate:missing=false
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "patient" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "patient_tok" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = $2) AND NOT EXISTS (SELECT 1 FROM "patient_tok" x2 WHERE x2.tenant_id = $1 AND x2.pk = r.pk AND x2.h = $3)
  ORDER BY r.pk ASC
  LIMIT $4)
SELECT 'match' AS mode, 'Patient' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 7918665848328097505
-- $3 = int64 5148753633636894048
-- $4 = int64 21
