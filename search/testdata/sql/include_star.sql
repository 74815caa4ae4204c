-- Encounter?_include=Encounter:*
-- sort keys 0, total false, reversed false
WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content
  FROM "encounter" r
  WHERE r.tenant_id = $1 AND NOT r.deleted
  ORDER BY r.pk ASC
  LIMIT $2),
page AS (SELECT m.pk, m.id, 'Encounter' COLLATE "C" AS type FROM m ORDER BY m.pk ASC LIMIT $20),
i1 AS (
    (SELECT 'Account' COLLATE "C" AS type, t1.id, t1.version_id, t1.last_updated, t1.content, t1.pk FROM "account" t1 WHERE t1.tenant_id = $1 AND NOT t1.deleted AND t1.pk NOT IN (SELECT pk FROM page) AND t1.id IN (SELECT x2.target_id FROM "encounter_ref" x2 WHERE x2.tenant_id = $1 AND x2.h = ANY($3) AND x2.target_type = 'Account' AND x2.pk IN (SELECT l3.pk FROM page l3 WHERE l3.type = 'Encounter')) LIMIT $4)
    UNION ALL
    (SELECT 'Appointment' COLLATE "C" AS type, t4.id, t4.version_id, t4.last_updated, t4.content, t4.pk FROM "appointment" t4 WHERE t4.tenant_id = $1 AND NOT t4.deleted AND t4.pk NOT IN (SELECT pk FROM page) AND t4.id IN (SELECT x5.target_id FROM "encounter_ref" x5 WHERE x5.tenant_id = $1 AND x5.h = ANY($5) AND x5.target_type = 'Appointment' AND x5.pk IN (SELECT l6.pk FROM page l6 WHERE l6.type = 'Encounter')) LIMIT $4)
    UNION ALL
    (SELECT 'Condition' COLLATE "C" AS type, t7.id, t7.version_id, t7.last_updated, t7.content, t7.pk FROM "condition" t7 WHERE t7.tenant_id = $1 AND NOT t7.deleted AND t7.pk NOT IN (SELECT pk FROM page) AND t7.id IN (SELECT x8.target_id FROM "encounter_ref" x8 WHERE x8.tenant_id = $1 AND x8.h = ANY($6) AND x8.target_type = 'Condition' AND x8.pk IN (SELECT l9.pk FROM page l9 WHERE l9.type = 'Encounter')) LIMIT $4)
    UNION ALL
    (SELECT 'Encounter' COLLATE "C" AS type, t10.id, t10.version_id, t10.last_updated, t10.content, t10.pk FROM "encounter" t10 WHERE t10.tenant_id = $1 AND NOT t10.deleted AND t10.pk NOT IN (SELECT pk FROM page) AND t10.id IN (SELECT x11.target_id FROM "encounter_ref" x11 WHERE x11.tenant_id = $1 AND x11.h = ANY($7) AND x11.target_type = 'Encounter' AND x11.pk IN (SELECT l12.pk FROM page l12 WHERE l12.type = 'Encounter')) LIMIT $4)
    UNION ALL
    (SELECT 'EpisodeOfCare' COLLATE "C" AS type, t13.id, t13.version_id, t13.last_updated, t13.content, t13.pk FROM "episodeofcare" t13 WHERE t13.tenant_id = $1 AND NOT t13.deleted AND t13.pk NOT IN (SELECT pk FROM page) AND t13.id IN (SELECT x14.target_id FROM "encounter_ref" x14 WHERE x14.tenant_id = $1 AND x14.h = ANY($8) AND x14.target_type = 'EpisodeOfCare' AND x14.pk IN (SELECT l15.pk FROM page l15 WHERE l15.type = 'Encounter')) LIMIT $4)
    UNION ALL
    (SELECT 'Group' COLLATE "C" AS type, t16.id, t16.version_id, t16.last_updated, t16.content, t16.pk FROM "group" t16 WHERE t16.tenant_id = $1 AND NOT t16.deleted AND t16.pk NOT IN (SELECT pk FROM page) AND t16.id IN (SELECT x17.target_id FROM "encounter_ref" x17 WHERE x17.tenant_id = $1 AND x17.h = ANY($9) AND x17.target_type = 'Group' AND x17.pk IN (SELECT l18.pk FROM page l18 WHERE l18.type = 'Encounter')) LIMIT $4)
    UNION ALL
    (SELECT 'ImmunizationRecommendation' COLLATE "C" AS type, t19.id, t19.version_id, t19.last_updated, t19.content, t19.pk FROM "immunizationrecommendation" t19 WHERE t19.tenant_id = $1 AND NOT t19.deleted AND t19.pk NOT IN (SELECT pk FROM page) AND t19.id IN (SELECT x20.target_id FROM "encounter_ref" x20 WHERE x20.tenant_id = $1 AND x20.h = ANY($10) AND x20.target_type = 'ImmunizationRecommendation' AND x20.pk IN (SELECT l21.pk FROM page l21 WHERE l21.type = 'Encounter')) LIMIT $4)
    UNION ALL
    (SELECT 'Location' COLLATE "C" AS type, t22.id, t22.version_id, t22.last_updated, t22.content, t22.pk FROM "location" t22 WHERE t22.tenant_id = $1 AND NOT t22.deleted AND t22.pk NOT IN (SELECT pk FROM page) AND t22.id IN (SELECT x23.target_id FROM "encounter_ref" x23 WHERE x23.tenant_id = $1 AND x23.h = ANY($11) AND x23.target_type = 'Location' AND x23.pk IN (SELECT l24.pk FROM page l24 WHERE l24.type = 'Encounter')) LIMIT $4)
    UNION ALL
    (SELECT 'Observation' COLLATE "C" AS type, t25.id, t25.version_id, t25.last_updated, t25.content, t25.pk FROM "observation" t25 WHERE t25.tenant_id = $1 AND NOT t25.deleted AND t25.pk NOT IN (SELECT pk FROM page) AND t25.id IN (SELECT x26.target_id FROM "encounter_ref" x26 WHERE x26.tenant_id = $1 AND x26.h = ANY($12) AND x26.target_type = 'Observation' AND x26.pk IN (SELECT l27.pk FROM page l27 WHERE l27.type = 'Encounter')) LIMIT $4)
    UNION ALL
    (SELECT 'Organization' COLLATE "C" AS type, t28.id, t28.version_id, t28.last_updated, t28.content, t28.pk FROM "organization" t28 WHERE t28.tenant_id = $1 AND NOT t28.deleted AND t28.pk NOT IN (SELECT pk FROM page) AND t28.id IN (SELECT x29.target_id FROM "encounter_ref" x29 WHERE x29.tenant_id = $1 AND x29.h = ANY($13) AND x29.target_type = 'Organization' AND x29.pk IN (SELECT l30.pk FROM page l30 WHERE l30.type = 'Encounter')) LIMIT $4)
    UNION ALL
    (SELECT 'Patient' COLLATE "C" AS type, t31.id, t31.version_id, t31.last_updated, t31.content, t31.pk FROM "patient" t31 WHERE t31.tenant_id = $1 AND NOT t31.deleted AND t31.pk NOT IN (SELECT pk FROM page) AND t31.id IN (SELECT x32.target_id FROM "encounter_ref" x32 WHERE x32.tenant_id = $1 AND x32.h = ANY($14) AND x32.target_type = 'Patient' AND x32.pk IN (SELECT l33.pk FROM page l33 WHERE l33.type = 'Encounter')) LIMIT $4)
    UNION ALL
    (SELECT 'Practitioner' COLLATE "C" AS type, t34.id, t34.version_id, t34.last_updated, t34.content, t34.pk FROM "practitioner" t34 WHERE t34.tenant_id = $1 AND NOT t34.deleted AND t34.pk NOT IN (SELECT pk FROM page) AND t34.id IN (SELECT x35.target_id FROM "encounter_ref" x35 WHERE x35.tenant_id = $1 AND x35.h = ANY($15) AND x35.target_type = 'Practitioner' AND x35.pk IN (SELECT l36.pk FROM page l36 WHERE l36.type = 'Encounter')) LIMIT $4)
    UNION ALL
    (SELECT 'PractitionerRole' COLLATE "C" AS type, t37.id, t37.version_id, t37.last_updated, t37.content, t37.pk FROM "practitionerrole" t37 WHERE t37.tenant_id = $1 AND NOT t37.deleted AND t37.pk NOT IN (SELECT pk FROM page) AND t37.id IN (SELECT x38.target_id FROM "encounter_ref" x38 WHERE x38.tenant_id = $1 AND x38.h = ANY($16) AND x38.target_type = 'PractitionerRole' AND x38.pk IN (SELECT l39.pk FROM page l39 WHERE l39.type = 'Encounter')) LIMIT $4)
    UNION ALL
    (SELECT 'Procedure' COLLATE "C" AS type, t40.id, t40.version_id, t40.last_updated, t40.content, t40.pk FROM "procedure" t40 WHERE t40.tenant_id = $1 AND NOT t40.deleted AND t40.pk NOT IN (SELECT pk FROM page) AND t40.id IN (SELECT x41.target_id FROM "encounter_ref" x41 WHERE x41.tenant_id = $1 AND x41.h = ANY($17) AND x41.target_type = 'Procedure' AND x41.pk IN (SELECT l42.pk FROM page l42 WHERE l42.type = 'Encounter')) LIMIT $4)
    UNION ALL
    (SELECT 'RelatedPerson' COLLATE "C" AS type, t43.id, t43.version_id, t43.last_updated, t43.content, t43.pk FROM "relatedperson" t43 WHERE t43.tenant_id = $1 AND NOT t43.deleted AND t43.pk NOT IN (SELECT pk FROM page) AND t43.id IN (SELECT x44.target_id FROM "encounter_ref" x44 WHERE x44.tenant_id = $1 AND x44.h = ANY($18) AND x44.target_type = 'RelatedPerson' AND x44.pk IN (SELECT l45.pk FROM page l45 WHERE l45.type = 'Encounter')) LIMIT $4)
    UNION ALL
    (SELECT 'ServiceRequest' COLLATE "C" AS type, t46.id, t46.version_id, t46.last_updated, t46.content, t46.pk FROM "servicerequest" t46 WHERE t46.tenant_id = $1 AND NOT t46.deleted AND t46.pk NOT IN (SELECT pk FROM page) AND t46.id IN (SELECT x47.target_id FROM "encounter_ref" x47 WHERE x47.tenant_id = $1 AND x47.h = ANY($19) AND x47.target_type = 'ServiceRequest' AND x47.pk IN (SELECT l48.pk FROM page l48 WHERE l48.type = 'Encounter')) LIMIT $4)),
inc AS (SELECT DISTINCT ON (a.pk) a.type, a.id, a.version_id, a.last_updated, a.content, a.pk FROM (SELECT * FROM i1) a ORDER BY a.pk LIMIT $4)
SELECT u.mode, u.type, u.id, u.version_id, u.last_updated, u.content, u.pk FROM (
  SELECT 0 AS g, 'match' AS mode, 'Encounter' COLLATE "C" AS type, m.id, m.version_id, m.last_updated, m.content, m.pk FROM m
  UNION ALL
  SELECT 1, 'include', i.type, i.id, i.version_id, i.last_updated, i.content, i.pk FROM inc i
) u
ORDER BY u.g, u.pk ASC;

-- $1 = string "tenant-a"
-- $2 = int64 21
-- $3 = []int64 [6469443925883489432]
-- $4 = int64 1001
-- $5 = []int64 [-2152861003075179186]
-- $6 = []int64 [-1935457993620481300 -4202445349331625262]
-- $7 = []int64 [-4445750280434944253]
-- $8 = []int64 [-6480506080057880694]
-- $9 = []int64 [4255619047414749967]
-- $10 = []int64 [-4202445349331625262]
-- $11 = []int64 [7148115917891763473]
-- $12 = []int64 [-4202445349331625262]
-- $13 = []int64 [6144347240389995444]
-- $14 = []int64 [-2391547579366692199 4255619047414749967]
-- $15 = []int64 [-1731846889194359332 -4215991887441484129]
-- $16 = []int64 [-1731846889194359332]
-- $17 = []int64 [-1935457993620481300 -4202445349331625262]
-- $18 = []int64 [-1731846889194359332]
-- $19 = []int64 [2969765928680604950]
-- $20 = int64 20
