package search

import (
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
)

// The tests of this file check the parts of the AST the canonical text
// does not show: resolved definitions, types, parts and the query's
// settings.

// mustParse parses query on the named type with testOptions.
func mustParse(tb testing.TB, typ, query string) *Query {
	tb.Helper()
	q, err := parseOn(tb, typ, query, testOptions())
	if err != nil {
		tb.Fatalf("%s?%s: %v", typ, query, err)
	}
	return q
}

// parseOn parses query on the named type.
func parseOn(tb testing.TB, typ, query string, opts Options) (*Query, error) {
	tb.Helper()
	rt, ok := fhir.LookupType(typ)
	if !ok {
		tb.Fatalf("unknown type %s", typ)
	}
	params, err := url.ParseQuery(query)
	if err != nil {
		tb.Fatalf("bad query %q: %v", query, err)
	}
	return Parse(rt, params, opts)
}

// mustType returns the registry's type of the given name.
func mustType(tb testing.TB, name string) *fhir.ResourceType {
	tb.Helper()
	rt, ok := fhir.LookupType(name)
	if !ok {
		tb.Fatalf("unknown type %s", name)
	}
	return rt
}

// mustDef returns the parameter code of the named type.
func mustDef(tb testing.TB, typ, code string) *fhir.SearchParam {
	tb.Helper()
	def, ok := mustType(tb, typ).Param(code)
	if !ok {
		tb.Fatalf("%s has no parameter %s", typ, code)
	}
	return def
}

// only returns the single Param of q.
func only(tb testing.TB, q *Query) *Param {
	tb.Helper()
	if len(q.Params) != 1 {
		tb.Fatalf("want one param, got %d: %s", len(q.Params), q)
	}
	return q.Params[0]
}

func TestParsePlainParam(t *testing.T) {
	p := only(t, mustParse(t, "Observation", "code=http://loinc.org|1,|2,sys|"))
	if p.Name != "code" || p.Resource != mustType(t, "Observation") || p.Def != mustDef(t, "Observation", "code") {
		t.Errorf("param = %+v", p)
	}
	want := [][]string{{"http://loinc.org", "1"}, {"", "2"}, {"sys", ""}}
	for i, v := range p.Values {
		if !slices.Equal(v.Parts, want[i]) || v.Prefix != PrefixNone {
			t.Errorf("value %d = %+v, want parts %q", i, v, want[i])
		}
	}
	if p.Values[0].Raw != "http://loinc.org|1" {
		t.Errorf("raw = %q", p.Values[0].Raw)
	}
	if v := only(t, mustParse(t, "Patient", "identifier=a%5C|b")).Values[0]; v.Raw != "a|b" || !slices.Equal(v.Parts, []string{"a|b"}) {
		t.Errorf("escaped | value = %+v", v)
	}
	if v := only(t, mustParse(t, "Patient", "name=gtx")).Values[0]; v.Raw != "gtx" || v.Parts != nil || v.Prefix != PrefixNone {
		t.Errorf("string value = %+v", v)
	}
}

func TestParsePrefixes(t *testing.T) {
	for text, want := range prefixes {
		v := only(t, mustParse(t, "Patient", "birthdate="+text+"2020")).Values[0]
		if v.Prefix != want || v.Raw != "2020" || want.String() != text {
			t.Errorf("%s: value = %+v", text, v)
		}
		q := only(t, mustParse(t, "Observation", "value-quantity="+text+"5.4||mg")).Values[0]
		if q.Prefix != want || q.Raw != "5.4||mg" || !slices.Equal(q.Parts, []string{"5.4", "", "mg"}) {
			t.Errorf("%s: quantity = %+v", text, q)
		}
	}
}

func TestParseReferenceValues(t *testing.T) {
	tests := []struct {
		query, raw string
		parts      []string
	}{
		{"subject=Patient/1", "Patient/1", []string{"Patient", "1"}},
		{"subject=1", "1", []string{"", "1"}},
		{"subject:Patient=1", "Patient/1", []string{"Patient", "1"}},
		{"subject=http://fhir.test/fhir/Group/g.1/_history/7", "Group/g.1", []string{"Group", "g.1"}},
		{"subject=http://x.org/Patient/1", "http://x.org/Patient/1", nil},
		{"subject=urn:oid:1.2.3", "urn:oid:1.2.3", nil},
	}
	for _, tt := range tests {
		p := only(t, mustParse(t, "Observation", tt.query))
		v := p.Values[0]
		if v.Raw != tt.raw || !slices.Equal(v.Parts, tt.parts) || (v.Parts == nil) != (tt.parts == nil) {
			t.Errorf("%s: value = %+v, want raw %q parts %q", tt.query, v, tt.raw, tt.parts)
		}
	}
	p := only(t, mustParse(t, "Observation", "subject:Patient=1"))
	if p.Modifier != ModType || p.TargetType != "Patient" {
		t.Errorf(":Patient: modifier %v target %q", p.Modifier, p.TargetType)
	}
}

func TestParseComposite(t *testing.T) {
	p := only(t, mustParse(t, "Observation", "code-value-quantity=http://loinc.org|8480-6$gt100||mm%5BHg%5D"))
	v := p.Values[0]
	if v.Raw != "http://loinc.org|8480-6$gt100||mm[Hg]" || v.Parts != nil || len(v.Components) != 2 {
		t.Fatalf("value = %+v", v)
	}
	if c := v.Components[0]; !slices.Equal(c.Parts, []string{"http://loinc.org", "8480-6"}) || c.Prefix != PrefixNone {
		t.Errorf("component 0 = %+v", c)
	}
	if c := v.Components[1]; c.Prefix != PrefixGt || c.Raw != "100||mm[Hg]" || !slices.Equal(c.Parts, []string{"100", "", "mm[Hg]"}) {
		t.Errorf("component 1 = %+v", c)
	}
}

func TestParseChain(t *testing.T) {
	p := only(t, mustParse(t, "Observation", "subject.name:exact=Smith"))
	if p.Def != mustDef(t, "Observation", "subject") || p.TargetType != "" || p.Modifier != ModNone || p.Values != nil {
		t.Fatalf("link = %+v", p)
	}
	c := p.Chain
	if c.Name != "subject.name:exact" || c.Resource.Name != "Location" || c.Def != mustDef(t, "Location", "name") || c.Modifier != ModExact {
		t.Errorf("chained = %+v", c)
	}
	if len(c.Values) != 1 || c.Values[0].Raw != "Smith" {
		t.Errorf("chained values = %+v", c.Values)
	}
	var names []string
	for _, b := range p.Branches() {
		names = append(names, b.Resource.Name)
		if b.Def != mustDef(t, b.Resource.Name, "name") || b.Modifier != ModExact || len(b.Values) != 1 {
			t.Errorf("branch %s = %+v", b.Resource.Name, b)
		}
	}
	if !slices.Equal(names, []string{"Location", "Patient"}) {
		t.Errorf("branches = %v", names)
	}
	if c.Branches() != nil {
		t.Errorf("the leaf has branches")
	}
}

func TestParseChainTargetType(t *testing.T) {
	explicit := only(t, mustParse(t, "Observation", "subject:Patient.gender=male"))
	inferred := only(t, mustParse(t, "Observation", "subject.gender=male"))
	if explicit.Modifier != ModType || explicit.TargetType != "Patient" {
		t.Errorf("explicit: %v %q", explicit.Modifier, explicit.TargetType)
	}
	if inferred.Modifier != ModNone || inferred.TargetType != "Patient" {
		t.Errorf("inferred: %v %q", inferred.Modifier, inferred.TargetType)
	}
	for _, p := range []*Param{explicit, inferred} {
		b := p.Branches()
		if len(b) != 1 || b[0].Resource.Name != "Patient" || p.Chain.Resource.Name != "Patient" {
			t.Errorf("branches of %s = %v", p.Name, b)
		}
	}
}

func TestParseChainTwoLinks(t *testing.T) {
	p := only(t, mustParse(t, "Observation", "subject.organization.name=acme"))
	if p.TargetType != "" || p.Chain.TargetType != "Organization" || p.Chain.Chain.Resource.Name != "Organization" {
		t.Fatalf("chain = %s", p)
	}
	for _, b := range p.Branches() {
		if b.Def != mustDef(t, b.Resource.Name, "organization") || b.Chain == nil {
			t.Fatalf("branch %s = %+v", b.Resource.Name, b)
		}
		next := b.Branches()
		if len(next) != 1 || next[0].Resource.Name != "Organization" || next[0].Values[0].Raw != "acme" {
			t.Errorf("branches of %s = %+v", b.Resource.Name, next)
		}
	}
	if n := len(p.Branches()); n != 3 {
		t.Errorf("%d branches, want Device, Location and Patient", n)
	}
}

func TestParseHas(t *testing.T) {
	key := "_has:Observation:subject:_has:Observation:has-member:code"
	p := only(t, mustParse(t, "Patient", key+"=x"))
	if p.Name != key || p.Def != nil || p.Resource.Name != "Patient" || p.Values != nil || p.Has == nil {
		t.Fatalf("param = %+v", p)
	}
	h := p.Has
	if h.Type.Name != "Observation" || h.RefParam != mustDef(t, "Observation", "subject") {
		t.Errorf("has = %+v", h)
	}
	inner := h.Param
	if inner.Name != key || inner.Resource.Name != "Observation" || inner.Has == nil || inner.Has.RefParam.Code != "has-member" {
		t.Fatalf("inner = %+v", inner)
	}
	leaf := inner.Has.Param
	if leaf.Def != mustDef(t, "Observation", "code") || leaf.Resource.Name != "Observation" || leaf.Values[0].Raw != "x" || p.Leaf() != leaf {
		t.Errorf("leaf = %+v", leaf)
	}
}

func TestParseIncludes(t *testing.T) {
	q := mustParse(t, "Patient", "_include=Patient:general-practitioner:Practitioner&_include:iterate=Observation:*&_revinclude=Observation:subject")
	want := []Include{
		{Source: mustType(t, "Patient"), Param: mustDef(t, "Patient", "general-practitioner"), Target: "Practitioner"},
		{Source: mustType(t, "Observation"), Iterate: true},
		{Source: mustType(t, "Observation"), Param: mustDef(t, "Observation", "subject"), Rev: true},
	}
	if !slices.Equal(q.Includes, want) {
		t.Errorf("includes = %+v\nwant %+v", q.Includes, want)
	}
}

func TestParseResultSettings(t *testing.T) {
	q := mustParse(t, "Patient", "_sort=-birthdate,name&_count=7&_total=estimate&_summary=text&_elements=name,gender")
	want := []SortKey{{Def: mustDef(t, "Patient", "birthdate"), Desc: true}, {Def: mustDef(t, "Patient", "name")}}
	if !slices.Equal(q.Sort, want) || q.Count != 7 || q.Total != TotalEstimate || q.Summary != SummaryText ||
		!slices.Equal(q.Elements, []string{"name", "gender"}) {
		t.Errorf("query = %+v", q)
	}
}

func TestParseQuerySettings(t *testing.T) {
	opts := testOptions()
	opts.Limits = Limits{MaxOrValues: 7}
	q, err := parseOn(t, "Patient", "name=x", opts)
	if err != nil {
		t.Fatal(err)
	}
	wantLimits := DefaultLimits
	wantLimits.MaxOrValues = 7
	if q.Type.Name != "Patient" || !q.Now.Equal(testNow) || q.BaseURL != opts.BaseURL || q.Limits != wantLimits || q.Count != 20 {
		t.Errorf("query = %+v", q)
	}
	q, err = parseOn(t, "Patient", "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if q.Count != FallbackDefaultCount || q.Limits != DefaultLimits || len(q.Params) != 0 || len(q.Applied) != 0 {
		t.Errorf("zero options: %+v", q)
	}
	q, _ = parseOn(t, "Patient", "_count=5000", Options{DefaultCount: 50, MaxCount: 10})
	if q.Count != 10 {
		t.Errorf("clamped count = %d", q.Count)
	}
	q, _ = parseOn(t, "Patient", "", Options{DefaultCount: 50, MaxCount: 10})
	if q.Count != 10 {
		t.Errorf("default count above the maximum = %d", q.Count)
	}
}

func TestParseApplied(t *testing.T) {
	q := mustParse(t, "Observation", "subject:Patient.name=a&subject:Patient.name=b&foo=1&_format=json&_count=500&_sort=-date&_include=Observation:subject")
	want := url.Values{
		"subject:Patient.name": {"a", "b"},
		"_count":               {"100"},
		"_sort":                {"-date"},
		"_include":             {"Observation:subject"},
	}
	if q.Applied.Encode() != want.Encode() {
		t.Errorf("applied = %v\nwant %v", q.Applied, want)
	}
}

func TestParseNilType(t *testing.T) {
	_, err := Parse(nil, url.Values{"name": {"x"}}, Options{})
	checkError(t, err)
}

// TestParseNumber uses a made-up type: no stored type has a number
// parameter.
func TestParseNumber(t *testing.T) {
	widget := &fhir.ResourceType{Name: "Widget", Params: []fhir.SearchParam{
		{Code: "score", Type: fhir.ParamNumber, Expression: "Widget.score"},
		{Code: "tag", Type: fhir.ParamToken, Expression: "Widget.tag"},
		{Code: "tag-score", Type: fhir.ParamComposite, Expression: "Widget",
			Components: []fhir.Component{{Code: "tag", Expression: "tag"}, {Code: "score", Expression: "score"}}},
	}}
	good := map[string]string{
		"score=5":            "score=5",
		"score=gt5.5,le-1e2": "score=gt5.5,le-1e2",
		"score=ap100":        "score=ap100",
		"score=sa1E%2B3":     "score=sa1E+3",
		"score:missing=true": "score:missing=true",
		"tag-score=a$ge7":    "tag-score=a$ge7",
	}
	for query, want := range good {
		params, _ := url.ParseQuery(query)
		q, err := Parse(widget, params, testOptions())
		if err != nil || only(t, q).String() != want {
			t.Errorf("%s: %v %v, want %s", query, q, err, want)
		}
	}
	for _, query := range []string{"score=five", "score=5|mg", "score=1e", "score=--1", "score=1e400", "score:exact=1", "tag-score=a$x"} {
		params, _ := url.ParseQuery(query)
		_, err := Parse(widget, params, testOptions())
		if err == nil {
			t.Errorf("%s: no error", query)
			continue
		}
		checkError(t, err)
	}
	q, _ := Parse(widget, url.Values{"tag-score": {"a$gt7"}}, testOptions())
	if c := q.Params[0].Values[0].Components[1]; c.Prefix != PrefixGt || c.Raw != "7" {
		t.Errorf("number component = %+v", c)
	}
}

// TestParseHostile feeds huge, deep and malformed input.
func TestParseHostile(t *testing.T) {
	big := strings.Repeat("x", 10_000)
	tests := []struct {
		query string
		code  fhir.IssueType
	}{
		{"name=" + big, fhir.IssueTooCostly},
		{"name=" + strings.Repeat("a,", 5000) + "a", fhir.IssueTooCostly},
		{"name=" + strings.Repeat("%5C", 10_000), fhir.IssueTooCostly},
		{"subject" + strings.Repeat(".subject", 5000) + "=x", fhir.IssueTooCostly},
		{strings.Repeat("_has:Observation:subject:", 2000) + "code=x", fhir.IssueTooCostly},
		{"identifier=" + strings.Repeat("|", 500), fhir.IssueValue},
		{"_sort=" + strings.Repeat("name,", 5000), fhir.IssueTooCostly},
		{"_elements=" + strings.Repeat("a,", 300) + "a", fhir.IssueTooCostly},
		{"name=%80", fhir.IssueValue},
	}
	for _, tt := range tests {
		_, err := parseOn(t, "Patient", tt.query, testOptions())
		fe, ok := fhir.AsError(err)
		if !ok || fe.Issues[0].Code != tt.code {
			t.Errorf("%.40s…: error %.200v, want code %s", tt.query, err, tt.code)
			continue
		}
		checkError(t, err)
	}
	opts := testOptions()
	opts.Limits.MaxValueBytes = 20_000
	q, err := parseOn(t, "Patient", "name="+big, opts)
	if err != nil || len(only(t, q).Values[0].Raw) != 10_000 {
		t.Errorf("a 10k value under a 20k limit: %v", err)
	}
	q, err = parseOn(t, "Patient", big+"=x", testOptions())
	if err != nil || len(q.Params) != 0 {
		t.Errorf("a 10k unknown name: %v", err)
	}
}

// TestParsePackagePure checks the invariant of doc.go: the package does
// no I/O, so it depends on neither net/http, gin nor pgx.
func TestParsePackagePure(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "net/http" || strings.Contains(dep, "gin-gonic") || strings.Contains(dep, "jackc/pgx") {
			t.Errorf("search depends on %s", dep)
		}
	}
}
