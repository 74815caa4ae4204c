-- Encounter?_include=Encounter:*
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "encounter" r
  WHERE r.tenant_id = $1 AND NOT r.deleted
  ORDER BY r.pk ASC
  LIMIT $2),
page AS (SELECT m.pk, m.id, 'Encounter' COLLATE "C" AS type FROM m ORDER BY m.pk ASC LIMIT $6),
i1 AS (
    (SELECT f4.type COLLATE "C", f4.id, f4.version_id, f4.last_updated, f4.content, f4.pk FROM (SELECT x1.target_type, array_agg(DISTINCT x1.target_id) AS ids FROM "encounter_ref" x1 WHERE x1.tenant_id = $1 AND x1.h = ANY($3) AND x1.target_type = ANY($4) AND x1.pk IN (SELECT l2.pk FROM page l2 WHERE l2.type = 'Encounter') GROUP BY x1.target_type) g3, LATERAL fhir_include_rows(g3.target_type, g3.ids, $1) f4 WHERE f4.pk NOT IN (SELECT pk FROM page) LIMIT $5)),
inc AS (SELECT DISTINCT ON (a.pk) a.type, a.id, a.version_id, a.last_updated, a.content, a.pk FROM (SELECT * FROM i1) a ORDER BY a.pk LIMIT $5)
SELECT u.mode, u.type, u.id, u.version_id, u.last_updated, u.content, u.pk FROM (
  SELECT 0 AS g, 'match' AS mode, 'Encounter' COLLATE "C" AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
  UNION ALL
  SELECT 1, 'include', i.type, i.id, i.version_id, i.last_updated, i.content, i.pk FROM inc i
) u
ORDER BY u.g, u.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 21
-- $3 = []int64 [6469443925883489432 -2152861003075179186 2969765928680604950 -1935457993620481300 -6480506080057880694 7148115917891763473 -4445750280434944253 -1731846889194359332 -2391547579366692199 -4215991887441484129 -4202445349331625262 6144347240389995444 4255619047414749967]
-- $4 = []string ["Account" "Appointment" "Condition" "Encounter" "EpisodeOfCare" "Group" "ImmunizationRecommendation" "Location" "Observation" "Organization" "Patient" "Practitioner" "PractitionerRole" "Procedure" "RelatedPerson" "ServiceRequest"]
-- $5 = int64 1001
-- $6 = int64 20
