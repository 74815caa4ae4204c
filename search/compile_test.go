package search

import (
	"net/url"
	"strings"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
)

// sqlType returns a registry type for a test.
func sqlType(tb testing.TB, name string) *fhir.ResourceType {
	tb.Helper()
	t, ok := fhir.LookupType(name)
	if !ok {
		tb.Fatalf("no type %s", name)
	}
	return t
}

// sqlDef returns a parameter of a registry type for a test.
func sqlDef(tb testing.TB, t *fhir.ResourceType, code string) *fhir.SearchParam {
	tb.Helper()
	d, ok := t.Param(code)
	if !ok {
		tb.Fatalf("%s has no parameter %s", t.Name, code)
	}
	return d
}

// handQuery is a query made by hand, for what Parse does not produce.
func handQuery(tb testing.TB, typ string, params ...*Param) *Query {
	tb.Helper()
	t := sqlType(tb, typ)
	for _, p := range params {
		p.Resource = t
	}
	return &Query{Type: t, Params: params, Count: 10, Limits: DefaultLimits}
}

func TestCompileErrors(t *testing.T) {
	obs := sqlType(t, "Observation")
	code, date := sqlDef(t, obs, "code"), sqlDef(t, obs, "date")
	cases := []struct {
		name  string
		q     *Query
		after *After
		kind  fhir.Kind
	}{
		{"nil query", nil, nil, fhir.KindInternal},
		{"exact on a token", handQuery(t, "Observation", &Param{Name: "code:exact", Def: code, Modifier: ModExact, Values: []Value{{Raw: "x"}}}), nil, fhir.KindInvalid},
		{"empty token", handQuery(t, "Observation", &Param{Name: "code", Def: code, Values: []Value{{Raw: "|", Parts: []string{"", ""}}}}), nil, fhir.KindInvalid},
		{"bad date", handQuery(t, "Observation", &Param{Name: "date", Def: date, Values: []Value{{Raw: "2020-13"}}}), nil, fhir.KindInvalid},
		{"bad missing", handQuery(t, "Observation", &Param{Name: "date:missing", Def: date, Modifier: ModMissing, Values: []Value{{Raw: "maybe"}}}), nil, fhir.KindInvalid},
		{"no value", handQuery(t, "Observation", &Param{Name: "code", Def: code}), nil, fhir.KindInvalid},
		{"cursor too long", handQuery(t, "Observation"), &After{Keys: []any{"x"}, PK: 1}, fhir.KindInvalid},
		{"cursor type", &Query{Type: obs, Count: 10, Sort: []SortKey{{Def: date}}}, &After{Keys: []any{"x"}, PK: 1}, fhir.KindInvalid},
		{"cursor null id", &Query{Type: obs, Count: 10, Sort: []SortKey{{Def: sqlDef(t, obs, "_id")}}}, &After{Keys: []any{nil}, PK: 1}, fhir.KindInvalid},
		{"no compartment", &Query{Type: obs, Count: 10, Compartment: &Compartment{Type: "Observation", ID: "1"}}, nil, fhir.KindInvalid},
	}
	for _, c := range cases {
		_, err := Compile(c.q, sqlTenant, c.after)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if k := fhir.KindOf(err); k != c.kind {
			t.Errorf("%s: kind %v, want %v (%v)", c.name, k, c.kind, err)
		}
	}
}

// Errors about a parameter name it.
func TestCompileErrorNamesParameter(t *testing.T) {
	obs := sqlType(t, "Observation")
	q := handQuery(t, "Observation", &Param{Name: "date", Def: sqlDef(t, obs, "date"), Values: []Value{{Raw: "x"}}})
	_, err := Compile(q, sqlTenant, nil)
	fe, ok := fhir.AsError(err)
	if !ok || len(fe.Issues) == 0 || len(fe.Issues[0].Expression) == 0 || fe.Issues[0].Expression[0] != "date" {
		t.Errorf("error %v does not name the parameter", err)
	}
}

// Edge cases of values: each statement must still bind exactly the
// arguments it uses.
func TestCompileEdgeCases(t *testing.T) {
	pat, obs := sqlType(t, "Patient"), sqlType(t, "Observation")
	name, subject := sqlDef(t, pat, "name"), sqlDef(t, obs, "subject")
	cases := []struct {
		name string
		q    *Query
		want []string // fragments the SQL must hold
		not  []string // fragments it must not hold
	}{
		{"blank string matches any value", handQuery(t, "Patient", &Param{Name: "name", Def: name, Values: []Value{{Raw: "abc"}, {Raw: "  "}}}),
			[]string{"x1.h = $2)"}, []string{"norm >="}},
		{"blank contains matches any value", handQuery(t, "Patient", &Param{Name: "name:contains", Def: name, Modifier: ModContains, Values: []Value{{Raw: " "}, {Raw: "abc"}}}),
			[]string{"x1.h = $2)"}, []string{"strpos"}},
		{"reference of another type under :Type matches nothing", handQuery(t, "Observation",
			&Param{Name: "subject:Patient", Def: subject, Modifier: ModType, TargetType: "Patient", Values: []Value{{Raw: "Group/1", Parts: []string{"Group", "1"}}}}),
			[]string{"x1.h = $2 AND FALSE"}, nil},
		{"bare id under :Type", handQuery(t, "Observation",
			&Param{Name: "subject:Patient", Def: subject, Modifier: ModType, TargetType: "Patient", Values: []Value{{Raw: "1"}}}),
			[]string{"x1.target_id = $3 AND x1.target_type = 'Patient'"}, nil},
		{"estimate is not counted", &Query{Type: pat, Count: 10, Total: TotalEstimate}, nil, []string{"count(", "AS total"}},
		{"no total without _total", &Query{Type: pat, Count: 10}, nil, []string{"count("}},
		{"missing on _id", handQuery(t, "Patient", &Param{Name: "_id:missing", Def: sqlDef(t, pat, "_id"), Modifier: ModMissing, Values: []Value{{Raw: "true"}}}),
			[]string{"NOT r.deleted AND FALSE"}, nil},
		{"missing both ways", handQuery(t, "Patient", &Param{Name: "name:missing", Def: name, Modifier: ModMissing, Values: []Value{{Raw: "true"}, {Raw: "false"}}}),
			[]string{"NOT r.deleted AND TRUE"}, []string{"EXISTS"}},
		{"include cap defaults", &Query{Type: obs, Count: 10, Includes: []Include{{Source: obs, Param: subject, Target: "Patient"}}}, []string{"LIMIT $"}, nil},
		{"iterate from another type only", &Query{Type: obs, Count: 10, Includes: []Include{{Source: pat, Param: sqlDef(t, pat, "organization"), Iterate: true}}}, nil, []string{"page AS"}},
	}
	for _, c := range cases {
		st, err := Compile(c.q, sqlTenant, nil)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		checkStatement(t, st)
		for _, f := range c.want {
			if !strings.Contains(st.SQL, f) {
				t.Errorf("%s: SQL lacks %q:\n%s", c.name, f, st.SQL)
			}
		}
		for _, f := range c.not {
			if strings.Contains(st.SQL, f) {
				t.Errorf("%s: SQL holds %q:\n%s", c.name, f, st.SQL)
			}
		}
	}
}

// The include cap is MaxIncludes+1, DefaultLimits' when unset.
func TestIncludeCap(t *testing.T) {
	obs := sqlType(t, "Observation")
	q := &Query{Type: obs, Count: 10, Includes: []Include{{Source: obs, Param: sqlDef(t, obs, "subject"), Target: "Patient"}}}
	st, _ := Compile(q, sqlTenant, nil)
	if !containsArg(st.Args, int64(DefaultLimits.MaxIncludes+1)) {
		t.Errorf("default cap not bound: %v", st.Args)
	}
	q.Limits.MaxIncludes = 7
	st, _ = Compile(q, sqlTenant, nil)
	if !containsArg(st.Args, int64(8)) {
		t.Errorf("cap 7+1 not bound: %v", st.Args)
	}
}

func containsArg(args []any, v any) bool {
	for _, a := range args {
		if a == v {
			return true
		}
	}
	return false
}

// quoteIdent doubles embedded quotes; keywords are safe quoted.
func TestQuoteIdent(t *testing.T) {
	for in, want := range map[string]string{"group": `"group"`, `a"b`: `"a""b"`, "": `""`} {
		if got := quoteIdent(in); got != want {
			t.Errorf("quoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
	b := newBuilder("t")
	if got := b.typeName("Patient"); got != "'Patient'" {
		t.Errorf("typeName(Patient) = %s", got)
	}
	if got := b.typeName("x'; DROP"); got != "$2" {
		t.Errorf("typeName of an odd name = %s, want a bound argument", got)
	}
}

func TestSQLOr(t *testing.T) {
	cases := []struct {
		in   []string
		want string
	}{
		{nil, "FALSE"},
		{[]string{"", "a"}, "a"},
		{[]string{"a AND b", "c"}, "((a AND b) OR c)"},
		{[]string{"EXISTS (x AND y)", "(p AND q)", "'A AND B' = t"}, "(EXISTS (x AND y) OR (p AND q) OR 'A AND B' = t)"},
	}
	for _, c := range cases {
		if got := sqlOr(c.in...); got != c.want {
			t.Errorf("sqlOr(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestGenericPlanOnlyWhenIdentityDriven(t *testing.T) {
	for _, tc := range []struct {
		typ, query string
		want       bool
	}{
		{"Observation", "subject=Patient/p1&code=http://loinc.org|8867-4&_sort=-date", true},
		{"Encounter", "subject=Patient/p1&_sort=-date&_count=10&_include=Encounter:subject", true},
		{"Observation", "patient:Patient=p1", true},
		{"Patient", "_id=a", true},
		{"Patient", "_id=a,b", false},
		{"Observation", "code=http://loinc.org|8867-4", false},
		{"Observation", "date=gt2025-01-01", false},
		{"Patient", "name=smith", false},
		{"Observation", "subject:missing=true", false},
		{"Observation", "subject.name=smith", false},
		{"Patient", "_has:Observation:subject:code=x", false},
		{"Observation", "subject=Patient/a,Patient/b", false},
		{"Patient", "_id:not=a", false},
	} {
		q := mustParse(t, tc.typ, tc.query)
		st, err := Compile(q, "t1", nil)
		if err != nil {
			t.Fatalf("%s?%s: %v", tc.typ, tc.query, err)
		}
		if st.GenericPlan != tc.want {
			t.Errorf("%s?%s: GenericPlan %v, want %v", tc.typ, tc.query, st.GenericPlan, tc.want)
		}
		if cst, _ := CompileCount(q, "t1"); cst.GenericPlan != tc.want {
			t.Errorf("%s?%s: count GenericPlan %v, want %v", tc.typ, tc.query, cst.GenericPlan, tc.want)
		}
	}
}

// The estimate statement asks the planner about the same selection, with
// the same bind parameters: no value is spliced into its text.
func TestCompileEstimate(t *testing.T) {
	pat, _ := fhir.LookupType("Patient")
	params := url.Values{"name": {"O'Brien; DROP TABLE patient"}, "birthdate": {"ge1980"}, "_total": {"estimate"}}
	q, err := Parse(pat, params, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	st, err := CompileEstimate(q, sqlTenant)
	if err != nil {
		t.Fatal(err)
	}
	checkStatement(t, st)
	if !strings.HasPrefix(st.SQL, "EXPLAIN (FORMAT JSON) SELECT 1 FROM ") || strings.Contains(st.SQL, "brien") || st.GenericPlan {
		t.Errorf("estimate statement:\n%s", st.SQL)
	}
	if len(st.Args) < 3 {
		t.Errorf("estimate statement binds %d arguments, want the tenant and both values", len(st.Args))
	}
}
