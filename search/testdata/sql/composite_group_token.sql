-- Group?characteristic-value=http://snomed.info/sct|263495000$true,x$y
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "group" r
  WHERE r.tenant_id = $1 AND NOT r.deleted AND EXISTS (SELECT 1 FROM "group_tok" x1 WHERE x1.tenant_id = $1 AND x1.pk = r.pk AND x1.h = ANY($2))
  ORDER BY r.pk ASC
  LIMIT $3)
SELECT 'match' AS mode, 'Group' AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
ORDER BY m.pk ASC;

-- $1 = string "tenant-a"
-- $2 = []int64 [-6848937097442819610 5067453313393007368]
-- $3 = int64 21
