-- Observation?combo-code-value-quantity:missing=true&combo-code:missing=false
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND NOT ((EXISTS (SELECT 1 FROM "observation_tok" x3 WHERE x3.tenant_id = $1 AND x3.pk = r.pk AND x3.h = ANY($4)) OR (EXISTS (SELECT 1 FROM "observation_tok" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = $2) AND EXISTS (SELECT 1 FROM "observation_tok" x2 WHERE x2.tenant_id = $1 AND x2.pk = r.pk AND x2.h = $3)))) AND EXISTS (SELECT 1 FROM "observation_tok" x4 WHERE x4.tenant_id = $1 AND x4.pk = r.pk AND x4.h = ANY($5))
  ORDER BY r.pk ASC
  LIMIT $6)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 5093090314988735870
-- $3 = int64 -5613626356983978521
-- $4 = []int64 [-8762153728045938292]
-- $5 = []int64 [5093090314988735870 4796540814786018490]
-- $6 = int64 21
