package search

import (
	"strconv"
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
)

// sqlBuilder owns the bind parameters of one statement: compiler code hands
// it every value and gets back a "$n" placeholder, so no value is ever
// formatted into SQL text. It also hands out fresh table aliases, so that
// nested subqueries (chains, _has, index lookups) never shadow each other.
//
// The tenant is always $1: newBuilder binds it first.
type sqlBuilder struct {
	args    []any
	aliases int
}

// tenantArg is the placeholder of the tenant, bound first by newBuilder.
const tenantArg = "$1"

func newBuilder(tenant string) *sqlBuilder {
	b := &sqlBuilder{}
	b.arg(tenant)
	return b
}

// arg binds v and returns its placeholder.
func (b *sqlBuilder) arg(v any) string {
	b.args = append(b.args, v)
	return "$" + strconv.Itoa(len(b.args))
}

// eqAny returns the condition that col is one of vs, bound in b: col = $n
// for one value, col = ANY($n) for several. One value gets the plain
// equality because a generic plan (see Statement.GenericPlan) may apply
// = ANY of a parameter array as a filter instead of an index condition.
func eqAny[T any](b *sqlBuilder, col string, vs []T) string {
	if len(vs) == 1 {
		return col + " = " + b.arg(vs[0])
	}
	return col + " = ANY(" + b.arg(vs) + ")"
}

// alias returns a table alias not used before in the statement: the prefix
// followed by a sequence number ("x1", "t2", ...).
func (b *sqlBuilder) alias(prefix string) string {
	b.aliases++
	return prefix + strconv.Itoa(b.aliases)
}

// typeName returns SQL text for a resource type name taken from the
// registry. Registry names are plain ASCII letters, written as a literal so
// the planner sees the constant; anything else is bound as an argument, so
// a name can never inject SQL even if a caller passed one from a request.
func (b *sqlBuilder) typeName(name string) string {
	if isPlainName(name) {
		return "'" + name + "'"
	}
	return b.arg(name)
}

// isPlainName reports whether s is a non-empty string of ASCII letters and
// digits starting with a letter, as resource type names are.
func isPlainName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// quoteIdent quotes a SQL identifier: it is wrapped in double quotes, and
// embedded double quotes are doubled. Table names come from the registry
// only; quoting them still matters because some are keywords ("group").
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// Suffixes of the per-type tables; see migrations/0001_base.up.sql.
const (
	tabMain = ""
	tabTok  = "_tok"
	tabStr  = "_str"
	tabRef  = "_ref"
	tabDate = "_date"
	tabNum  = "_num"
)

// tableName returns the quoted name of one of the tables of resource type t.
func tableName(t *fhir.ResourceType, suffix string) string {
	return quoteIdent(t.Table + suffix)
}

// sqlAnd joins conditions with AND, dropping empty ones; it returns
// "TRUE" when none is left.
func sqlAnd(conds ...string) string {
	kept := keepNonEmpty(conds)
	if len(kept) == 0 {
		return "TRUE"
	}
	return strings.Join(kept, " AND ")
}

// sqlOr joins conditions with OR, dropping empty ones; it returns "FALSE"
// when none is left. With two or more, the result is parenthesized, and so
// is each alternative that holds an AND, for readability.
func sqlOr(conds ...string) string {
	kept := keepNonEmpty(conds)
	switch len(kept) {
	case 0:
		return "FALSE"
	case 1:
		return kept[0]
	}
	for i, c := range kept {
		if hasTopLevelAnd(c) {
			kept[i] = "(" + c + ")"
		}
	}
	return "(" + strings.Join(kept, " OR ") + ")"
}

// hasTopLevelAnd reports whether the condition s has an AND outside
// parentheses and string literals.
func hasTopLevelAnd(s string) bool {
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case depth == 0 && strings.HasPrefix(s[i:], " AND "):
			return true
		}
	}
	return false
}

func keepNonEmpty(conds []string) []string {
	kept := make([]string, 0, len(conds))
	for _, c := range conds {
		if c != "" {
			kept = append(kept, c)
		}
	}
	return kept
}

// indexExists returns the EXISTS subquery that looks up the index rows of
// the resource row res in the index table with the given suffix; cond
// receives the fresh alias of the index table and returns the condition
// on its rows. The tenant condition comes first, so that it is the
// leading index condition of every lookup.
func (c *compiler) indexExists(t *fhir.ResourceType, suffix, res string, cond func(x string) (string, error)) (string, error) {
	x := c.b.alias("x")
	w, err := cond(x)
	if err != nil {
		return "", err
	}
	return "EXISTS (SELECT 1 FROM " + tableName(t, suffix) + " " + x +
		" WHERE " + sqlAnd(x+".tenant_id = "+tenantArg, x+".pk = "+res+".pk", w) + ")", nil
}
