-- Observation?subject.name=smith
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND r.pk IN (SELECT x1.pk FROM "observation_ref" x1 WHERE x1.tenant_id = $1 AND x1.h = $2 AND x1.target_type = 'Location' AND x1.target_id IN (SELECT t2.id FROM "location" t2 WHERE t2.tenant_id = $1 AND NOT t2.deleted AND EXISTS (SELECT 1 FROM "location_str" x3 WHERE x3.tenant_id = $1 AND x3.pk = t2.pk AND x3.h = $3 AND x3.norm >= $4 AND x3.norm < $5)) UNION ALL SELECT x4.pk FROM "observation_ref" x4 WHERE x4.tenant_id = $1 AND x4.h = $2 AND x4.target_type = 'Patient' AND x4.target_id IN (SELECT t5.id FROM "patient" t5 WHERE t5.tenant_id = $1 AND NOT t5.deleted AND EXISTS (SELECT 1 FROM "patient_str" x6 WHERE x6.tenant_id = $1 AND x6.pk = t5.pk AND x6.h = $6 AND x6.norm >= $7 AND x6.norm < $8)))
  ORDER BY r.pk ASC
  LIMIT $9)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 4255619047414749967
-- $3 = int64 -384858943661894291
-- $4 = string "smith"
-- $5 = string "smiti"
-- $6 = int64 -384858943661894291
-- $7 = string "smith"
-- $8 = string "smiti"
-- $9 = int64 21
