-- Patient?
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "patient" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND (r.id = $2 OR EXISTS (SELECT 1 FROM "patient_ref" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = $3 AND x1.target_type = 'Patient' AND x1.target_id = $2))
  ORDER BY r.pk ASC
  LIMIT $4)
SELECT 'match' AS mode, 'Patient' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = string "p1"
-- $3 = int64 5772724081554473847
-- $4 = int64 21
