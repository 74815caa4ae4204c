-- Observation?value-quantity=5.4|http://unitsofmeasure.org|mg,lt5.4||mg,ap5.4
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "observation" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "observation_num" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND ((x1.h = $2 AND x1.v >= $3 AND x1.v < $4) OR (x1.h = $5 AND x1.v < $6) OR (x1.h = $7 AND x1.v >= $8 AND x1.v <= $9)))
  ORDER BY r.pk ASC
  LIMIT $10)
SELECT 'match' AS mode, 'Observation' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 1769227532551378436
-- $3 = float64 5.35
-- $4 = float64 5.45
-- $5 = int64 -1052722500723162858
-- $6 = float64 5.4
-- $7 = int64 6004161554410143149
-- $8 = float64 4.86
-- $9 = float64 5.94
-- $10 = int64 21
