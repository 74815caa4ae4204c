package server_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// matchIDs returns the ids of a searchset's entries of the given mode.
func matchIDs(t *testing.T, b map[string]any, mode string) []string {
	t.Helper()
	if b["resourceType"] != "Bundle" || b["type"] != "searchset" {
		t.Fatalf("not a searchset: %v", b)
	}
	var ids []string
	entries, _ := b["entry"].([]any)
	for _, e := range entries {
		m := e.(map[string]any)
		if m["search"].(map[string]any)["mode"] == mode {
			ids = append(ids, m["resource"].(map[string]any)["id"].(string))
		}
	}
	return ids
}

// seed stores a small clinic: two patients, their observations.
func seed(c *client) {
	c.t.Helper()
	put := func(typ, id, body string) {
		c.do("PUT", "/fhir/"+typ+"/"+id, body).want(c.t, 201)
	}
	put("Patient", "p1", `{"resourceType":"Patient","id":"p1","name":[{"family":"Bélanger","given":["Élodie"]}],"gender":"female","birthDate":"1984-03-12"}`)
	put("Patient", "p2", `{"resourceType":"Patient","id":"p2","name":[{"family":"Núñez","given":["José"]}],"gender":"male","birthDate":"1957-07-01"}`)
	for i, p := range []string{"p1", "p1", "p2"} {
		put("Observation", fmt.Sprintf("o%d", i+1), fmt.Sprintf(`{"resourceType":"Observation","id":"o%d","status":"final",
			"code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"subject":{"reference":"Patient/%s"},
			"effectiveDateTime":"2024-0%d-01T10:00:00Z","valueQuantity":{"value":%d,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}}`,
			i+1, p, i+1, 60+i))
	}
}

func TestSearchBundle(t *testing.T) {
	c := testServer(t)
	seed(c)
	b := c.do("GET", "/fhir/Patient?name=jose").want(t, 200).json(t)
	if ids := matchIDs(t, b, "match"); len(ids) != 1 || ids[0] != "p2" {
		t.Fatalf("Patient?name=jose matched %v, want [p2]", ids)
	}
	entry := b["entry"].([]any)[0].(map[string]any)
	if entry["fullUrl"] != "http://fhir.test/fhir/Patient/p2" {
		t.Errorf("fullUrl %v", entry["fullUrl"])
	}
	if self := links(b)["self"]; self != "http://fhir.test/fhir/Patient?name=jose" {
		t.Errorf("self link %q", self)
	}
	if b["total"] != float64(1) {
		t.Errorf("a single page of every match: total %v, want 1", b["total"])
	}
	b = c.do("GET", "/fhir/Observation?_count=2&_total=estimate").want(t, 200).json(t)
	if b["total"] != float64(3) || len(b["entry"].([]any)) != 2 {
		t.Errorf("_total=estimate: total %v, want 3 over %d entries", b["total"], len(b["entry"].([]any)))
	}
	if b = c.do("GET", "/fhir/Observation?_count=2").want(t, 200).json(t); b["total"] != nil {
		t.Errorf("a first page of some matches, no _total: total %v, want none", b["total"])
	}
	b = c.do("GET", "/fhir/Observation?subject=Patient/p1&_sort=-date&_include=Observation:subject&_total=accurate").want(t, 200).json(t)
	if got := strings.Join(matchIDs(t, b, "match"), ","); got != "o2,o1" {
		t.Errorf("matches %s, want o2,o1", got)
	}
	if got := strings.Join(matchIDs(t, b, "include"), ","); got != "p1" {
		t.Errorf("includes %s, want p1", got)
	}
	if b["total"] != float64(2) {
		t.Errorf("total %v, want 2", b["total"])
	}
}

func TestSearchPagingLinks(t *testing.T) {
	c := testServer(t)
	seed(c)
	var got []string
	path := "/fhir/Observation?_count=1&_sort=date"
	var last map[string]any
	for i := 0; path != "" && i < 10; i++ {
		last = c.do("GET", path).want(t, 200).json(t)
		got = append(got, matchIDs(t, last, "match")...)
		path = ""
		if next, ok := links(last)["next"]; ok {
			path = follow(next)
		}
	}
	if strings.Join(got, ",") != "o1,o2,o3" {
		t.Fatalf("pages gave %v, want o1,o2,o3", got)
	}
	prev, ok := links(last)["previous"]
	if !ok {
		t.Fatal("last page has no previous link")
	}
	if ids := matchIDs(t, c.do("GET", follow(prev)).want(t, 200).json(t), "match"); strings.Join(ids, ",") != "o2" {
		t.Errorf("previous page %v, want [o2]", ids)
	}
	other := testServer(t)
	other.do("GET", follow(prev)).want(t, 400).outcome(t)
}

func TestSearchHandling(t *testing.T) {
	c := testServer(t)
	seed(c)
	b := c.do("GET", "/fhir/Patient?gender=male&unknown-thing=1").want(t, 200).json(t)
	if self := links(b)["self"]; strings.Contains(self, "unknown-thing") {
		t.Errorf("lenient self link keeps the unknown parameter: %s", self)
	}
	is := c.do("GET", "/fhir/Patient?gender=male&unknown-thing=1", "", "Prefer: handling=strict").want(t, 400).outcome(t)
	if !strings.Contains(fmt.Sprint(is), "unknown-thing") {
		t.Errorf("strict error does not name the parameter: %v", is)
	}
	c.do("GET", "/fhir/Patient?birthdate=1984-13").want(t, 400).outcome(t)
	c.do("GET", "/fhir/Patient?name:nonsense=x").want(t, 400).outcome(t)
	many := strings.TrimSuffix(strings.Repeat("x,", 500), ",")
	if is := c.do("GET", "/fhir/Patient?name="+many).want(t, 400).outcome(t); is[0]["code"] != "too-costly" {
		t.Errorf("too many OR values: %v", is)
	}
	for _, hostile := range []string{"'", "%25", "_", `\`, "%FF%FE", strings.Repeat("a", 5000)} {
		r := c.do("GET", "/fhir/Patient?name="+hostile)
		if r.StatusCode != 200 && r.StatusCode != 400 {
			t.Errorf("name=%.20q: status %d", hostile, r.StatusCode)
		}
	}
}

func TestSearchPostCompartmentSummary(t *testing.T) {
	c := testServer(t)
	seed(c)
	r := c.do("POST", "/fhir/Patient/_search", url.Values{"gender": {"female"}}.Encode(),
		"Content-Type: application/x-www-form-urlencoded").want(t, 200)
	if ids := matchIDs(t, r.json(t), "match"); strings.Join(ids, ",") != "p1" {
		t.Errorf("POST _search matched %v", ids)
	}
	b := c.do("GET", "/fhir/Patient/p1/Observation?_sort=date").want(t, 200).json(t)
	if ids := matchIDs(t, b, "match"); strings.Join(ids, ",") != "o1,o2" {
		t.Errorf("compartment search matched %v, want o1,o2", ids)
	}
	c.do("GET", "/fhir/Patient/p1/Unicorn").want(t, 404).outcome(t)
	b = c.do("GET", "/fhir/Observation?_summary=count").want(t, 200).json(t)
	if b["total"] != float64(3) || b["entry"] != nil {
		t.Errorf("_summary=count: total %v, entries %v", b["total"], b["entry"])
	}
	b = c.do("GET", "/fhir/Observation?_elements=status&_id=o1").want(t, 200).json(t)
	res := b["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)
	if _, has := res["valueQuantity"]; has || res["status"] != "final" {
		t.Errorf("_elements=status kept %v", res)
	}
}

// A query string Go cannot parse (a bare ';', a bad escape) is refused:
// dropping the pair would widen the search.
func TestSearchMalformedQueryString(t *testing.T) {
	c := testServer(t)
	seed(c)
	for _, q := range []string{"family=Bélanger;x", "name=%ZZ", "gender=female&name=Hans%ZZ"} {
		c.do("GET", "/fhir/Patient?"+q).want(t, 400).outcome(t)
		c.do("GET", "/fhir/Patient/p1/Observation?"+q).want(t, 400).outcome(t)
	}
	if ids := matchIDs(t, c.do("GET", "/fhir/Patient?family=B%C3%A9langer%3Bx").want(t, 200).json(t), "match"); len(ids) != 0 {
		t.Errorf("an escaped ';' is part of the value: matched %v", ids)
	}
}

func TestCompartmentSearchByPost(t *testing.T) {
	c := testServer(t)
	seed(c)
	r := c.do("POST", "/fhir/Patient/p1/Observation/_search?_sort=date", "date=ge2024-02", "Content-Type: application/x-www-form-urlencoded")
	if got := strings.Join(matchIDs(t, r.want(t, 200).json(t), "match"), ","); got != "o2" {
		t.Errorf("POST Patient/p1/Observation/_search: %s, want o2", got)
	}
}

// HEAD is answered wherever GET is, without a body.
func TestHead(t *testing.T) {
	c := testServer(t)
	seed(c)
	for _, p := range []string{"/fhir/metadata", "/fhir/Patient?name=jose", "/fhir/_history", "/fhir/Patient/_history",
		"/fhir/Patient/p1", "/fhir/Patient/p1/_history", "/fhir/Patient/p1/_history/1", "/fhir/Patient/p1/Observation"} {
		r := c.do("HEAD", p)
		if r.StatusCode != 200 || len(r.body) != 0 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/fhir+json") {
			t.Errorf("HEAD %s: status %d, %d body bytes, Content-Type %q", p, r.StatusCode, len(r.body), r.Header.Get("Content-Type"))
		}
	}
}

// Every _include and _revinclude the CapabilityStatement lists is one the
// search takes.
func TestAdvertisedIncludesAreAccepted(t *testing.T) {
	c := testServer(t)
	cs := c.do("GET", "/fhir/metadata").want(t, 200).json(t)
	for _, r := range cs["rest"].([]any)[0].(map[string]any)["resource"].([]any) {
		res := r.(map[string]any)
		for key, param := range map[string]string{"searchInclude": "_include", "searchRevInclude": "_revinclude"} {
			vs, _ := res[key].([]any)
			for _, v := range vs {
				if r := c.do("GET", "/fhir/"+res["type"].(string)+"?"+param+"="+v.(string)); r.StatusCode != 200 {
					t.Errorf("%s?%s=%s: status %d: %s", res["type"], param, v, r.StatusCode, r.body)
				}
			}
		}
	}
}
