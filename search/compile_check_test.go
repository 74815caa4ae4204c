package search

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// forbidden are SQL operators that no index can answer under row-level
// security (they are not leakproof) or that read JSON: a compiled
// statement must not contain them.
var forbidden = []string{"LIKE", "@>", "<@", "&&", "->", "->>", "?|", "?&", "~"}

var placeholder = regexp.MustCompile(`\$(\d+)`)

// checkStatement fails when st uses a forbidden operator, a function other
// than the aggregates, count and :contains' strpos, or binds an argument
// it never uses (PostgreSQL cannot type an unused parameter) or uses one
// it does not bind.
func checkStatement(t *testing.T, st Statement) {
	t.Helper()
	upper := strings.ToUpper(st.SQL)
	for _, op := range forbidden {
		if strings.Contains(upper, op) {
			t.Errorf("statement contains %q:\n%s", op, st.SQL)
		}
	}
	used := map[int]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(st.SQL, -1) {
		n, _ := strconv.Atoi(m[1])
		used[n] = true
		if n < 1 || n > len(st.Args) {
			t.Errorf("statement uses $%d but binds %d arguments", n, len(st.Args))
		}
	}
	for i := range st.Args {
		if !used[i+1] {
			t.Errorf("argument $%d is bound but not used:\n%s", i+1, st.SQL)
		}
	}
	if !strings.HasPrefix(st.SQL, "SELECT count(*)") && !strings.Contains(st.SQL, "r.tenant_id = $1") {
		t.Errorf("statement does not filter on the tenant:\n%s", st.SQL)
	}
}

// functionCall finds identifiers followed by '(' in SQL text.
var functionCall = regexp.MustCompile(`\b([a-z_]+)\(`)

// allowedFunctions are the functions a statement may call; none of them
// is applied to an indexed column in a WHERE clause except strpos, the
// documented cost of :contains. array_agg and fhir_include_rows read the
// included resources of a parameter that may point at any type, in the
// select list and the FROM clause (wideIncludeBranch).
var allowedFunctions = map[string]bool{"min": true, "max": true, "count": true, "strpos": true, "ANY": true,
	"array_agg": true, "fhir_include_rows": true}

func TestStatementsCallNoOtherFunction(t *testing.T) {
	for _, c := range sqlCases {
		st := compileCase(t, c)
		for _, m := range functionCall.FindAllStringSubmatch(st.SQL, -1) {
			if !allowedFunctions[m[1]] {
				t.Errorf("%s: calls %s()", c.name, m[1])
			}
		}
		if strings.Contains(st.SQL, "strpos(") && !strings.Contains(c.query, ":contains") {
			t.Errorf("%s: strpos outside :contains", c.name)
		}
	}
}

// TestNoIODependencies keeps the compiler pure: package search must not
// depend on the database driver, the web framework or net/http.
func TestNoIODependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []string{"github.com/jackc/pgx", "github.com/gin-gonic/gin", "net/http"} {
			if dep == bad || strings.HasPrefix(dep, bad+"/") {
				t.Errorf("package search depends on %s", dep)
			}
		}
	}
}

// TestWritePSQLScript writes, when SEARCH_SQL_SCRIPT names a file, a psql
// script that PREPAREs and EXECUTEs every golden statement with its
// arguments, to check against a migrated database that each one parses,
// types and runs:
//
//	SEARCH_SQL_SCRIPT=/tmp/search.sql go test ./search -run TestWritePSQLScript
//	psql -v ON_ERROR_STOP=1 -d <scratch database> -f /tmp/search.sql
//
// The package itself never talks to a database.
func TestWritePSQLScript(t *testing.T) {
	path := os.Getenv("SEARCH_SQL_SCRIPT")
	if path == "" {
		t.Skip("SEARCH_SQL_SCRIPT is not set")
	}
	var b strings.Builder
	for _, c := range sqlCases {
		st := compileCase(t, c)
		lits := make([]string, len(st.Args))
		for i, a := range st.Args {
			lits[i] = sqlLiteral(t, a)
		}
		fmt.Fprintf(&b, "\\echo %s\nPREPARE %s AS %s;\nEXECUTE %s(%s);\nDEALLOCATE %s;\n\n",
			c.name, "q_"+c.name, st.SQL, "q_"+c.name, strings.Join(lits, ", "), "q_"+c.name)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sqlLiteral renders an argument as a SQL literal, for the script only.
func sqlLiteral(t *testing.T, a any) string {
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	switch v := a.(type) {
	case string:
		return quote(v)
	case int64:
		return fmt.Sprint(v)
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return quote(fmt.Sprint(v))
		}
		return fmt.Sprint(v)
	case time.Time:
		return quote(v.UTC().Format(time.RFC3339Nano))
	case []int64:
		s := make([]string, len(v))
		for i, n := range v {
			s[i] = fmt.Sprint(n)
		}
		return "ARRAY[" + strings.Join(s, ",") + "]::int8[]"
	case []string:
		s := make([]string, len(v))
		for i, x := range v {
			s[i] = quote(x)
		}
		return "ARRAY[" + strings.Join(s, ",") + "]::text[]"
	}
	t.Fatalf("no literal for %T", a)
	return ""
}
