package store

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/fhirbase-go/fhird/fhir"
)

// statements holds the SQL text of one resource type's interactions. Table
// names come from the registry and are quoted as identifiers; every value
// is a bind parameter.
//
// The write statements share one parameter layout:
//
//	$1 tenant  $2 id  $3 last_updated  $4 content  $5 method
//	$6 token hashes
//	$7 $8 $9     string hash, norm, exact
//	$10 $11 $12  reference hash, target type, target id
//	$13 $14 $15  date hash, lo, hi
//	$16 $17      number hash, value
//	$18 expected version (If-Match; update only)
type statements struct {
	create, upsert, updateIfMatch, delete string
	read, vread, history, typeHistory     string
	existing                              string // the ids of a list that the tenant holds
	historyBranch                         string // this type's part of system history
}

func newStatements(t *fhir.ResourceType) *statements {
	n := tableNames(t.Table)
	return &statements{
		create:        createSQL(n),
		upsert:        upsertSQL(n),
		updateIfMatch: updateIfMatchSQL(n),
		delete:        deleteSQL(n),
		read: `SELECT version_id, last_updated, deleted, content FROM ` + n.main +
			` WHERE tenant_id = $1 AND id = $2`,
		existing: `SELECT id FROM ` + n.main + ` WHERE tenant_id = $1 AND id = ANY($2)`,
		vread: `SELECT version_id, last_updated, deleted, method, content FROM ` + n.history +
			` WHERE tenant_id = $1 AND id = $2 AND version_id = $3`,
		history: `SELECT id, version_id, last_updated, deleted, method, content FROM ` + n.history +
			` WHERE tenant_id = $1 AND id = $2 AND version_id < $3 AND last_updated >= $4
			ORDER BY version_id DESC LIMIT $5`,
		typeHistory: `SELECT id, version_id, last_updated, deleted, method, content FROM ` + n.history +
			` WHERE tenant_id = $1 AND last_updated >= $2 AND (last_updated, id, version_id) < ($3, $4, $5)
			ORDER BY last_updated DESC, id DESC, version_id DESC LIMIT $6`,
		historyBranch: systemHistoryBranch(t.Name, n),
	}
}

// names are the quoted table names of one resource type.
type names struct {
	main, history, tok, str, ref, date, num string
}

func tableNames(table string) names {
	q := func(suffix string) string { return pgx.Identifier{table + suffix}.Sanitize() }
	return names{q(""), q("_history"), q("_tok"), q("_str"), q("_ref"), q("_date"), q("_num")}
}

// insertIndexCTEs adds the index rows of the new version to the resource
// whose pk the CTE r returns. Rows that already exist are kept; a string
// row takes the new version's normalized form, so that an update re-indexes
// values whose folding has changed (Normalize is keyed by exact).
func insertIndexCTEs(n names) string {
	return fmt.Sprintf(`,
 itok AS (INSERT INTO %s (tenant_id, pk, h) SELECT $1, r.pk, x.h FROM r, unnest($6::int8[]) AS x(h) ON CONFLICT DO NOTHING),
 istr AS (INSERT INTO %s AS s (tenant_id, pk, h, norm, exact) SELECT $1, r.pk, x.h, x.n, x.e
	FROM r, unnest($7::int8[], $8::text[], $9::text[]) AS x(h, n, e)
	ON CONFLICT (tenant_id, pk, h, exact) DO UPDATE SET norm = EXCLUDED.norm WHERE s.norm <> EXCLUDED.norm),
 iref AS (INSERT INTO %s (tenant_id, pk, h, target_type, target_id) SELECT $1, r.pk, x.h, x.t, x.i
	FROM r, unnest($10::int8[], $11::text[], $12::text[]) AS x(h, t, i) ON CONFLICT DO NOTHING),
 idate AS (INSERT INTO %s (tenant_id, pk, h, lo, hi) SELECT $1, r.pk, x.h, x.lo, x.hi
	FROM r, unnest($13::int8[], $14::timestamptz[], $15::timestamptz[]) AS x(h, lo, hi) ON CONFLICT DO NOTHING),
 inum AS (INSERT INTO %s (tenant_id, pk, h, v) SELECT $1, r.pk, x.h, x.v
	FROM r, unnest($16::int8[], $17::float8[]) AS x(h, v) ON CONFLICT DO NOTHING)`,
		n.tok, n.str, n.ref, n.date, n.num)
}

// pruneIndexCTEs deletes the index rows of the resource r that the new
// version no longer has, so an update touches only the rows that changed.
func pruneIndexCTEs(n names) string {
	return fmt.Sprintf(`,
 dtok AS (DELETE FROM %s d USING r WHERE d.tenant_id = $1 AND d.pk = r.pk AND NOT (d.h = ANY($6::int8[]))),
 dstr AS (DELETE FROM %s d USING r WHERE d.tenant_id = $1 AND d.pk = r.pk
	AND (d.h, d.exact) NOT IN (SELECT x.h, x.e FROM unnest($7::int8[], $9::text[]) AS x(h, e))),
 dref AS (DELETE FROM %s d USING r WHERE d.tenant_id = $1 AND d.pk = r.pk
	AND (d.h, d.target_type, d.target_id) NOT IN (SELECT * FROM unnest($10::int8[], $11::text[], $12::text[]))),
 ddate AS (DELETE FROM %s d USING r WHERE d.tenant_id = $1 AND d.pk = r.pk
	AND (d.h, d.lo, d.hi) NOT IN (SELECT * FROM unnest($13::int8[], $14::timestamptz[], $15::timestamptz[]))),
 dnum AS (DELETE FROM %s d USING r WHERE d.tenant_id = $1 AND d.pk = r.pk
	AND (d.h, d.v) NOT IN (SELECT * FROM unnest($16::int8[], $17::float8[])))`,
		n.tok, n.str, n.ref, n.date, n.num)
}

// historyCTE records the version r wrote.
func historyCTE(n names) string {
	return `,
 hist AS (INSERT INTO ` + n.history + ` (tenant_id, id, version_id, last_updated, method, content)
	SELECT $1, $2, r.version_id, $3, $5, r.content FROM r)`
}

func createSQL(n names) string {
	return `WITH r AS (INSERT INTO ` + n.main + ` (tenant_id, id, version_id, last_updated, content)
	VALUES ($1, $2, 1, $3, $4::jsonb) RETURNING pk, version_id, content)` +
		historyCTE(n) + insertIndexCTEs(n) + `
SELECT version_id, true FROM r`
}

// upsertSQL updates the current version or creates the resource (update
// as create) in one statement; the new version number is computed by the
// database, which also writes it into the stored content. A resource that
// was deleted counts as created (201): it did not exist.
func upsertSQL(n names) string {
	return `WITH was AS (SELECT deleted FROM ` + n.main + ` WHERE tenant_id = $1 AND id = $2),
 r AS (INSERT INTO ` + n.main + ` AS cur (tenant_id, id, version_id, last_updated, content)
	VALUES ($1, $2, 1, $3, $4::jsonb)
	ON CONFLICT (tenant_id, id) DO UPDATE SET version_id = cur.version_id + 1,
		last_updated = EXCLUDED.last_updated, deleted = false,
		content = jsonb_set(EXCLUDED.content, '{meta,versionId}', to_jsonb((cur.version_id + 1)::text))
	RETURNING pk, version_id, content, (xmax = 0) AS inserted)` +
		historyCTE(n) + pruneIndexCTEs(n) + insertIndexCTEs(n) + `
SELECT version_id, inserted OR coalesce((SELECT deleted FROM was), false) FROM r`
}

// updateIfMatchSQL updates only when the current version is $18; the
// version check is in the write, so two writers of one version cannot both
// succeed.
func updateIfMatchSQL(n names) string {
	return `WITH r AS (UPDATE ` + n.main + ` SET version_id = version_id + 1, last_updated = $3,
		deleted = false, content = $4::jsonb
	WHERE tenant_id = $1 AND id = $2 AND version_id = $18
	RETURNING pk, version_id, content)` +
		historyCTE(n) + pruneIndexCTEs(n) + insertIndexCTEs(n) + `
SELECT version_id, false FROM r`
}

// deleteSQL records a deletion version and drops the index rows, so the
// resource no longer matches any search. $4 is the expected version, 0 for
// any.
func deleteSQL(n names) string {
	var b strings.Builder
	b.WriteString(`WITH r AS (UPDATE ` + n.main + ` SET version_id = version_id + 1, last_updated = $3,
		deleted = true, content = NULL
	WHERE tenant_id = $1 AND id = $2 AND NOT deleted AND ($4::int8 = 0 OR version_id = $4)
	RETURNING pk, version_id),
 hist AS (INSERT INTO ` + n.history + ` (tenant_id, id, version_id, last_updated, method, deleted)
	SELECT $1, $2, r.version_id, $3, 'DELETE', true FROM r)`)
	for i, t := range []string{n.tok, n.str, n.ref, n.date, n.num} {
		fmt.Fprintf(&b, `,
 d%d AS (DELETE FROM %s d USING r WHERE d.tenant_id = $1 AND d.pk = r.pk)`, i, t)
	}
	b.WriteString(`
SELECT version_id FROM r`)
	return b.String()
}

// systemHistoryBranch selects one type's history rows that come after the
// cursor ($2 last_updated, $3 type, $4 id, $5 version) in the system-wide
// newest-first order (last_updated, type, id, version_id), from $1 on.
func systemHistoryBranch(typ string, n names) string {
	lit := "'" + typ + "' COLLATE \"C\"" // registry names are plain letters
	return `(SELECT ` + lit + ` AS type, id, version_id, last_updated, deleted, method, content FROM ` + n.history + `
	WHERE tenant_id = $1 AND last_updated >= $6 AND last_updated <= $2
	AND (last_updated < $2 OR ` + lit + ` < $3 OR (` + lit + ` = $3 AND (id, version_id) < ($4, $5)))
	ORDER BY last_updated DESC, id DESC, version_id DESC LIMIT $7)`
}
