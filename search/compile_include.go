package search

import (
	"slices"
	"strconv"
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/index"
)

// iterateDepth is how many levels of includes a query computes: the first
// from the page's matches, the next ones (only :iterate includes) each
// from the rows the previous level added.
const iterateDepth = 3

// includeCols are the columns of every include CTE.
const includeCols = "type, id, version_id, last_updated, content, pk"

// includeCTEs returns the CTEs that compute the include rows, to follow
// the m CTE, or "" when the query has no include that can yield a row:
//
//	page AS (the first Count rows of m: pk, id, type)
//	i1   AS (each include applied to page)
//	i2   AS (each :iterate include applied to i1), i3 likewise from i2
//	inc  AS (SELECT DISTINCT ON (pk) ... FROM i1, i2, i3 ORDER BY pk LIMIT cap)
//
// Rows that are matches of the page are left out of every level, and inc
// keeps one row per resource (pk is unique across types: one sequence
// feeds every table). Every branch and inc are limited to cap =
// MaxIncludes+1 rows: a branch's rows are distinct resources that are not
// matches, so a branch reaching cap, or inc holding cap rows, means that
// more than MaxIncludes resources are included, which the caller turns
// into a too-costly error.
func (c *compiler) includeCTEs(keys []sortCol, backward bool, count int) string {
	if len(c.q.Includes) == 0 || count == 0 {
		return ""
	}
	levels, capArg := c.includeLevels()
	if len(levels) == 0 {
		return ""
	}
	var sb strings.Builder
	sb.WriteString(",\npage AS (SELECT m.pk, m.id, " + c.b.typeName(c.q.Type.Name) + " COLLATE \"C\" AS type FROM m ORDER BY " +
		orderBy(keys, backward, func(i int) string { return "m." + sortAlias(i) }, "m.pk") + " LIMIT " + c.b.arg(int64(count)) + ")")
	unions := make([]string, len(levels))
	for i, l := range levels {
		name := "i" + strconv.Itoa(i+1)
		sb.WriteString(",\n" + name + " AS (\n    " + l + ")")
		unions[i] = "SELECT * FROM " + name
	}
	sb.WriteString(",\ninc AS (SELECT DISTINCT ON (a.pk) a.type, a.id, a.version_id, a.last_updated, a.content, a.pk FROM (" +
		strings.Join(unions, " UNION ALL ") + ") a ORDER BY a.pk LIMIT " + capArg + ")")
	return sb.String()
}

// includeLevels returns the UNION ALL of the branches of each level that
// has any, and the placeholder of the cap (bound only when some branch
// uses it, so that no argument goes unused).
func (c *compiler) includeLevels() ([]string, string) {
	limit := c.q.Limits.MaxIncludes
	if limit <= 0 {
		limit = DefaultLimits.MaxIncludes
	}
	var capArg string
	capLimit := func() string {
		if capArg == "" {
			capArg = c.b.arg(int64(limit) + 1)
		}
		return capArg
	}
	var levels []string
	src, first := "page", true
	for range iterateDepth {
		var branches []string
		for _, inc := range c.q.Includes {
			if first || inc.Iterate {
				branches = append(branches, c.includeBranches(inc, src, first, capLimit)...)
			}
		}
		if len(branches) == 0 {
			break
		}
		levels = append(levels, strings.Join(branches, "\n    UNION ALL\n    "))
		src, first = "i"+strconv.Itoa(len(levels)), false
	}
	return levels, capArg
}

// includeBranches returns the SELECTs that apply inc to the rows of the
// CTE src (of the query's type only when first).
func (c *compiler) includeBranches(inc Include, src string, first bool, capArg func() string) []string {
	if inc.Source == nil {
		return nil
	}
	if inc.Rev {
		if b := c.revIncludeBranch(inc, src, first, capArg); b != "" {
			return []string{b}
		}
		return nil
	}
	if first && inc.Source != c.q.Type {
		return nil // the page holds only the query's type
	}
	targets := includeTargets(inc)
	if len(targets) > maxStaticTargets {
		return []string{c.wideIncludeBranch(inc, targets, src, capArg)}
	}
	var out []string
	for _, tt := range targets {
		out = append(out, c.includeBranch(inc, tt, src, capArg))
	}
	return out
}

// maxStaticTargets is the most target types an _include is compiled to
// one branch each for. Beyond it (Provenance:target, Observation:* reach
// all 145 types) the statement would take 100-400 ms to plan, so the
// include becomes one branch calling fhir_include_rows per target type
// the page's references name (wideIncludeBranch).
const maxStaticTargets = 12

// wideIncludeBranch selects the resources that the include's parameters
// of the src rows point at, among targets, through fhir_include_rows
// (migrations/0014_include_rows.up.sql): the reference rows of the src
// rows are grouped by target type, and the function reads each type's
// table by primary key. Only registry names reach the function: the
// target types are compared with a bound array of them.
func (c *compiler) wideIncludeBranch(inc Include, targets []*fhir.ResourceType, src string, capArg func() string) string {
	var hashes []int64
	for _, p := range includeParams(inc) {
		hashes = append(hashes, index.ParamHash(p.Code))
	}
	names := make([]string, len(targets))
	for i, t := range targets {
		names[i] = t.Name
	}
	x, l, g, f := c.b.alias("x"), c.b.alias("l"), c.b.alias("g"), c.b.alias("f")
	refs := "SELECT " + x + ".target_type, array_agg(DISTINCT " + x + ".target_id) AS ids FROM " + tableName(inc.Source, tabRef) + " " + x +
		" WHERE " + sqlAnd(x+".tenant_id = "+tenantArg, x+".h = ANY("+c.b.arg(hashes)+")", x+".target_type = ANY("+c.b.arg(names)+")",
		x+".pk IN (SELECT "+l+".pk FROM "+src+" "+l+" WHERE "+l+".type = "+c.b.typeName(inc.Source.Name)+")") +
		" GROUP BY " + x + ".target_type"
	return "(SELECT " + f + ".type COLLATE \"C\", " + qualify(f, includeCols) +
		" FROM (" + refs + ") " + g + ", LATERAL fhir_include_rows(" + g + ".target_type, " + g + ".ids, " + tenantArg + ") " + f +
		" WHERE " + f + ".pk NOT IN (SELECT pk FROM page) LIMIT " + capArg() + ")"
}

// includeParams returns the reference parameters of an include: its own,
// or for "*" every reference parameter of its source.
func includeParams(inc Include) []*fhir.SearchParam {
	if inc.Param != nil {
		return []*fhir.SearchParam{inc.Param}
	}
	var out []*fhir.SearchParam
	for i := range inc.Source.Params {
		if p := &inc.Source.Params[i]; p.Type == fhir.ParamReference && p.Expression != "" {
			out = append(out, p)
		}
	}
	return out
}

// pointsAt reports whether the reference parameter p may point at the
// named type.
func pointsAt(p *fhir.SearchParam, name string) bool {
	return len(p.Targets) == 0 || slices.Contains(p.Targets, name) || slices.Contains(p.Targets, "Resource")
}

// includeTargets returns the stored types an _include may reach: Target
// when set, otherwise every stored type one of its parameters points at,
// in registry order.
func includeTargets(inc Include) []*fhir.ResourceType {
	var out []*fhir.ResourceType
	params := includeParams(inc)
	for _, t := range fhir.Types() {
		if inc.Target != "" && t.Name != inc.Target {
			continue
		}
		if slices.ContainsFunc(params, func(p *fhir.SearchParam) bool { return pointsAt(p, t.Name) }) {
			out = append(out, t)
		}
	}
	return out
}

// includeBranch selects the resources of type tt that the include's
// parameters of the src rows of its source type point at.
func (c *compiler) includeBranch(inc Include, tt *fhir.ResourceType, src string, capArg func() string) string {
	var hashes []int64
	for _, p := range includeParams(inc) {
		if pointsAt(p, tt.Name) {
			hashes = append(hashes, index.ParamHash(p.Code))
		}
	}
	t, x, l := c.b.alias("t"), c.b.alias("x"), c.b.alias("l")
	return "(SELECT " + c.b.typeName(tt.Name) + " COLLATE \"C\" AS type, " + qualify(t, includeCols) +
		" FROM " + tableName(tt, tabMain) + " " + t +
		" WHERE " + sqlAnd(t+".tenant_id = "+tenantArg, "NOT "+t+".deleted", t+".pk NOT IN (SELECT pk FROM page)",
		t+".id IN (SELECT "+x+".target_id FROM "+tableName(inc.Source, tabRef)+" "+x+" WHERE "+
			sqlAnd(x+".tenant_id = "+tenantArg, x+".h = ANY("+c.b.arg(hashes)+")", x+".target_type = "+c.b.typeName(tt.Name),
				x+".pk IN (SELECT "+l+".pk FROM "+src+" "+l+" WHERE "+l+".type = "+c.b.typeName(inc.Source.Name)+")")+")") +
		" LIMIT " + capArg() + ")"
}

// revIncludeBranch selects the resources of the include's source type
// whose parameters point at the src rows (of Target only, when set).
func (c *compiler) revIncludeBranch(inc Include, src string, first bool, capArg func() string) string {
	if first && inc.Target != "" && inc.Target != c.q.Type.Name {
		return ""
	}
	var hashes []int64
	for _, p := range includeParams(inc) {
		if !first || pointsAt(p, c.q.Type.Name) {
			hashes = append(hashes, index.ParamHash(p.Code))
		}
	}
	if len(hashes) == 0 {
		return ""
	}
	s, x, l := c.b.alias("s"), c.b.alias("x"), c.b.alias("l")
	lsrc := src + " " + l
	if inc.Target != "" && !first {
		lsrc = "(SELECT * FROM " + src + " WHERE type = " + c.b.typeName(inc.Target) + ") " + l
	}
	return "(SELECT " + c.b.typeName(inc.Source.Name) + " COLLATE \"C\" AS type, " + qualify(s, includeCols) +
		" FROM " + tableName(inc.Source, tabMain) + " " + s +
		" WHERE " + sqlAnd(s+".tenant_id = "+tenantArg, "NOT "+s+".deleted", s+".pk NOT IN (SELECT pk FROM page)",
		s+".pk IN (SELECT "+x+".pk FROM "+lsrc+" JOIN "+tableName(inc.Source, tabRef)+" "+x+" ON "+
			sqlAnd(x+".tenant_id = "+tenantArg, x+".h = ANY("+c.b.arg(hashes)+")",
				x+".target_type = "+l+".type", x+".target_id = "+l+".id")+")") +
		" LIMIT " + capArg() + ")"
}

// qualify prefixes each column of cols but the first (type) with alias.
func qualify(alias, cols string) string {
	names := strings.Split(cols, ", ")[1:]
	for i, n := range names {
		names[i] = alias + "." + n
	}
	return strings.Join(names, ", ")
}
