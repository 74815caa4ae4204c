-- Patient?name=Müller,jo
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "patient" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "patient_str" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = $2 AND ((x1.norm >= $3 AND x1.norm < $4) OR (x1.norm >= $5 AND x1.norm < $6)))
  ORDER BY r.pk ASC
  LIMIT $7)
SELECT 'match' AS mode, 'Patient' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 -384858943661894291
-- $3 = string "muller"
-- $4 = string "mulles"
-- $5 = string "jo"
-- $6 = string "jp"
-- $7 = int64 21
