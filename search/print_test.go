package search

import (
	"net/url"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
)

func conditionKey(t *testing.T, typ, query string) string {
	t.Helper()
	rt, _ := fhir.LookupType(typ)
	params, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	q, err := Parse(rt, params, testOptions())
	if err != nil {
		t.Fatalf("%s?%s: %v", typ, query, err)
	}
	return q.ConditionKey()
}

func TestConditionKeyIsOneSpellingPerCondition(t *testing.T) {
	same := [][]string{
		{
			"identifier=urn:x|42",
			"identifier=urn:x|42&_count=1",
			"identifier=urn:x|42,urn:x|42",
			"identifier=urn:x|42&identifier=urn:x|42",
			"_total=accurate&_summary=true&_elements=id&_sort=-_id&identifier=urn:x%7C42",
			"identifier=urn:x|42&_include=Patient:organization&_revinclude=Observation:subject",
		},
		{"identifier=a,b&name=x", "name=x&identifier=b,a", "identifier=b,a,b&name=x&_count=3"},
		{"birthdate=ge2020&birthdate=lt2021", "birthdate=lt2021&birthdate=ge2020"},
	}
	for _, group := range same {
		want := conditionKey(t, "Patient", group[0])
		for _, q := range group[1:] {
			if got := conditionKey(t, "Patient", q); got != want {
				t.Errorf("ConditionKey(%s) = %q, want %q as for %s", q, got, want, group[0])
			}
		}
	}
	different := [][2]string{
		{"identifier=urn:x|42", "identifier=urn:x|43"},
		{"identifier=a,b", "identifier=a&identifier=b"}, // OR is not AND
		{"identifier=a", "identifier:not=a"},
		{"name=x", "family=x"},
		{"birthdate=2020", "birthdate=2020-01"},
	}
	for _, d := range different {
		if a, b := conditionKey(t, "Patient", d[0]), conditionKey(t, "Patient", d[1]); a == b {
			t.Errorf("%s and %s select different resources but share the key %q", d[0], d[1], a)
		}
	}
}
