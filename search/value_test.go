package search

import (
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
)

func TestIsDecimal(t *testing.T) {
	good := []string{"0", "5", "-5", "+5", "5.4", "0.001", "1e2", "1E2", "1e-2", "-1.5E+10", "007", ".5", "5."}
	bad := []string{"", "-", ".", "e2", "1e", "1e+", "1.2.3", "1,2", "0x10", "NaN", "Inf", "1_000", " 1", "1 ", "1e999", "--1", "٣"}
	for _, s := range good {
		if !isDecimal(s) {
			t.Errorf("isDecimal(%q) = false", s)
		}
	}
	for _, s := range bad {
		if isDecimal(s) {
			t.Errorf("isDecimal(%q) = true", s)
		}
	}
}

func TestCutPrefix(t *testing.T) {
	tests := []struct {
		in   string
		pf   Prefix
		rest string
	}{
		{"gt5", PrefixGt, "5"}, {"eq", PrefixEq, ""}, {"5", PrefixNone, "5"},
		{"g", PrefixNone, "g"}, {"GT5", PrefixNone, "GT5"}, {"apap", PrefixAp, "ap"},
		{"", PrefixNone, ""}, {"ne-1", PrefixNe, "-1"}, {"sa2020", PrefixSa, "2020"},
	}
	for _, tt := range tests {
		if pf, rest := cutPrefix(tt.in); pf != tt.pf || rest != tt.rest {
			t.Errorf("cutPrefix(%q) = %v, %q; want %v, %q", tt.in, pf, rest, tt.pf, tt.rest)
		}
	}
}

func TestIsIdentifier(t *testing.T) {
	tests := map[string]bool{
		"Patient.identifier":                           true,
		"Patient.identifier | Practitioner.identifier": true,
		"Patient.gender":                               false,
		"Patient.identifier | Patient.name":            false,
		"":                                             false,
	}
	for expr, want := range tests {
		def := &fhir.SearchParam{Code: "x", Type: fhir.ParamToken, Expression: expr}
		if got := isIdentifier(def); got != want {
			t.Errorf("isIdentifier(%q) = %v", expr, got)
		}
	}
}

func TestSplitRelativeRef(t *testing.T) {
	tests := []struct {
		in, typ, id string
		ok          bool
	}{
		{"1", "", "1", true},
		{"Patient/1", "Patient", "1", true},
		{"Patient/1/_history/2", "Patient", "1", true},
		{"Patient/1/_history", "", "", false},
		{"Patient/1/x/2", "", "", false},
		{"Patient/1/_history/2/3", "", "", false},
		{"Patient/", "", "", false},
		{"/1", "", "", false},
		{"patient/1", "", "", false},
		{"Patient/a b", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		typ, id, ok := splitRelativeRef(tt.in)
		if ok != tt.ok || (ok && (typ != tt.typ || id != tt.id)) {
			t.Errorf("splitRelativeRef(%q) = %q, %q, %v", tt.in, typ, id, ok)
		}
	}
}

func TestDropHistory(t *testing.T) {
	tests := map[string]string{
		"http://x.org/fhir/Patient/1/_history/2": "http://x.org/fhir/Patient/1",
		"http://x.org/fhir/Patient/1":            "http://x.org/fhir/Patient/1",
		"http://x.org/_history/2":                "http://x.org/_history/2",
		"http://x.org/fhir/Patient/1/_history/":  "http://x.org/fhir/Patient/1/_history/",
		"urn:uuid:1":                             "urn:uuid:1",
	}
	for in, want := range tests {
		if got := dropHistory(in); got != want {
			t.Errorf("dropHistory(%q) = %q, want %q", in, got, want)
		}
	}
}
