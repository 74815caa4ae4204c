package server_test

import (
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
)

// seedCompartments stores a small record in which each kind of
// compartment parameter of the stored types is used once:
//
//	p1: the focal patient; p3 links to it; its general practitioner is pr1
//	p2: another patient, with its own o3 and e2 (seen by pr2)
//	e1: p1's encounter with pr1 at loc1, provided by org1
//	o1: p1's observation in e1 by pr1; o2: p2's observation performed by p1
//	c1: p1's condition in e1 asserted by pr1; c2: p2's condition asserted by p1
//	a1: an appointment of p1 with pr1; g1: a group of p1 and p2; s1: pr1's schedule
func seedCompartments(c *client) {
	c.t.Helper()
	put := func(typ, id, body string) {
		c.do("PUT", "/fhir/"+typ+"/"+id, `{"resourceType":"`+typ+`","id":"`+id+`",`+body+`}`).want(c.t, 201)
	}
	put("Organization", "org1", `"name":"Clinic"`)
	put("Location", "loc1", `"name":"Room 1"`)
	put("Practitioner", "pr1", `"name":[{"family":"One"}]`)
	put("Practitioner", "pr2", `"name":[{"family":"Two"}]`)
	put("Patient", "p1", `"generalPractitioner":[{"reference":"Practitioner/pr1"}]`)
	put("Patient", "p2", `"gender":"male"`)
	put("Patient", "p3", `"link":[{"other":{"reference":"Patient/p1"},"type":"seealso"}]`)
	enc := `"status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},`
	put("Encounter", "e1", enc+`"subject":{"reference":"Patient/p1"},"participant":[{"individual":{"reference":"Practitioner/pr1"}}],
		"period":{"start":"2024-01-10T09:00:00Z","end":"2024-01-10T10:00:00Z"},"location":[{"location":{"reference":"Location/loc1"}}],
		"serviceProvider":{"reference":"Organization/org1"}`)
	put("Encounter", "e2", enc+`"subject":{"reference":"Patient/p2"},"participant":[{"individual":{"reference":"Practitioner/pr2"}}]`)
	obs := `"status":"final","code":{"text":"weight"},`
	put("Observation", "o1", obs+`"subject":{"reference":"Patient/p1"},"encounter":{"reference":"Encounter/e1"},
		"performer":[{"reference":"Practitioner/pr1"}],"effectiveDateTime":"2024-01-10T09:30:00Z"`)
	put("Observation", "o2", obs+`"subject":{"reference":"Patient/p2"},"performer":[{"reference":"Patient/p1"}],"effectiveDateTime":"2023-05-01"`)
	put("Observation", "o3", obs+`"subject":{"reference":"Patient/p2"},"encounter":{"reference":"Encounter/e2"},"effectiveDateTime":"2024-01-11"`)
	put("Condition", "c1", `"subject":{"reference":"Patient/p1"},"encounter":{"reference":"Encounter/e1"},"asserter":{"reference":"Practitioner/pr1"}`)
	put("Condition", "c2", `"subject":{"reference":"Patient/p2"},"asserter":{"reference":"Patient/p1"}`)
	put("Appointment", "a1", `"status":"booked","start":"2024-02-01T09:00:00Z","end":"2024-02-01T09:30:00Z",
		"participant":[{"actor":{"reference":"Patient/p1"},"status":"accepted"},{"actor":{"reference":"Practitioner/pr1"},"status":"accepted"}]`)
	put("Group", "g1", `"type":"person","actual":true,"member":[{"entity":{"reference":"Patient/p1"}},{"entity":{"reference":"Patient/p2"}}]`)
	put("Schedule", "s1", `"actor":[{"reference":"Practitioner/pr1"}]`)
}

// entryKeys returns the Type/id of the entries of a Bundle of the given
// search mode, sorted.
func entryKeys(t *testing.T, b map[string]any, mode string) []string {
	t.Helper()
	var out []string
	entries, _ := b["entry"].([]any)
	for _, e := range entries {
		m := e.(map[string]any)
		if m["search"].(map[string]any)["mode"] == mode {
			r := m["resource"].(map[string]any)
			out = append(out, r["resourceType"].(string)+"/"+r["id"].(string))
		}
	}
	sort.Strings(out)
	return out
}

func TestCompartmentSearchEveryCompartment(t *testing.T) {
	c := testServer(t)
	seedCompartments(c)
	cases := []struct {
		path string
		want string
	}{
		{"/fhir/Patient/p1/*", "Appointment/a1 Condition/c1 Condition/c2 Encounter/e1 Group/g1 Observation/o1 Observation/o2 Patient/p1 Patient/p3"},
		{"/fhir/Patient/p1/Observation", "Observation/o1 Observation/o2"},
		{"/fhir/Patient/p1/Patient", "Patient/p1 Patient/p3"},
		{"/fhir/Patient/p2/*", "Condition/c2 Encounter/e2 Group/g1 Observation/o2 Observation/o3 Patient/p2"},
		{"/fhir/Practitioner/pr1/*", "Appointment/a1 Condition/c1 Encounter/e1 Observation/o1 Patient/p1 Practitioner/pr1 Schedule/s1"},
		{"/fhir/Practitioner/pr1/Encounter", "Encounter/e1"},
		{"/fhir/Encounter/e1/*", "Condition/c1 Encounter/e1 Observation/o1"},
		{"/fhir/Encounter/e2/Observation", "Observation/o3"},
		{"/fhir/Patient/p1/*?_type=Observation,Condition", "Condition/c1 Condition/c2 Observation/o1 Observation/o2"},
		{"/fhir/Patient/p1/*?_id=o1,c2,o3", "Condition/c2 Observation/o1"},
		{"/fhir/Patient/nobody/*", ""},
		{"/fhir/Patient/p1/*?_type=Practitioner", ""},
	}
	for _, tc := range cases {
		b := c.do("GET", tc.path).want(t, 200).json(t)
		if got := strings.Join(entryKeys(t, b, "match"), " "); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.path, got, tc.want)
		}
	}
	// Paging through * yields every member once, in creation order.
	var got []string
	next := "/fhir/Patient/p1/*?_count=2"
	for pages := 0; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("too many pages")
		}
		b := c.do("GET", next).want(t, 200).json(t)
		got = append(got, entryKeys(t, b, "match")...)
		next = linkPath(t, b, "next")
	}
	sort.Strings(got)
	if strings.Join(got, " ") != cases[0].want {
		t.Errorf("paged *: %v", got)
	}
	b := c.do("GET", "/fhir/Patient/p1/*?_summary=count").want(t, 200).json(t)
	if b["total"] != float64(9) {
		t.Errorf("_summary=count: total %v", b["total"])
	}
}

func TestCompartmentSearchErrors(t *testing.T) {
	c := testServer(t)
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/fhir/Observation/o1/Condition", 404}, // not a compartment
		{"/fhir/Patient/p1/Unicorn", 404},       // not a type
		{"/fhir/Patient/p1/Organization", 404},  // not in the compartment
		{"/fhir/Encounter/e1/Patient", 404},
		{"/fhir/Patient/p1/*?code=x", 400}, // not a parameter of every type
		{"/fhir/Patient/p1/*?_sort=_lastUpdated", 400},
		{"/fhir/Patient/p1/*?_type=Unicorn", 400},
		{"/fhir/Patient/p1/*?_page_token=forged", 400},
	} {
		c.do("GET", tc.path).want(t, tc.code).outcome(t)
	}
}

// TestCompartmentSearchEveryType runs a compartment search of every type of
// every compartment whose focal type is stored, and of *, so that every
// type the registry gains is compiled and run in each of its compartments.
func TestCompartmentSearchEveryType(t *testing.T) {
	c := testServer(t)
	for _, d := range fhir.Compartments() {
		if _, ok := fhir.LookupType(d.Code); !ok {
			continue
		}
		c.do("GET", "/fhir/"+d.Code+"/x/*?_lastUpdated=gt2000").want(t, 200)
		for _, rt := range fhir.Types() {
			want := 404
			if rt.InCompartment(d.Code) {
				want = 200
			}
			c.do("GET", "/fhir/"+d.Code+"/x/"+rt.Name).want(t, want)
		}
	}
}

// Another tenant's resources that refer to the same focal id never come.
func TestCompartmentOtherTenant(t *testing.T) {
	a := testServer(t)
	seedCompartments(a)
	b := testServer(t)
	b.do("PUT", "/fhir/Observation/ob", `{"resourceType":"Observation","id":"ob","status":"final","code":{"text":"x"},
		"subject":{"reference":"Patient/p1"}}`).want(t, 201)
	for _, p := range []string{"/fhir/Patient/p1/*", "/fhir/Patient/p1/Observation"} {
		if got := entryKeys(t, a.do("GET", p).want(t, 200).json(t), "match"); slices.Contains(got, "Observation/ob") {
			t.Errorf("%s in tenant a: %v", p, got)
		}
		if got := entryKeys(t, b.do("GET", p).want(t, 200).json(t), "match"); strings.Join(got, " ") != "Observation/ob" {
			t.Errorf("%s in tenant b: %v", p, got)
		}
	}
	if got := entryKeys(t, a.do("GET", "/fhir/Patient/p1/$everything").want(t, 200).json(t), "match"); slices.Contains(got, "Observation/ob") {
		t.Errorf("$everything in tenant a: %v", got)
	}
	b.do("GET", "/fhir/Patient/p1/$everything").want(t, 404).outcome(t)
}

// linkPath returns the path and query of a Bundle link, "" when absent.
func linkPath(t *testing.T, b map[string]any, rel string) string {
	t.Helper()
	links, _ := b["link"].([]any)
	for _, l := range links {
		m := l.(map[string]any)
		if m["relation"] == rel {
			u, err := url.Parse(m["url"].(string))
			if err != nil {
				t.Fatal(err)
			}
			return u.RequestURI()
		}
	}
	return ""
}
