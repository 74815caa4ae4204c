package main

import (
	"slices"
	"testing"
)

func TestSplitUnion(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"A.b", []string{"A.b"}},
		{"A.b | C.d", []string{"A.b", "C.d"}},
		{"(A.v as X) | (A.v as Y).text", []string{"(A.v as X)", "(A.v as Y).text"}},
		{"A.b.where(x = 'p|q') | C", []string{"A.b.where(x = 'p|q')", "C"}},
		{"A.b.where(f(a | b)) | C", []string{"A.b.where(f(a | b))", "C"}},
		{`A.where(s = 'it\'s|') | B`, []string{`A.where(s = 'it\'s|')`, "B"}},
		{"A.`odd|name` | B", []string{"A.`odd|name`", "B"}},
	}
	for _, c := range cases {
		got, err := splitUnion(c.in)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("splitUnion(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestSplitUnionRejectsMalformed(t *testing.T) {
	for _, in := range []string{"(A.b", "A.b)", "A.where(x='y)"} {
		if got, err := splitUnion(in); err == nil {
			t.Errorf("splitUnion(%q) = %q, want error", in, got)
		}
	}
}

func TestRestrictExpression(t *testing.T) {
	cases := []struct {
		expr, typ, want string
	}{
		{"Resource.meta.lastUpdated", "Patient", "Patient.meta.lastUpdated"},
		{"DomainResource.text", "Slot", "Slot.text"},
		{"Patient.name | Practitioner.name", "Practitioner", "Practitioner.name"},
		{"Practitioner.telecom | PractitionerRole.telecom", "Practitioner", "Practitioner.telecom"},
		{"Practitioner.telecom | PractitionerRole.telecom", "PractitionerRole", "PractitionerRole.telecom"},
		{"(A.v as X) | (B.v as Y) | (A.w as Z).text", "A", "(A.v as X) | (A.w as Z).text"},
		{"Observation | Observation.component", "Observation", "Observation | Observation.component"},
		{"Patient.deceased.exists() and Patient.deceased != false", "Patient",
			"Patient.deceased.exists() and Patient.deceased != false"},
		{"Encounter.subject.where(resolve() is Patient)", "Patient", ""},
		{"A.b | C.d", "E", ""},
	}
	for _, c := range cases {
		got, err := restrictExpression(c.expr, c.typ)
		if err != nil || got != c.want {
			t.Errorf("restrictExpression(%q, %q) = %q, %v; want %q", c.expr, c.typ, got, err, c.want)
		}
	}
}

func TestIsTypeName(t *testing.T) {
	for s, want := range map[string]bool{
		"Patient": true, "Slot": true, "patient": false, "": false, "Pa tient": false, "A1": true,
	} {
		if got := isTypeName(s); got != want {
			t.Errorf("isTypeName(%q) = %v, want %v", s, got, want)
		}
	}
}
