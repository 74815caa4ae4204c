package server_test

import (
	"strings"
	"testing"
)

// An empty parameter value is ignored (search.html): filters and result
// parameters alike, and the self link shows only what was applied.
func TestSearchEmptyValuesAreIgnored(t *testing.T) {
	c := testServer(t)
	seed(c)
	for query, want := range map[string]string{
		"Patient?family=":                            "p1,p2",
		"Patient?family=&gender=male":                "p2",
		"Observation?code=&status=final&_sort=date":  "o1,o2,o3",
		"Observation?subject=&_sort=&_count=":        "",
		"Patient?_include=&_revinclude=&_elements=":  "",
		"Patient?_total=&_summary=&name:missing=":    "",
		"Patient?_sort=-birthdate&_count=&_total=":   "p1,p2",
		"Observation?_sort=date&_count=&_count=2":    "o1,o2",
		"Observation?_sort=date&code=&code=29463-7":  "o1,o2,o3",
		"Patient?family=&gender=male&_count=&_sort=": "p2",
	} {
		b := c.do("GET", "/fhir/"+query, "", "Prefer: handling=strict").want(t, 200).json(t)
		got := matchIDs(t, b, "match")
		if want != "" && strings.Join(got, ",") != want {
			t.Errorf("%s matched %v, want %s", query, got, want)
		}
		self := links(b)["self"]
		for _, p := range strings.Split(self+"&", "&") {
			if strings.HasSuffix(p, "=") {
				t.Errorf("%s: the self link %s keeps the empty %s", query, self, p)
			}
		}
	}
	b := c.do("GET", "/fhir/Patient?family=&gender=male&_count=&_sort=").want(t, 200).json(t)
	if self := links(b)["self"]; self != "http://fhir.test/fhir/Patient?gender=male" {
		t.Errorf("self link %q, want only gender=male", self)
	}
}

// A condition is not a search: an empty value there would widen it to
// resources the client did not name, so it is refused.
func TestConditionWithEmptyValue(t *testing.T) {
	c := testServer(t)
	seed(c)
	body := `{"resourceType":"Patient","gender":"male"}`
	c.do("PUT", "/fhir/Patient?family=&gender=male", body).want(t, 400).outcome(t)
	c.do("DELETE", "/fhir/Patient?family=&gender=male").want(t, 400).outcome(t)
	c.do("POST", "/fhir/Patient", body, "If-None-Exist: family=&gender=male").want(t, 400).outcome(t)
	if n := c.total("Patient"); n != 2 {
		t.Errorf("%d patients, want the 2 seeded", n)
	}
}
