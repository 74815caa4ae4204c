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
// A create is one statement. An update or a delete is two, sent in the
// same round trip and transaction: the first writes the resource's row and
// its history row, and holds the row lock from then on; the second
// maintains the index rows. The second statement takes its snapshot after
// the first has the lock, so it sees the index rows of every writer that
// committed before, including one the first statement waited for. In one
// statement, the deletion of the old rows would work on a snapshot taken
// before the wait and leave the rows of that writer behind.
//
// Parameters: the row statements take $1 tenant, $2 id, $3 last_updated,
// $4 content, $5 method and, for If-Match, $6 the expected version (delete:
// $4 expected version, 0 for any). The index rows follow the layout of
// indexArgs from $idx on: token hashes; string hash, norm, exact; reference
// hash, target type, target id; date hash, lo, hi; number hash, value.
type statements struct {
	create                                           string // row, history and index rows
	upsert, updateIfMatch, index                     string // row and history; then index
	delete, unindex                                  string // deletion row and history; then index
	read, readForUpdate, vread, history, typeHistory string
	existing                                         string // the ids of a list that the tenant holds
	historyBranch                                    string // this type's part of system history
}

// Where the index arrays start in the create and the index statements.
const (
	createIdx = 6
	indexIdx  = 3
)

func newStatements(t *fhir.ResourceType) *statements {
	n := tableNames(t.Table)
	return &statements{
		create:        createSQL(n),
		upsert:        upsertSQL(n),
		updateIfMatch: updateIfMatchSQL(n),
		index:         indexSQL(n),
		delete:        deleteSQL(n),
		unindex:       unindexSQL(n),
		read: `SELECT version_id, last_updated, deleted, content FROM ` + n.main +
			` WHERE tenant_id = $1 AND id = $2`,
		readForUpdate: `SELECT version_id, last_updated, deleted, content FROM ` + n.main +
			` WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
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
// whose pk the CTE r returns; the arrays start at parameter $p. Rows that
// already exist are kept; a string row takes the new version's normalized
// form, so that an update re-indexes values whose folding has changed
// (Normalize is keyed by exact).
func insertIndexCTEs(n names, p int) string {
	return fmt.Sprintf(`,
 itok AS (INSERT INTO %[1]s (tenant_id, pk, h) SELECT $1, r.pk, x.h FROM r, unnest($%[6]d::int8[]) AS x(h) ON CONFLICT DO NOTHING),
 istr AS (INSERT INTO %[2]s AS s (tenant_id, pk, h, norm, exact) SELECT $1, r.pk, x.h, x.n, x.e
	FROM r, unnest($%[7]d::int8[], $%[8]d::text[], $%[9]d::text[]) AS x(h, n, e)
	ON CONFLICT (tenant_id, pk, h, exact) DO UPDATE SET norm = EXCLUDED.norm WHERE s.norm <> EXCLUDED.norm),
 iref AS (INSERT INTO %[3]s (tenant_id, pk, h, target_type, target_id) SELECT $1, r.pk, x.h, x.t, x.i
	FROM r, unnest($%[10]d::int8[], $%[11]d::text[], $%[12]d::text[]) AS x(h, t, i) ON CONFLICT DO NOTHING),
 idate AS (INSERT INTO %[4]s (tenant_id, pk, h, lo, hi) SELECT $1, r.pk, x.h, x.lo, x.hi
	FROM r, unnest($%[13]d::int8[], $%[14]d::timestamptz[], $%[15]d::timestamptz[]) AS x(h, lo, hi) ON CONFLICT DO NOTHING),
 inum AS (INSERT INTO %[5]s (tenant_id, pk, h, v) SELECT $1, r.pk, x.h, x.v
	FROM r, unnest($%[16]d::int8[], $%[17]d::float8[]) AS x(h, v) ON CONFLICT DO NOTHING)`,
		n.tok, n.str, n.ref, n.date, n.num,
		p, p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8, p+9, p+10, p+11)
}

// pruneIndexCTEs deletes the index rows of the resource r that the new
// version no longer has (its arrays start at $p), so an update touches
// only the rows that changed.
func pruneIndexCTEs(n names, p int) string {
	return fmt.Sprintf(`,
 dtok AS (DELETE FROM %[1]s d USING r WHERE d.tenant_id = $1 AND d.pk = r.pk AND NOT (d.h = ANY($%[6]d::int8[]))),
 dstr AS (DELETE FROM %[2]s d USING r WHERE d.tenant_id = $1 AND d.pk = r.pk
	AND (d.h, d.exact) NOT IN (SELECT x.h, x.e FROM unnest($%[7]d::int8[], $%[9]d::text[]) AS x(h, e))),
 dref AS (DELETE FROM %[3]s d USING r WHERE d.tenant_id = $1 AND d.pk = r.pk
	AND (d.h, d.target_type, d.target_id) NOT IN (SELECT * FROM unnest($%[10]d::int8[], $%[11]d::text[], $%[12]d::text[]))),
 ddate AS (DELETE FROM %[4]s d USING r WHERE d.tenant_id = $1 AND d.pk = r.pk
	AND (d.h, d.lo, d.hi) NOT IN (SELECT * FROM unnest($%[13]d::int8[], $%[14]d::timestamptz[], $%[15]d::timestamptz[]))),
 dnum AS (DELETE FROM %[5]s d USING r WHERE d.tenant_id = $1 AND d.pk = r.pk
	AND (d.h, d.v) NOT IN (SELECT * FROM unnest($%[16]d::int8[], $%[17]d::float8[])))`,
		n.tok, n.str, n.ref, n.date, n.num,
		p, p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8, p+9, p+10, p+11)
}

// historyCTE records the version r wrote.
func historyCTE(n names) string {
	return `,
 hist AS (INSERT INTO ` + n.history + ` (tenant_id, id, version_id, last_updated, method, content)
	SELECT $1, $2, r.version_id, $3, $5, r.content FROM r)`
}

// createSQL stores a new resource with its index rows in one statement: a
// new row has no index rows that another writer could have added.
func createSQL(n names) string {
	return `WITH r AS (INSERT INTO ` + n.main + ` (tenant_id, id, version_id, last_updated, content)
	VALUES ($1, $2, 1, $3, $4::jsonb) RETURNING pk, version_id, content)` +
		historyCTE(n) + insertIndexCTEs(n, createIdx) + `
SELECT version_id, true FROM r`
}

// sameContent is true when the stored row cur holds the content $4 apart
// from meta.versionId and meta.lastUpdated: the write changes nothing, so
// it keeps the current version (a no-op update). The text forms are
// compared, so that a change of a decimal's precision (1.0 to 1.00) is a
// change.
func sameContent(cur string) string {
	strip := func(c string) string { return `(` + c + ` #- '{meta,versionId}' #- '{meta,lastUpdated}')::text` }
	return `(NOT ` + cur + `.deleted AND ` + strip(cur+`.content`) + ` = ` + strip(`$4::jsonb`) + `)`
}

// keepOrBump sets the row's version, time and content for an update: the
// next version with $3 and $4, or, when the content is the same, the
// current ones. The row is rewritten either way, so the index statement
// (which acts on rows this transaction wrote) still runs and brings the
// index rows to today's extraction.
func keepOrBump(cur string) string {
	same := sameContent(cur)
	return `version_id = ` + cur + `.version_id + CASE WHEN ` + same + ` THEN 0 ELSE 1 END,
		last_updated = CASE WHEN ` + same + ` THEN ` + cur + `.last_updated ELSE $3 END,
		deleted = false,
		content = CASE WHEN ` + same + ` THEN ` + cur + `.content
			ELSE jsonb_set($4::jsonb, '{meta,versionId}', to_jsonb((` + cur + `.version_id + 1)::text)) END`
}

// updateHistoryCTE records the version r wrote unless it is the current
// one kept by a no-op update, whose history row exists already; the
// statement returns whether it made a new version.
func updateHistoryCTE(n names) string {
	return `,
 hist AS (INSERT INTO ` + n.history + ` (tenant_id, id, version_id, last_updated, method, content)
	SELECT $1, $2, r.version_id, $3, $5, r.content FROM r ON CONFLICT DO NOTHING RETURNING 1)
SELECT version_id, last_updated, EXISTS (SELECT FROM hist) FROM r`
}

// upsertSQL writes the row of the current version or creates the resource
// (update as create); the new version number is computed by the database,
// which also writes it into the stored content.
func upsertSQL(n names) string {
	return `WITH r AS (INSERT INTO ` + n.main + ` AS cur (tenant_id, id, version_id, last_updated, content)
	VALUES ($1, $2, 1, $3, $4::jsonb)
	ON CONFLICT (tenant_id, id) DO UPDATE SET ` + keepOrBump("cur") + `
	RETURNING version_id, last_updated, content)` + updateHistoryCTE(n)
}

// updateIfMatchSQL writes the row only when the current version is $6; the
// version check is in the write, so two writers of one version cannot both
// succeed.
func updateIfMatchSQL(n names) string {
	return `WITH r AS (UPDATE ` + n.main + ` AS cur SET ` + keepOrBump("cur") + `
	WHERE tenant_id = $1 AND id = $2 AND version_id = $6
	RETURNING version_id, last_updated, content)` + updateHistoryCTE(n)
}

// writtenByThisTx selects the row of $2 if this transaction wrote it: the
// index statements act only on the row their own row statement wrote (an
// If-Match update that matched nothing wrote none).
func writtenByThisTx(n names, extra string) string {
	return `r AS (SELECT pk, version_id FROM ` + n.main + ` WHERE tenant_id = $1 AND id = $2` + extra + `
	AND xmin = pg_current_xact_id_if_assigned()::xid)`
}

// indexSQL brings the index rows of the resource the row statement wrote
// to those of its new version, and returns the version with whether it
// created the resource: the first version, or the first after a deletion
// (a deleted resource does not exist, so writing it again creates it).
func indexSQL(n names) string {
	return `WITH ` + writtenByThisTx(n, "") + pruneIndexCTEs(n, indexIdx) + insertIndexCTEs(n, indexIdx) + `
SELECT r.version_id, r.version_id = 1 OR EXISTS (SELECT FROM ` + n.history + ` h
	WHERE h.tenant_id = $1 AND h.id = $2 AND h.version_id = r.version_id - 1 AND h.deleted) FROM r`
}

// deleteSQL records a deletion version. $4 is the expected version, 0 for
// any.
func deleteSQL(n names) string {
	return `WITH r AS (UPDATE ` + n.main + ` SET version_id = version_id + 1, last_updated = $3,
		deleted = true, content = NULL
	WHERE tenant_id = $1 AND id = $2 AND NOT deleted AND ($4::int8 = 0 OR version_id = $4)
	RETURNING version_id),
 hist AS (INSERT INTO ` + n.history + ` (tenant_id, id, version_id, last_updated, method, deleted)
	SELECT $1, $2, r.version_id, $3, 'DELETE', true FROM r)
SELECT version_id FROM r`
}

// unindexSQL drops the index rows of the resource the deletion statement
// deleted, so it no longer matches any search.
func unindexSQL(n names) string {
	var b strings.Builder
	b.WriteString(`WITH ` + writtenByThisTx(n, " AND deleted"))
	for i, t := range []string{n.tok, n.str, n.ref, n.date, n.num} {
		fmt.Fprintf(&b, `,
 d%d AS (DELETE FROM %s d USING r WHERE d.tenant_id = $1 AND d.pk = r.pk)`, i, t)
	}
	b.WriteString(`
SELECT count(*) FROM r`)
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
