package search

import (
	"strconv"
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
)

// Compile turns a parsed query into the one statement that returns a page
// of matches and their includes for the tenant, starting after the keyset
// position after (nil for the first page). The statement's shape:
//
//	WITH m AS (
//	  SELECT r.pk, r.id, r.version_id, r.last_updated, r.content, <key> AS s1, ...
//	  FROM <table> r [CROSS JOIN LATERAL (<sort key aggregate>) k1 ...]
//	  WHERE r.tenant_id = $1 AND NOT r.deleted AND <predicates> AND <keyset>
//	  ORDER BY s1 ASC NULLS LAST, ..., r.pk ASC
//	  LIMIT <Count+1>)
//	[, page AS (...first Count rows of m...), i1 AS (...), i2, i3, inc AS (...)]
//	SELECT 'match', '<Type>', id, version_id, last_updated, content, pk, s1, ... [, total]
//	FROM m [UNION ALL the rows of inc] ORDER BY <matches first, in page order>
//
// When the first sort key is a parameter of one hash, not a reference, m
// is instead the first count+1 rows of two CTEs, mk and mn, the resources
// with and without a value of that key, and mk walks the key's index
// rows in page order (see drivenMatches).
//
// Every predicate is a btree comparison (=, <, >, <=, >=, = ANY) on an
// int8, float8, timestamptz or text COLLATE "C" column of an index table,
// looked up with the tenant as the leading index condition, so each stays
// an index condition under row-level security. The one exception is
// :contains (see containsCond).
//
// Keyset contract: the caller reads the sort key columns s1..sn of the last
// match row of the page (the Count-th, not the extra one) as time.Time,
// string, float64 or nil, and its pk, and passes them as After{Keys, PK}
// to get the next page. For the previous page it passes the first match
// row of the current page with Backward set: the statement then walks the
// order backwards, so the match rows come out nearest first (in reverse
// page order, Statement.Reversed) and the caller must reverse them after
// dropping the extra row, which, when present, says that a previous page
// exists. Includes are always those of the page's matches. A cursor value
// of another Go type than its key's is an invalid-value error.
//
// Include rows are capped at Limits.MaxIncludes+1 (DefaultLimits when
// zero): when the statement returns more than MaxIncludes include rows,
// the caller must answer with a too-costly error instead of a truncated
// page.
//
// With TotalAccurate the last column is the count of all matches (keyset
// and limit left out). It rides on the rows, so a page without rows
// carries no total: on the first page that means 0, past the end the
// caller may run CompileCount. TotalEstimate adds no column: the caller
// runs CompileEstimate, which costs a plan instead of a count.
func Compile(q *Query, tenant string, after *After) (Statement, error) {
	c, err := newCompiler(q, tenant)
	if err != nil {
		return Statement{}, err
	}
	filter, err := c.filter()
	if err != nil {
		return Statement{}, err
	}
	keys, err := c.sortCols()
	if err != nil {
		return Statement{}, err
	}
	return c.page(filter, keys, after)
}

// CompileCount returns the statement that counts the matches of q: one row
// with one int8 column. Sorting, paging and includes play no part in it.
func CompileCount(q *Query, tenant string) (Statement, error) {
	c, err := newCompiler(q, tenant)
	if err != nil {
		return Statement{}, err
	}
	filter, err := c.filter()
	if err != nil {
		return Statement{}, err
	}
	return Statement{SQL: c.countSQL(filter), Args: c.b.args, GenericPlan: c.identityDriven()}, nil
}

// CompileEstimate returns the statement that asks the planner how many
// rows match q: EXPLAIN (FORMAT JSON) of the selection of the matches,
// whose top plan node's "Plan Rows" is the estimate. It runs like any
// search statement, under the tenant and its row-level security, with
// the values as bind parameters (planned with them, never generically).
func CompileEstimate(q *Query, tenant string) (Statement, error) {
	c, err := newCompiler(q, tenant)
	if err != nil {
		return Statement{}, err
	}
	filter, err := c.filter()
	if err != nil {
		return Statement{}, err
	}
	sql := "EXPLAIN (FORMAT JSON) SELECT 1 FROM " + tableName(c.q.Type, tabMain) + " r WHERE " + filter
	return Statement{SQL: sql, Args: c.b.args}, nil
}

// compiler holds the state of one compilation.
type compiler struct {
	b *sqlBuilder
	q *Query
}

func newCompiler(q *Query, tenant string) (*compiler, error) {
	if q == nil || q.Type == nil {
		return nil, fhir.Errorf(fhir.KindInternal, fhir.IssueException, "search: compiling a query without a resource type")
	}
	return &compiler{b: newBuilder(tenant), q: q}, nil
}

// filter returns the condition on the rows r of the query's type: the
// tenant, not deleted, every parameter, and the compartment.
func (c *compiler) filter() (string, error) {
	conds := []string{"r.tenant_id = " + tenantArg, "NOT r.deleted"}
	for _, p := range c.q.Params {
		s, err := c.param(p, c.q.Type, "r")
		if err != nil {
			return "", err
		}
		conds = append(conds, s)
	}
	if c.q.Compartment != nil {
		s, err := c.compartment(c.q.Type, "r")
		if err != nil {
			return "", err
		}
		conds = append(conds, s)
	}
	return sqlAnd(conds...), nil
}

// countSQL counts the rows that pass filter.
func (c *compiler) countSQL(filter string) string {
	return "SELECT count(*) FROM " + tableName(c.q.Type, tabMain) + " r WHERE " + filter
}

// page assembles the statement of one page.
func (c *compiler) page(filter string, keys []sortCol, after *After) (Statement, error) {
	backward := after != nil && after.Backward
	count := max(c.q.Count, 0)
	var sb strings.Builder
	if len(keys) > 0 && keys[0].drive != nil {
		ctes, err := c.drivenMatches(filter, keys, after, count)
		if err != nil {
			return Statement{}, err
		}
		sb.WriteString(ctes)
	} else {
		m, err := c.matches(filter, keys, after, count)
		if err != nil {
			return Statement{}, err
		}
		sb.WriteString(m)
	}
	inc := c.includeCTEs(keys, backward, count)
	sb.WriteString(inc)
	total := ""
	if c.q.Total == TotalAccurate {
		total = ", (" + c.countSQL(filter) + ") AS total"
	}
	sb.WriteString("\n" + c.finalSelect(keys, backward, inc != "", total))
	return Statement{SQL: sb.String(), Args: c.b.args, SortKeys: len(keys), HasTotal: total != "", Reversed: backward,
		GenericPlan: c.identityDriven()}, nil
}

// matches returns the CTE m: the first count+1 rows that pass filter,
// after the keyset position after, in page order, with their sort keys.
func (c *compiler) matches(filter string, keys []sortCol, after *After, count int) (string, error) {
	where := filter
	backward := after != nil && after.Backward
	if after != nil {
		ks, err := c.keyset(keys, after)
		if err != nil {
			return "", err
		}
		where = sqlAnd(where, ks)
	}
	var sb strings.Builder
	sb.WriteString("WITH m AS (SELECT r.pk, r.id, r.version_id, r.last_updated, r.content")
	for i, k := range keys {
		sb.WriteString(", " + k.expr + " AS " + sortAlias(i))
	}
	sb.WriteString("\n  FROM " + tableName(c.q.Type, tabMain) + " r")
	for _, k := range keys {
		sb.WriteString(k.join)
	}
	sb.WriteString("\n  WHERE " + where)
	sb.WriteString("\n  ORDER BY " + orderBy(keys, backward, func(i int) string { return keys[i].expr }, "r.pk"))
	sb.WriteString("\n  LIMIT " + c.b.arg(int64(count)+1) + ")")
	return sb.String(), nil
}

// identityDriven reports whether a top-level parameter pins the matches to
// the resources that reference, or are, one given resource (see
// Statement.GenericPlan): a single value, compiled as an equality that any
// plan uses as an index condition. Chains, reverse chains and :missing do
// not pin: how many rows they select depends on the values.
func (c *compiler) identityDriven() bool {
	if c.q.Compartment != nil {
		return true
	}
	for _, p := range c.q.Params {
		if p.Def == nil || p.Chain != nil || p.Has != nil || len(p.Values) != 1 {
			continue
		}
		ref := p.Def.Type == fhir.ParamReference && (p.Modifier == ModNone || p.Modifier == ModType)
		id := p.Def.Code == "_id" && p.Modifier == ModNone
		if ref || id {
			return true
		}
	}
	return false
}

// finalSelect returns the rows of the statement: the matches in page
// order, then (when withIncludes) the include rows, ordered by pk.
func (c *compiler) finalSelect(keys []sortCol, backward, withIncludes bool, total string) string {
	typ := c.b.typeName(c.q.Type.Name)
	cols := func(q string) string {
		s := q + "id, " + q + "version_id, " + q + "last_updated, " + q + "content, " + q + "pk"
		for i := range keys {
			s += ", " + q + sortAlias(i)
		}
		return s
	}
	if !withIncludes {
		return "SELECT 'match' AS mode, " + typ + " AS type, " + cols("m.") + total + " FROM m\nORDER BY " +
			orderBy(keys, backward, func(i int) string { return "m." + sortAlias(i) }, "m.pk")
	}
	nulls := strings.Repeat(", NULL", len(keys))
	return "SELECT u.mode, u.type, " + cols("u.") + total + " FROM (\n" +
		"  SELECT 0 AS g, 'match' AS mode, " + typ + " COLLATE \"C\" AS type, " + cols("m.") + " FROM m\n" +
		"  UNION ALL\n" +
		"  SELECT 1, 'include', i.type, i.id, i.version_id, i.last_updated, i.content, i.pk" + nulls + " FROM inc i\n" +
		") u\nORDER BY u.g, " + orderBy(keys, backward, func(i int) string { return "u." + sortAlias(i) }, "u.pk")
}

// sortAlias is the name of the i-th sort key column.
func sortAlias(i int) string {
	return "s" + strconv.Itoa(i+1)
}

// compileInvalid is the error of a parameter value the compiler cannot
// read; it names the parameter.
func compileInvalid(p *Param, format string, args ...any) error {
	return fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, format, args...).At(paramName(p))
}

// compileUnsupported is the error of a valid search feature the compiler
// does not offer.
func compileUnsupported(p *Param, format string, args ...any) error {
	return fhir.Errorf(fhir.KindInvalid, fhir.IssueNotSupported, format, args...).At(paramName(p))
}

func paramName(p *Param) string {
	switch {
	case p == nil:
		return ""
	case p.Name != "":
		return p.Name
	case p.Def != nil:
		return p.Def.Code
	}
	return ""
}
