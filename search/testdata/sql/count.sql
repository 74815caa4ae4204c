-- Patient?name=smith&gender=female
-- count
-- sort keys 0, total false, reversed false
SELECT count(*) FROM "patient" r WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "patient_tok" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = ANY($2)) AND EXISTS (SELECT 1 FROM "patient_str" x2 WHERE x2.tenant_id = $1 AND x2.pk = r.pk AND x2.h = $3 AND x2.norm >= $4 AND x2.norm < $5);

-- $1 = string "tenant-a"
-- $2 = []int64 [-3941477318490344350]
-- $3 = int64 -384858943661894291
-- $4 = string "smith"
-- $5 = string "smiti"
