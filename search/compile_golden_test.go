package search

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fhirbase-go/fhird/fhir"
)

// The SQL golden files live in testdata/sql/<name>.sql, one per case of
// sqlCases: the request, the statement and its arguments. Run
// "go test ./search -run TestSQLGolden -update" to rewrite them after a
// deliberate change, and read the diff.
var update = flag.Bool("update", false, "rewrite the SQL golden files")

// sqlNow is the Now of every compile case (the reference time of "ap").
var sqlNow = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// sqlTenant is the tenant every case compiles for.
const sqlTenant = "tenant-a"

// sqlCase is one compiled request.
type sqlCase struct {
	name  string
	typ   string
	query string // URL-encoded, as in a request
	after *After
	count bool // CompileCount instead of Compile
	// edit, when set, changes the parsed query (for what the parser
	// cannot express, e.g. a compartment).
	edit func(*Query)
}

var cursorTime = time.Date(2023, 1, 2, 3, 4, 5, 600000000, time.UTC)

var sqlCases = []sqlCase{
	// Pages, sorting, keysets, totals.
	{name: "default", typ: "Patient", query: ""},
	{name: "default_after", typ: "Patient", query: "", after: &After{PK: 42}},
	{name: "default_before", typ: "Patient", query: "", after: &After{PK: 42, Backward: true}},
	{name: "sort_lastupdated_desc", typ: "Observation", query: "_sort=-_lastUpdated", after: &After{Keys: []any{cursorTime}, PK: 7}},
	{name: "sort_multi", typ: "Observation", query: "_sort=-date,code,_id"},
	{name: "sort_multi_after", typ: "Observation", query: "_sort=-date,code,_id", after: &After{Keys: []any{cursorTime, "abc", "o1"}, PK: 9}},
	{name: "sort_multi_after_null", typ: "Observation", query: "_sort=-date,code,_id", after: &After{Keys: []any{nil, "abc", "o1"}, PK: 9}},
	{name: "sort_multi_before", typ: "Observation", query: "_sort=-date,code,_id", after: &After{Keys: []any{cursorTime, nil, "o1"}, PK: 9, Backward: true}},
	{name: "sort_types", typ: "Observation", query: "_sort=value-quantity,subject,-_source"},
	{name: "sort_string_number", typ: "Patient", query: "_sort=family,-birthdate&_count=5"},
	{name: "sort_driven", typ: "Observation", query: "value-quantity=gt43&_sort=date"},
	// A page pinned to one patient sorts its few matches by an aggregate:
	// walking the date rows would cost it twice as much (the bench's
	// obs-search, 968 against 637 requests/s at one client).
	{name: "sort_pinned", typ: "Observation", query: "subject=Patient/p1&code=http://loinc.org|2160-0&date=ge2015&_sort=-date&_count=50"},
	{name: "sort_driven_after", typ: "Observation", query: "value-quantity=gt43&_sort=date", after: &After{Keys: []any{cursorTime}, PK: 5}},
	{name: "sort_driven_after_null", typ: "Observation", query: "value-quantity=gt43&_sort=date", after: &After{Keys: []any{nil}, PK: 5}},
	{name: "sort_driven_before_null", typ: "Observation", query: "_sort=-date", after: &After{Keys: []any{nil}, PK: 5, Backward: true}},
	{name: "sort_union", typ: "Observation", query: "_sort=combo-code"},
	{name: "total", typ: "Patient", query: "name=smith&_total=accurate"},
	{name: "count", typ: "Patient", query: "name=smith&gender=female", count: true},
	{name: "count_zero", typ: "Patient", query: "_count=0&_include=Patient:organization"},
	// Tokens.
	{name: "token_forms", typ: "Observation", query: "code=1234-5,http://loinc.org|1234-5,|x,http://loinc.org|"},
	{name: "token_and", typ: "Observation", query: "code=a&code=b"},
	{name: "token_not", typ: "Patient", query: "gender:not=male"},
	{name: "token_text", typ: "Observation", query: "code:text=Blood Pressure"},
	{name: "token_of_type", typ: "Patient", query: "identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|123"},
	{name: "token_missing", typ: "Patient", query: "gender:missing=true&birthdate:missing=false"},
	{name: "id", typ: "Patient", query: "_id=a,b"},
	{name: "id_not", typ: "Patient", query: "_id:not=a"},
	// Strings and uris.
	{name: "string", typ: "Patient", query: "name=Müller,jo"},
	{name: "string_exact", typ: "Patient", query: "family:exact=Müller"},
	{name: "string_contains", typ: "Patient", query: "name:contains=ann"},
	{name: "uri", typ: "Observation", query: "_profile=http://example.org/fhir/StructureDefinition/bp"},
	{name: "uri_below", typ: "Observation", query: "_source:below=http://example.org/fhir/"},
	{name: "uri_above", typ: "Observation", query: "_profile:above=http://example.org/fhir/StructureDefinition/bp"},
	// References.
	{name: "reference", typ: "Observation", query: "subject=Patient/1,2,Group/3,Patient/4"},
	{name: "reference_type", typ: "Observation", query: "subject:Patient=1,2"},
	{name: "reference_absolute", typ: "Observation", query: "subject=http://other.org/fhir/Patient/9,http://fhir.test/fhir/Patient/8"},
	{name: "reference_identifier", typ: "Observation", query: "subject:identifier=http://acme.org/mrn|123"},
	{name: "chain", typ: "Observation", query: "subject:Patient.name=smith"},
	{name: "chain_any_target", typ: "Observation", query: "subject.name=smith"},
	{name: "chain_two_links", typ: "Observation", query: "subject:Patient.organization.name=acme"},
	{name: "has", typ: "Patient", query: "_has:Observation:subject:code=1234-5"},
	{name: "has_total", typ: "Patient", query: "_has:Observation:subject:code=2093-3&_total=accurate"},
	{name: "has_nested", typ: "Patient", query: "_has:Observation:subject:_has:Observation:has-member:status=final"},
	{name: "compartment", typ: "Observation", query: "code=x", edit: inCompartment},
	{name: "compartment_patient", typ: "Patient", query: "", edit: inCompartment},
	{name: "compartment_none", typ: "Organization", query: "", edit: inCompartment},
	// Dates.
	{name: "date_prefixes", typ: "Observation", query: "date=2020&date=ne2020-02&date=gt2020-02-03&date=lt2020-02-03T10:00&date=ge2021&date=le2021&date=sa2019&date=eb2022&date=ap2020-06-15"},
	{name: "date_or", typ: "Observation", query: "date=2020,2022-03"},
	{name: "last_updated", typ: "Patient", query: "_lastUpdated=ge2024-01-01&_lastUpdated=lt2024-02&_lastUpdated=eq2024-01-15"},
	{name: "last_updated_prefixes", typ: "Patient", query: "_lastUpdated=ne2024&_lastUpdated=gt2024&_lastUpdated=le2024&_lastUpdated=sa2024&_lastUpdated=eb2024&_lastUpdated=ap2024"},
	// Numbers and quantities.
	{name: "number", typ: "Group", query: "", edit: numberParams},
	{name: "quantity", typ: "Observation", query: "value-quantity=5.4|http://unitsofmeasure.org|mg,lt5.4||mg,ap5.4"},
	// Composites.
	{name: "composite_quantity", typ: "Observation", query: "code-value-quantity=http://loinc.org|8480-6$gt140|http://unitsofmeasure.org|mm[Hg]"},
	{name: "composite_token", typ: "Observation", query: "code-value-concept=1234-5$http://snomed.info/sct|123,x$y"},
	{name: "composite_date", typ: "Observation", query: "code-value-date=1234-5$ge2020"},
	{name: "composite_string", typ: "Observation", query: "code-value-string=1234-5$Pos"},
	{name: "composite_component_quantity", typ: "Observation", query: "component-code-value-quantity=http://loinc.org|8480-6$gt140|http://unitsofmeasure.org|mm[Hg]"},
	{name: "composite_group_token", typ: "Group", query: "characteristic-value=http://snomed.info/sct|263495000$true,x$y"},
	{name: "union_token", typ: "Observation", query: "combo-code=http://loinc.org|8480-6,1234-5"},
	{name: "union_token_not", typ: "Observation", query: "combo-code:not=1234-5"},
	{name: "union_quantity", typ: "Observation", query: "combo-value-quantity=gt140|http://unitsofmeasure.org|mm[Hg]"},
	{name: "union_composite", typ: "Observation", query: "combo-code-value-quantity=8480-6$gt140"},
	{name: "union_missing", typ: "Observation", query: "combo-code-value-quantity:missing=true&combo-code:missing=false"},
	{name: "union_text_sort", typ: "Observation", query: "combo-code:text=systolic&_sort=combo-code"},
	// Includes.
	{name: "include", typ: "Observation", query: "_include=Observation:subject"},
	{name: "include_target", typ: "Observation", query: "_include=Observation:subject:Patient&_sort=date"},
	{name: "include_star", typ: "Encounter", query: "_include=Encounter:*"},
	{name: "revinclude", typ: "Patient", query: "_revinclude=Observation:subject&_total=accurate"},
	{name: "include_iterate", typ: "Observation", query: "_include=Observation:subject:Patient&_include:iterate=Patient:organization&_revinclude:iterate=Observation:has-member"},
	{name: "include_before", typ: "Observation", query: "_include=Observation:subject:Patient&_sort=-date", after: &After{Keys: []any{cursorTime}, PK: 3, Backward: true}},
}

// inCompartment puts the query into the compartment of Patient/p1.
func inCompartment(q *Query) { q.Compartment = &Compartment{Type: "Patient", ID: "p1"} }

// numberDef is a number parameter: the registry has none, so the number
// case is made by hand.
var numberDef = &fhir.SearchParam{Code: "count", Type: fhir.ParamNumber, Expression: "Group.quantity"}

// numberParams adds count=100, count=ne1e2, ... count=ap100 (each AND-ed)
// and count=100,2.5 (OR-ed).
func numberParams(q *Query) {
	add := func(vs ...Value) {
		q.Params = append(q.Params, &Param{Name: "count", Resource: q.Type, Def: numberDef, Values: vs})
	}
	for _, v := range []Value{{Raw: "100"}, {Prefix: PrefixNe, Raw: "1e2"}, {Prefix: PrefixGt, Raw: "5"},
		{Prefix: PrefixLt, Raw: "5.5"}, {Prefix: PrefixGe, Raw: "-3"}, {Prefix: PrefixLe, Raw: "0.25"},
		{Prefix: PrefixSa, Raw: "1"}, {Prefix: PrefixEb, Raw: "2"}, {Prefix: PrefixAp, Raw: "100"}} {
		add(v)
	}
	add(Value{Raw: "100"}, Value{Prefix: PrefixEq, Raw: "2.5"})
}

// compileCase parses and compiles one case.
func compileCase(tb testing.TB, c sqlCase) Statement {
	tb.Helper()
	t, ok := fhir.LookupType(c.typ)
	if !ok {
		tb.Fatalf("%s: unknown type %s", c.name, c.typ)
	}
	params, err := url.ParseQuery(c.query)
	if err != nil {
		tb.Fatalf("%s: %v", c.name, err)
	}
	q, err := Parse(t, params, Options{DefaultCount: 20, MaxCount: 100, BaseURL: "http://fhir.test/fhir", Now: sqlNow, Strict: true})
	if err != nil {
		tb.Fatalf("%s: Parse(%s?%s): %v", c.name, c.typ, c.query, err)
	}
	if c.edit != nil {
		c.edit(q)
	}
	var st Statement
	if c.count {
		st, err = CompileCount(q, sqlTenant)
	} else {
		st, err = Compile(q, sqlTenant, c.after)
	}
	if err != nil {
		tb.Fatalf("%s: Compile(%s?%s): %v", c.name, c.typ, c.query, err)
	}
	return st
}

// golden renders a compiled case as its golden file's text.
func golden(c sqlCase, st Statement) string {
	var b strings.Builder
	fmt.Fprintf(&b, "-- %s?%s\n", c.typ, c.query)
	if c.after != nil {
		fmt.Fprintf(&b, "-- after %s\n", formatArg(*c.after))
	}
	if c.count {
		b.WriteString("-- count\n")
	}
	fmt.Fprintf(&b, "-- sort keys %d, total %v, reversed %v\n%s;\n\n", st.SortKeys, st.HasTotal, st.Reversed, st.SQL)
	for i, a := range st.Args {
		fmt.Fprintf(&b, "-- $%d = %s\n", i+1, formatArg(a))
	}
	return b.String()
}

// formatArg prints an argument with its Go type; times in UTC.
func formatArg(a any) string {
	switch v := a.(type) {
	case time.Time:
		return "time.Time " + v.UTC().Format(time.RFC3339Nano)
	case string, []string:
		return fmt.Sprintf("%T %q", v, v)
	case After:
		keys := make([]string, len(v.Keys))
		for i, k := range v.Keys {
			keys[i] = formatArg(k)
		}
		return fmt.Sprintf("keys [%s] pk %d backward %v", strings.Join(keys, ", "), v.PK, v.Backward)
	case nil:
		return "nil"
	}
	return fmt.Sprintf("%T %v", a, a)
}

func TestSQLGolden(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range sqlCases {
		if seen[c.name] {
			t.Fatalf("duplicate case name %s", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			st := compileCase(t, c)
			checkStatement(t, st)
			got := golden(c, st)
			path := filepath.Join("testdata", "sql", c.name+".sql")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the compiled statement (run with -update and read the diff):\n%s", path, got)
			}
		})
	}
}
