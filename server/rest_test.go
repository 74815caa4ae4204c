package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCreate(t *testing.T) {
	c := testServer(t)
	body := strings.Replace(patientJSON, `"resourceType":"Patient",`, `"resourceType":"Patient","id":"client-chosen","meta":{"versionId":"9"},`, 1)
	r := c.do("POST", "/fhir/Patient", body).want(t, 201)
	res := r.json(t)
	id, _ := res["id"].(string)
	if id == "" || id == "client-chosen" {
		t.Fatalf("id %q: the server must assign the id and ignore the client's", id)
	}
	if got, want := r.Header.Get("Location"), "http://fhir.test/fhir/Patient/"+id+"/_history/1"; got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	if r.Header.Get("ETag") != `W/"1"` {
		t.Errorf("ETag %q, want W/\"1\"", r.Header.Get("ETag"))
	}
	if _, err := http.ParseTime(r.Header.Get("Last-Modified")); err != nil {
		t.Errorf("Last-Modified %q: %v", r.Header.Get("Last-Modified"), err)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Errorf("Content-Type %q", ct)
	}
	meta := res["meta"].(map[string]any)
	if meta["versionId"] != "1" || meta["lastUpdated"] == nil {
		t.Errorf("meta %v: want versionId 1 and lastUpdated", meta)
	}
	name := res["name"].([]any)[0].(map[string]any)
	if name["family"] != "Bélanger" {
		t.Errorf("family %v: content must round-trip", name["family"])
	}
}

func TestReadAndConditionalRead(t *testing.T) {
	c := testServer(t)
	id := c.create()
	r := c.do("GET", "/fhir/Patient/"+id).want(t, 200)
	if r.json(t)["id"] != id || r.Header.Get("ETag") != `W/"1"` {
		t.Fatalf("read: %s %v", r.body, r.Header)
	}
	c.do("GET", "/fhir/Patient/"+id, "", `If-None-Match: W/"1"`).want(t, 304)
	c.do("GET", "/fhir/Patient/"+id, "", `If-None-Match: W/"7"`).want(t, 200)
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	past := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	c.do("GET", "/fhir/Patient/"+id, "", "If-Modified-Since: "+future).want(t, 304)
	c.do("GET", "/fhir/Patient/"+id, "", "If-Modified-Since: "+past).want(t, 200)
	if r := c.do("HEAD", "/fhir/Patient/"+id).want(t, 200); len(r.body) != 0 || r.Header.Get("ETag") == "" {
		t.Errorf("HEAD: body %q etag %q", r.body, r.Header.Get("ETag"))
	}
}

func TestReadErrors(t *testing.T) {
	c := testServer(t)
	cases := []struct {
		path string
		code int
	}{
		{"/fhir/Patient/does-not-exist", 404},
		{"/fhir/Unicorn/1", 404},
		{"/fhir/Patient/bad$id", 400},
		{"/fhir/Patient/" + strings.Repeat("a", 65), 400},
		{"/fhir/Patient/x/_history/abc", 404},
		{"/fhir/nowhere/at/all/deep/path", 404},
	}
	for _, tc := range cases {
		c.do("GET", tc.path).want(t, tc.code).outcome(t)
	}
	c.do("PATCH", "/fhir/Patient/x/_history/1", "{}").want(t, 405).outcome(t)
	c.do("DELETE", "/fhir/metadata").want(t, 404).outcome(t) // DELETE [type]?query with an unknown type
}

func TestVersionsAndVRead(t *testing.T) {
	c := testServer(t)
	id := c.create()
	upd := strings.Replace(patientJSON, `"resourceType":"Patient",`, `"resourceType":"Patient","id":"`+id+`",`, 1)
	upd = strings.Replace(upd, `"female"`, `"other"`, 1)
	r := c.do("PUT", "/fhir/Patient/"+id, upd).want(t, 200)
	if r.Header.Get("ETag") != `W/"2"` || r.json(t)["gender"] != "other" {
		t.Fatalf("update: %v %s", r.Header, r.body)
	}
	if v1 := c.do("GET", "/fhir/Patient/"+id+"/_history/1").want(t, 200).json(t); v1["gender"] != "female" {
		t.Errorf("vread 1 gender %v, want female", v1["gender"])
	}
	if v2 := c.do("GET", "/fhir/Patient/"+id+"/_history/2").want(t, 200).json(t); v2["meta"].(map[string]any)["versionId"] != "2" {
		t.Errorf("vread 2 meta %v", v2["meta"])
	}
	c.do("GET", "/fhir/Patient/"+id+"/_history/3").want(t, 404).outcome(t)
}

func TestUpdateRules(t *testing.T) {
	c := testServer(t)
	id := c.create()
	with := func(id string) string {
		return strings.Replace(patientJSON, `"resourceType":"Patient",`, `"resourceType":"Patient","id":"`+id+`",`, 1)
	}
	c.do("PUT", "/fhir/Patient/"+id, patientJSON).want(t, 400).outcome(t)                 // no id in body
	c.do("PUT", "/fhir/Patient/"+id, with("other")).want(t, 400).outcome(t)               // id mismatch
	c.do("PUT", "/fhir/Patient/"+id, with(id), `If-Match: W/"5"`).want(t, 412).outcome(t) // stale
	c.do("PUT", "/fhir/Patient/"+id, with(id), `If-Match: nonsense`).want(t, 400).outcome(t)
	c.do("PUT", "/fhir/Patient/"+id, with(id), `If-Match: W/"1"`).want(t, 200)
	r := c.do("PUT", "/fhir/Patient/brand-new", with("brand-new")).want(t, 201)
	if r.Header.Get("Location") != "http://fhir.test/fhir/Patient/brand-new/_history/1" {
		t.Errorf("update-as-create Location %q", r.Header.Get("Location"))
	}
	c.do("PUT", "/fhir/Observation/"+id, with(id)).want(t, 400).outcome(t) // wrong type for URL
}

func TestConcurrentIfMatchOverHTTP(t *testing.T) {
	c := testServer(t)
	id := c.create()
	body := strings.Replace(patientJSON, `"resourceType":"Patient",`, `"resourceType":"Patient","id":"`+id+`",`, 1)
	const n = 8
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			changed := strings.Replace(body, "female", "other", 1) // a no-op would not race
			codes <- c.do("PUT", "/fhir/Patient/"+id, changed, `If-Match: W/"1"`).StatusCode
		}()
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for code := range codes {
		count[code]++
	}
	if count[200] != 1 || count[412] != n-1 {
		t.Fatalf("status counts %v: want exactly one 200 and %d 412", count, n-1)
	}
}

func TestDelete(t *testing.T) {
	c := testServer(t)
	id := c.create()
	c.do("DELETE", "/fhir/Patient/"+id, "", `If-Match: W/"4"`).want(t, 412).outcome(t)
	r := c.do("DELETE", "/fhir/Patient/"+id).want(t, 204)
	if r.Header.Get("ETag") != `W/"2"` {
		t.Errorf("delete ETag %q, want W/\"2\"", r.Header.Get("ETag"))
	}
	is := c.do("GET", "/fhir/Patient/"+id).want(t, 410).outcome(t)
	if is[0]["code"] != "deleted" {
		t.Errorf("gone issue code %v", is[0]["code"])
	}
	c.do("DELETE", "/fhir/Patient/"+id).want(t, 204)
	c.do("DELETE", "/fhir/Patient/never-existed").want(t, 204)
	c.do("GET", "/fhir/Patient/"+id+"/_history/2").want(t, 410)
	c.do("GET", "/fhir/Patient/"+id+"/_history/1").want(t, 200)
	oo := c.do("DELETE", "/fhir/Patient/"+c.create(), "", "Prefer: return=OperationOutcome").want(t, 200).outcome(t)
	if oo[0]["severity"] != "information" {
		t.Errorf("Prefer OperationOutcome on delete: %v", oo)
	}
}

func TestPrefer(t *testing.T) {
	c := testServer(t)
	r := c.do("POST", "/fhir/Patient", patientJSON, "Prefer: return=minimal").want(t, 201)
	if len(r.body) != 0 || r.Header.Get("Location") == "" {
		t.Errorf("return=minimal: body %q, Location %q", r.body, r.Header.Get("Location"))
	}
	oo := c.do("POST", "/fhir/Patient", patientJSON, "Prefer: return=OperationOutcome").want(t, 201).outcome(t)
	if oo[0]["severity"] != "information" {
		t.Errorf("return=OperationOutcome: %v", oo)
	}
	if c.do("POST", "/fhir/Patient", patientJSON, "Prefer: return=representation").want(t, 201).json(t)["resourceType"] != "Patient" {
		t.Error("return=representation did not return the resource")
	}
}

func TestFormats(t *testing.T) {
	c := testServer(t)
	id := c.create()
	c.do("GET", "/fhir/Patient/"+id+"?_format=xml").want(t, 406).outcome(t)
	c.do("GET", "/fhir/Patient/"+id, "", "Accept: application/fhir+xml").want(t, 406).outcome(t)
	r := c.do("GET", "/fhir/Patient/"+id, "", "Accept: application/json").want(t, 200)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("Accept application/json answered %q", r.Header.Get("Content-Type"))
	}
	for _, f := range []string{"json", "application/fhir+json", "application/fhir json"} {
		c.do("GET", "/fhir/Patient/"+id+"?_format="+strings.ReplaceAll(f, " ", "%20")).want(t, 200)
	}
	if r := c.do("GET", "/fhir/Patient/"+id+"?_pretty=true").want(t, 200); !strings.Contains(string(r.body), "\n  ") {
		t.Errorf("_pretty=true body not indented: %s", r.body)
	}
	c.do("POST", "/fhir/Patient", patientJSON, "Content-Type: application/xml").want(t, 415).outcome(t)
	c.do("POST", "/fhir/Patient", patientJSON, "Content-Type: application/json").want(t, 201)
	big := strings.Replace(patientJSON, `"gender"`, `"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">`+strings.Repeat("x", 70<<10)+`</div>"},"gender"`, 1)
	c.do("POST", "/fhir/Patient", big).want(t, 413).outcome(t)
}

func TestInvalidResourcesAreNotStored(t *testing.T) {
	c := testServer(t)
	cases := []struct{ name, body, expr string }{
		{"not json", `{"resourceType":`, ""},
		{"bad gender", `{"resourceType":"Patient","gender":"robot"}`, "Patient.gender"},
		{"bad date", `{"resourceType":"Patient","birthDate":"1984-13-45"}`, "Patient.birthDate"},
		{"unknown element", `{"resourceType":"Patient","colour":"blue"}`, "Patient.colour"},
		{"wrong type", `{"resourceType":"Observation","status":"final","code":{"text":"x"}}`, ""},
		{"array", `[]`, ""},
		{"empty", ``, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.do("POST", "/fhir/Patient", tc.body, "Content-Type: application/fhir+json")
			if r.StatusCode != 400 && r.StatusCode != 422 {
				t.Fatalf("status %d, want 400 or 422: %s", r.StatusCode, r.body)
			}
			issues := r.outcome(t)
			if tc.expr != "" && !strings.Contains(fmt.Sprint(issues), tc.expr) {
				t.Errorf("issues %v do not point at %s", issues, tc.expr)
			}
		})
	}
	h := c.do("GET", "/fhir/Patient/_history").want(t, 200).json(t)
	if entries, _ := h["entry"].([]any); len(entries) != 0 {
		t.Errorf("invalid writes stored %d versions", len(entries))
	}
}

func TestTenantsAreIsolatedOverHTTP(t *testing.T) {
	a := testServer(t)
	b := testServer(t)
	id := a.create()
	b.do("GET", "/fhir/Patient/"+id).want(t, 404)
	a.do("GET", "/fhir/Patient/"+id).want(t, 200)
	body := strings.Replace(patientJSON, `"resourceType":"Patient",`, `"resourceType":"Patient","id":"`+id+`",`, 1)
	b.do("PUT", "/fhir/Patient/"+id, body).want(t, 201) // b's own resource of the same id
	if a.do("GET", "/fhir/Patient/"+id).want(t, 200).Header.Get("ETag") != `W/"1"` {
		t.Error("a write in tenant b changed tenant a's resource")
	}
	bad := &client{t: t, base: a.base, tenant: "no spaces allowed"}
	bad.do("GET", "/fhir/Patient/"+id).want(t, 400).outcome(t)
}

// The fhirVersion parameter of Accept and Content-Type must name R4;
// $versions says which versions the server speaks.
func TestFHIRVersionParameter(t *testing.T) {
	c := testServer(t)
	id := c.create()
	for accept, want := range map[string]int{
		"application/fhir+json; fhirVersion=4.0":                                    200,
		"application/fhir+json; fhirVersion=4.0.1":                                  200,
		"application/fhir+json; fhirVersion=3.0":                                    406,
		"application/fhir+json; fhirVersion=3.0, application/json":                  200,
		"application/fhir+json; fhirVersion=5.0, application/json; fhirVersion=4.0": 200,
	} {
		if r := c.do("GET", "/fhir/Patient/"+id, "", "Accept: "+accept); r.StatusCode != want {
			t.Errorf("Accept %s: status %d, want %d", accept, r.StatusCode, want)
		}
	}
	c.do("POST", "/fhir/Patient", `{"resourceType":"Patient"}`, "Content-Type: application/fhir+json; fhirVersion=3.0").want(t, 415).outcome(t)
	c.do("POST", "/fhir/Patient", `{"resourceType":"Patient"}`, "Content-Type: application/fhir+json; fhirVersion=4.0").want(t, 201)
	v := c.do("GET", "/fhir/$versions").want(t, 200).json(t)
	if v["resourceType"] != "Parameters" || len(v["parameter"].([]any)) != 2 {
		t.Errorf("$versions: %v", v)
	}
}

// X-Tenant-ID names one tenant: empty or repeated, it is refused rather
// than read as the default tenant or as its first value. Responses vary
// by it.
func TestTenantHeaderIsOneNonEmptyValue(t *testing.T) {
	a := testServer(t)
	id := a.create()
	for name, values := range map[string][]string{"empty": {""}, "blank": {"  "}, "twice": {"other", a.tenant}} {
		req, err := http.NewRequest("GET", a.base+"/fhir/Patient/"+id, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			req.Header.Add("X-Tenant-ID", v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("%s X-Tenant-ID: status %d, want 400", name, resp.StatusCode)
		}
	}
	if v := a.do("GET", "/fhir/Patient/"+id).want(t, 200).Header.Get("Vary"); !strings.Contains(v, "X-Tenant-ID") {
		t.Errorf("Vary %q does not name X-Tenant-ID", v)
	}
}

// _summary and _elements shape reads and vreads as they shape searches.
func TestReadSummaryAndElements(t *testing.T) {
	c := testServer(t)
	id := c.create()
	for _, p := range []string{"/fhir/Patient/" + id, "/fhir/Patient/" + id + "/_history/1"} {
		got := c.do("GET", p+"?_elements=gender").want(t, 200).json(t)
		if got["gender"] == nil || got["name"] != nil || got["id"] != id {
			t.Errorf("%s?_elements=gender: %v", p, got)
		}
		tags, _ := got["meta"].(map[string]any)["tag"].([]any)
		if len(tags) == 0 || tags[0].(map[string]any)["code"] != "SUBSETTED" {
			t.Errorf("%s?_elements=gender is not tagged SUBSETTED: %v", p, got["meta"])
		}
		if got := c.do("GET", p+"?_summary=true").want(t, 200).json(t); got["name"] == nil {
			t.Errorf("%s?_summary=true dropped a summary element: %v", p, got)
		}
		c.do("GET", p+"?_summary=bogus").want(t, 400).outcome(t)
		c.do("GET", p+"?_summary=count").want(t, 400).outcome(t)
	}
}

// A create ignores the body's id, an invalid one too; an update does not.
func TestCreateIgnoresAnInvalidID(t *testing.T) {
	c := testServer(t)
	long := strings.Repeat("x", 65)
	r := c.do("POST", "/fhir/Patient", `{"resourceType":"Patient","id":"`+long+`","gender":"female"}`).want(t, 201).json(t)
	if r["id"] == long || r["gender"] != "female" {
		t.Errorf("created %v", r)
	}
	c.do("POST", "/fhir/Patient", `{"resourceType":"Patient","id":"`+long+`","gender":"robot"}`).want(t, 400).outcome(t)
	tx := `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","id":"a b"},"request":{"method":"POST","url":"Patient"}}]}`
	if es := entries(t, c.do("POST", "/fhir", tx).want(t, 200)); status(es[0]) != "201 Created" {
		t.Errorf("transaction POST with an invalid id: %v", es[0])
	}
	c.do("PUT", "/fhir/Patient/x", `{"resourceType":"Patient","id":"a b"}`).want(t, 400).outcome(t)
}

// A repeating primitive kept aligned with its extensions by nulls is stored
// and served as sent, and searched by its values.
func TestNullsInPrimitiveArrays(t *testing.T) {
	c := testServer(t)
	body := `{"resourceType":"Patient","name":[{"family":"Aligned","given":[null,"Bea"],"_given":[{"extension":[{"url":"http://x","valueString":"a"}]},null]}]}`
	id := c.do("POST", "/fhir/Patient", body).want(t, 201).json(t)["id"].(string)
	got := c.do("GET", "/fhir/Patient/"+id+"?_elements=name").want(t, 200).json(t)
	given := got["name"].([]any)[0].(map[string]any)["given"].([]any)
	if len(given) != 2 || given[0] != nil || given[1] != "Bea" {
		t.Errorf("given %v, want [null Bea]", given)
	}
	if ids := matchIDs(t, c.do("GET", "/fhir/Patient?given=bea").want(t, 200).json(t), "match"); len(ids) != 1 || ids[0] != id {
		t.Errorf("Patient?given=bea: %v", ids)
	}
}

// An update of a deleted resource creates it again: 201, the next version.
func TestUpdateRecreatesADeletedResource(t *testing.T) {
	c := testServer(t)
	id := c.create()
	c.do("DELETE", "/fhir/Patient/"+id).want(t, 204)
	body := `{"resourceType":"Patient","id":"` + id + `"}`
	r := c.do("PUT", "/fhir/Patient/"+id, body).want(t, 201)
	if v := r.json(t)["meta"].(map[string]any)["versionId"]; v != "3" || r.Header.Get("Location") == "" {
		t.Errorf("re-created as version %v, Location %q", v, r.Header.Get("Location"))
	}
	c.do("PUT", "/fhir/Patient/"+id, body).want(t, 200)
}
