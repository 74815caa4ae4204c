package server_test

import (
	"sort"
	"strings"
	"testing"
	"time"
)

func TestEverything(t *testing.T) {
	c := testServer(t)
	seedCompartments(c)
	members := "Appointment/a1 Condition/c1 Condition/c2 Encounter/e1 Group/g1 Observation/o1 Observation/o2 Patient/p1 Patient/p3"
	cases := []struct {
		path, match, include string
	}{
		// Other patients (p2 of g1) are of a compartment type: never followed.
		{"/fhir/Patient/p1/$everything", members, "Location/loc1 Organization/org1 Practitioner/pr1"},
		{"/fhir/Patient/p1/$everything?start=2024-01-01", strings.Replace(members, "Observation/o2 ", "", 1),
			"Location/loc1 Organization/org1 Practitioner/pr1"},
		{"/fhir/Patient/p1/$everything?end=2023-12", "Condition/c1 Condition/c2 Group/g1 Observation/o2 Patient/p1 Patient/p3",
			"Practitioner/pr1"},
		{"/fhir/Patient/p1/$everything?_type=Observation,Practitioner", "Observation/o1 Observation/o2", "Practitioner/pr1"},
		{"/fhir/Patient/p2/$everything", "Condition/c2 Encounter/e2 Group/g1 Observation/o2 Observation/o3 Patient/p2",
			"Practitioner/pr2"},
		{"/fhir/Encounter/e1/$everything", "Condition/c1 Encounter/e1 Observation/o1",
			"Location/loc1 Organization/org1 Patient/p1 Practitioner/pr1"},
		{"/fhir/Encounter/e1/$everything?start=2030-01-01", "Condition/c1 Encounter/e1 Observation/o1",
			"Location/loc1 Organization/org1 Patient/p1 Practitioner/pr1"}, // Encounter's $everything has no start
	}
	for _, tc := range cases {
		b := c.do("GET", tc.path).want(t, 200).json(t)
		if b["type"] != "searchset" {
			t.Errorf("%s: Bundle type %v", tc.path, b["type"])
		}
		if got := strings.Join(entryKeys(t, b, "match"), " "); got != tc.match {
			t.Errorf("%s: matches %s, want %s", tc.path, got, tc.match)
		}
		if got := strings.Join(entryKeys(t, b, "include"), " "); got != tc.include {
			t.Errorf("%s: includes %s, want %s", tc.path, got, tc.include)
		}
	}
}

// Following next links from _count=1 to 4 yields every resource of the
// unpaged answer once.
func TestEverythingPaging(t *testing.T) {
	c := testServer(t)
	seedCompartments(c)
	all := c.do("GET", "/fhir/Patient/p1/$everything").want(t, 200).json(t)
	want := append(entryKeys(t, all, "match"), entryKeys(t, all, "include")...)
	sort.Strings(want)
	for count := 1; count <= 4; count++ {
		var got []string
		next := "/fhir/Patient/p1/$everything?_count=" + string(rune('0'+count))
		for pages := 0; next != ""; pages++ {
			if pages > 20 {
				t.Fatal("too many pages")
			}
			b := c.do("GET", next).want(t, 200).json(t)
			page := append(entryKeys(t, b, "match"), entryKeys(t, b, "include")...)
			if len(page) > count {
				t.Errorf("_count=%d: a page of %d", count, len(page))
			}
			got = append(got, page...)
			next = linkPath(t, b, "next")
		}
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("_count=%d: pages hold %v, want %v", count, got, want)
		}
	}
}

func TestEverythingSinceAndPost(t *testing.T) {
	c := testServer(t)
	seedCompartments(c)
	time.Sleep(20 * time.Millisecond)
	since := time.Now().UTC().Format(time.RFC3339Nano)
	time.Sleep(20 * time.Millisecond)
	c.do("PUT", "/fhir/Observation/o1", `{"resourceType":"Observation","id":"o1","status":"amended","code":{"text":"weight"},
		"subject":{"reference":"Patient/p1"},"performer":[{"reference":"Practitioner/pr1"}]}`).want(t, 200)
	b := c.do("GET", "/fhir/Patient/p1/$everything?_since="+since).want(t, 200).json(t)
	if got := strings.Join(append(entryKeys(t, b, "match"), entryKeys(t, b, "include")...), " "); got != "Observation/o1" {
		t.Errorf("_since: %s, want Observation/o1", got)
	}
	body := `{"resourceType":"Parameters","parameter":[{"name":"_type","valueCode":"Observation"},{"name":"_count","valueInteger":1}]}`
	b = c.do("POST", "/fhir/Patient/p1/$everything", body).want(t, 200).json(t)
	if got := strings.Join(entryKeys(t, b, "match"), " "); got != "Observation/o1" {
		t.Errorf("POST _type=Observation _count=1: %s", got)
	}
	if next := linkPath(t, b, "next"); next == "" {
		t.Error("POST: no next link")
	} else if got := strings.Join(entryKeys(t, c.do("GET", next).want(t, 200).json(t), "match"), " "); got != "Observation/o2" {
		t.Errorf("POST next page: %s", got)
	}
}

func TestEverythingErrors(t *testing.T) {
	c := testServer(t)
	seedCompartments(c)
	for _, tc := range []struct {
		method, path, body string
		code               int
	}{
		{"GET", "/fhir/Patient/nobody/$everything", "", 404},
		{"GET", "/fhir/Observation/o1/$everything", "", 404},
		{"GET", "/fhir/Practitioner/pr1/$everything", "", 404},
		{"GET", "/fhir/Patient/p1/$everything?start=yesterday", "", 400},
		{"GET", "/fhir/Patient/p1/$everything?_since=2024-01-01", "", 400},
		{"GET", "/fhir/Patient/p1/$everything?_type=Unicorn", "", 400},
		{"GET", "/fhir/Patient/p1/$everything?_count=-1", "", 400},
		{"GET", "/fhir/Patient/p1/$everything?_page_token=forged", "", 400},
		{"POST", "/fhir/Patient/p1/$everything", `{"resourceType":"Patient"}`, 400},
		{"POST", "/fhir/Patient/p1/$everything", `{"resourceType":"Parameters","parameter":[{"name":"_count"}]}`, 400},
	} {
		c.do(tc.method, tc.path, tc.body).want(t, tc.code).outcome(t)
	}
	c.do("GET", "/fhir/Patient/p1/$everything?bogus=1", "", "Prefer: handling=strict").want(t, 400).outcome(t)
	c.do("DELETE", "/fhir/Patient/p2").want(t, 204)
	c.do("GET", "/fhir/Patient/p2/$everything").want(t, 410).outcome(t)
}
