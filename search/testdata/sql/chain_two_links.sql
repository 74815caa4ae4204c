-- Observation?subject:Patient.organization.name=acme
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND r.pk IN (SELECT x1.pk FROM "observation_ref" x1 WHERE x1.tenant_id = $1 AND x1.h = $2 AND x1.target_type = 'Patient' AND x1.target_id IN (SELECT t2.id FROM "patient" t2 WHERE t2.tenant_id = $1 AND NOT t2.deleted AND t2.pk IN (SELECT x3.pk FROM "patient_ref" x3 WHERE x3.tenant_id = $1 AND x3.h = $3 AND x3.target_type = 'Organization' AND x3.target_id IN (SELECT t4.id FROM "organization" t4 WHERE t4.tenant_id = $1 AND NOT t4.deleted AND EXISTS (SELECT 1 FROM "organization_str" x5 WHERE x5.tenant_id = $1 AND x5.pk = t4.pk AND x5.h = $4 AND x5.norm >= $5 AND x5.norm < $6)))))
  ORDER BY r.pk ASC
  LIMIT $7)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 4255619047414749967
-- $3 = int64 -717384646257502434
-- $4 = int64 -384858943661894291
-- $5 = string "acme"
-- $6 = string "acmf"
-- $7 = int64 21
