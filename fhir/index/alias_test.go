package index

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
)

// TestShapes pins which parameters of the registry are derived from
// others: a change to the generated registry or to the rules that moves a
// parameter in or out must be deliberate, because a derived parameter has
// no rows (a database indexed before the change has rows a search no
// longer reads, or lacks rows it reads).
func TestShapes(t *testing.T) {
	want := map[string]Shape{
		"Observation code-value-concept":        {Conjunction: true},
		"Observation code-value-date":           {Conjunction: true},
		"Observation code-value-quantity":       {Conjunction: true},
		"Observation combo-code":                {Members: []string{"code", "component-code"}},
		"Observation combo-code-value-concept":  {Members: []string{"code-value-concept", "component-code-value-concept"}},
		"Observation combo-code-value-quantity": {Members: []string{"code-value-quantity", "component-code-value-quantity"}},
		"Observation combo-data-absent-reason":  {Members: []string{"component-data-absent-reason", "data-absent-reason"}},
		"Observation combo-value-concept":       {Members: []string{"component-value-concept", "value-concept"}},
		"Observation combo-value-quantity":      {Members: []string{"component-value-quantity", "value-quantity"}},
	}
	got := map[string]Shape{}
	for _, rt := range fhir.Types() {
		for _, p := range rt.Params {
			if s := ShapeOf(rt, p.Code); s.Derived() {
				got[rt.Name+" "+p.Code] = s
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("derived parameters:\n got %v\nwant %v", got, want)
	}
}

// TestShapeRules checks the rules on made-up types: a union needs its
// members to cover every term, a member that is a union is dropped, and a
// root composite is a conjunction only when each component is its
// parameter's expression.
func TestShapeRules(t *testing.T) {
	rt := &fhir.ResourceType{Name: "X", Params: []fhir.SearchParam{
		{Code: "a", Type: fhir.ParamToken, Expression: "X.a"},
		{Code: "ab", Type: fhir.ParamToken, Expression: "X.a | X.b"},
		{Code: "abc", Type: fhir.ParamToken, Expression: "(X.a) | X.b | X.c"},
		{Code: "abd", Type: fhir.ParamToken, Expression: "X.a | X.b | X.d"},
		{Code: "as", Type: fhir.ParamString, Expression: "X.a | X.s"},
		{Code: "b", Type: fhir.ParamToken, Expression: "X.b"},
		{Code: "c", Type: fhir.ParamToken, Expression: "X.c"},
		{Code: "s", Type: fhir.ParamString, Expression: "X.s"},
		{Code: "a-q", Type: fhir.ParamComposite, Expression: "X", Components: []fhir.Component{
			{Code: "a", Expression: "a"}, {Code: "q", Expression: "value.as(Quantity)"}}},
		{Code: "a-t", Type: fhir.ParamComposite, Expression: "X", Components: []fhir.Component{
			{Code: "a", Expression: "a"}, {Code: "t", Expression: "value.as(string)"}}},
		{Code: "q", Type: fhir.ParamQuantity, Expression: "(X.value as Quantity) | (X.value as SampledData)"},
		{Code: "t", Type: fhir.ParamString, Expression: "(X.value as string) | (X.value as CodeableConcept).text"},
	}}
	slices.SortFunc(rt.Params, func(a, b fhir.SearchParam) int { return strings.Compare(a.Code, b.Code) })
	for code, want := range map[string]Shape{
		"a":   {},
		"ab":  {Members: []string{"a", "b"}},
		"abc": {Members: []string{"a", "b", "c"}}, // ab, a union, dropped
		"abd": {},                                 // nothing covers X.d
		"as":  {},                                 // a is a token, as a string
		"a-q": {Conjunction: true},
		"a-t": {}, // t also indexes CodeableConcept.text
	} {
		if got := ShapeOf(rt, code); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, want %+v", code, got, want)
		}
	}
}

func TestExprTerms(t *testing.T) {
	for expr, want := range map[string][]string{
		"X.a":                            {"X.a"},
		"(X.a as Quantity) | (X.b)":      {"X.a as Quantity", "X.b"},
		"X.a.where(b = 'x|y') | X.c":     {"X.a.where(b = 'x|y')", "X.c"},
		"(X.a | X.b)":                    {"X.a | X.b"},
		"(X.a) | (X.b).c":                {"X.a", "(X.b).c"},
		"X.where(a = 'it\\'s|') | ((X))": {"X.where(a = 'it\\'s|')", "X"},
	} {
		if got := exprTerms(expr); !slices.Equal(got, want) {
			t.Errorf("exprTerms(%q) = %q, want %q", expr, got, want)
		}
	}
	for term, want := range map[string]string{
		"(X.value as dateTime)":             "X.value.as(datetime)",
		"X.value.as(DateTime)":              "X.value.as(datetime)",
		"(X.value as CodeableConcept).text": "(X.value as CodeableConcept).text",
	} {
		if got := canonicalTerm(term); got != want {
			t.Errorf("canonicalTerm(%q) = %q, want %q", term, got, want)
		}
	}
}
