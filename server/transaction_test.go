package server_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// entries returns the entries of a Bundle response.
func entries(t testing.TB, r *response) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, e := range r.json(t)["entry"].([]any) {
		out = append(out, e.(map[string]any))
	}
	return out
}

func status(e map[string]any) string {
	return e["response"].(map[string]any)["status"].(string)
}

// total returns the number of matches of a search.
func (c *client) total(query string) int {
	c.t.Helper()
	sep := "?"
	if strings.Contains(query, "?") {
		sep = "&"
	}
	m := c.do("GET", "/fhir/"+query+sep+"_total=accurate").want(c.t, 200).json(c.t)
	return int(m["total"].(float64))
}

const visitBundle = `{"resourceType":"Bundle","type":"transaction","entry":[
 {"fullUrl":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a","resource":{"resourceType":"Patient","name":[{"family":"Visit"}],
   "identifier":[{"system":"http://mrn.example","value":"V-1"}]},"request":{"method":"POST","url":"Patient"}},
 {"fullUrl":"urn:uuid:7f3c1a52-0c7e-4a8e-9a55-3d2b1d3e7a11","resource":{"resourceType":"Encounter","status":"finished",
   "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},
   "subject":{"reference":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"},
   "diagnosis":[{"condition":{"reference":"urn:uuid:9a1d2c33-4b5e-4f60-8d7e-112233445566"}}]},"request":{"method":"POST","url":"Encounter"}},
 {"fullUrl":"urn:uuid:9a1d2c33-4b5e-4f60-8d7e-112233445566","resource":{"resourceType":"Condition",
   "subject":{"reference":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"}},"request":{"method":"POST","url":"Condition"}},
 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"hr"},
   "subject":{"reference":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"},
   "encounter":{"reference":"urn:uuid:7f3c1a52-0c7e-4a8e-9a55-3d2b1d3e7a11"}},"request":{"method":"POST","url":"Observation"}},
 {"request":{"method":"GET","url":"Patient?identifier=http://mrn.example|V-1"}}
]}`

func TestTransactionRewritesReferences(t *testing.T) {
	c := testServer(t)
	r := c.do("POST", "/fhir", visitBundle).want(t, 200)
	if m := r.json(t); m["type"] != "transaction-response" {
		t.Fatalf("type %v, want transaction-response", m["type"])
	}
	es := entries(t, r)
	if len(es) != 5 {
		t.Fatalf("%d response entries, want 5", len(es))
	}
	ids := make([]string, 4)
	for i, want := range []string{"Patient/", "Encounter/", "Condition/", "Observation/"} {
		if status(es[i]) != "201 Created" {
			t.Fatalf("entry %d: status %q", i, status(es[i]))
		}
		loc := es[i]["response"].(map[string]any)["location"].(string)
		if !strings.HasPrefix(loc, want) || !strings.HasSuffix(loc, "/_history/1") {
			t.Errorf("entry %d: location %q", i, loc)
		}
		ids[i] = strings.Split(loc, "/")[1]
	}
	enc := c.do("GET", "/fhir/Encounter/"+ids[1]).want(t, 200).json(t)
	if got := enc["subject"].(map[string]any)["reference"]; got != "Patient/"+ids[0] {
		t.Errorf("Encounter.subject = %v, want Patient/%s", got, ids[0])
	}
	nested := enc["diagnosis"].([]any)[0].(map[string]any)["condition"].(map[string]any)["reference"]
	if nested != "Condition/"+ids[2] {
		t.Errorf("Encounter.diagnosis.condition = %v, want Condition/%s (a forward, nested reference)", nested, ids[2])
	}
	obs := c.do("GET", "/fhir/Observation/"+ids[3]).want(t, 200).json(t)
	if got := obs["encounter"].(map[string]any)["reference"]; got != "Encounter/"+ids[1] {
		t.Errorf("Observation.encounter = %v", got)
	}
	// The rewritten references are indexed: the search path sees them.
	if n := c.total("Observation?subject=Patient/" + ids[0]); n != 1 {
		t.Errorf("Observation?subject=Patient/%s: %d matches, want 1", ids[0], n)
	}
	// GET runs after the writes although it comes last anyway; its searchset
	// holds the patient the transaction created.
	set := es[4]["resource"].(map[string]any)
	if set["type"] != "searchset" || set["total"] != nil && set["total"].(float64) != 1 || len(set["entry"].([]any)) != 1 {
		t.Errorf("GET entry: %v", set)
	}
}

func TestTransactionOrderGetAfterWrites(t *testing.T) {
	c := testServer(t)
	b := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"request":{"method":"GET","url":"Patient?family=Orderly"}},
	 {"resource":{"resourceType":"Patient","name":[{"family":"Orderly"}]},"request":{"method":"POST","url":"Patient"}}]}`
	es := entries(t, c.do("POST", "/fhir", b).want(t, 200))
	if status(es[0]) != "200 OK" || status(es[1]) != "201 Created" {
		t.Fatalf("statuses %q, %q", status(es[0]), status(es[1]))
	}
	if n := len(es[0]["resource"].(map[string]any)["entry"].([]any)); n != 1 {
		t.Errorf("the GET, listed first, found %d patients; it must run after the POST", n)
	}
}

func TestTransactionConditionalReferences(t *testing.T) {
	c := testServer(t)
	c.create() // identifier http://clinic.example.org/mrn|000123
	obs := func(ref string) string {
		return `{"resourceType":"Bundle","type":"transaction","entry":[
		 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"hr"},"subject":{"reference":"` + ref + `"}},
		  "request":{"method":"POST","url":"Observation"}}]}`
	}
	es := entries(t, c.do("POST", "/fhir", obs("Patient?identifier=http://clinic.example.org/mrn|000123")).want(t, 200))
	id := strings.Split(es[0]["response"].(map[string]any)["location"].(string), "/")[1]
	got := c.do("GET", "/fhir/Observation/"+id).want(t, 200).json(t)["subject"].(map[string]any)["reference"].(string)
	if !strings.HasPrefix(got, "Patient/") || strings.Contains(got, "?") {
		t.Errorf("conditional reference stored as %q", got)
	}
	// No match and several matches both fail the whole transaction.
	c.do("POST", "/fhir", obs("Patient?identifier=http://clinic.example.org/mrn|nobody")).want(t, 412)
	c.create()
	is := c.do("POST", "/fhir", obs("Patient?identifier=http://clinic.example.org/mrn|000123")).want(t, 412).outcome(t)
	if is[0]["code"] != "multiple-matches" || !strings.Contains(is[0]["diagnostics"].(string), "Bundle.entry[0]") {
		t.Errorf("outcome %v", is)
	}
	if n := c.total("Observation"); n != 1 {
		t.Errorf("%d Observations, want the 1 of the transaction that succeeded", n)
	}
}

func TestTransactionRollsBackEverything(t *testing.T) {
	c := testServer(t)
	b := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"fullUrl":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a","resource":{"resourceType":"Patient","name":[{"family":"Rollback"}]},
	  "request":{"method":"POST","url":"Patient"}},
	 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"}},
	  "request":{"method":"POST","url":"Observation"}},
	 {"resource":{"resourceType":"Patient","id":"stale","name":[{"family":"Stale"}]},
	  "request":{"method":"PUT","url":"Patient/stale","ifMatch":"W/\"3\""}}]}`
	is := c.do("POST", "/fhir", b).want(t, 412).outcome(t)
	if !strings.Contains(is[0]["diagnostics"].(string), "Bundle.entry[2]") {
		t.Errorf("the outcome does not name the failing entry: %v", is)
	}
	for _, q := range []string{"Patient", "Patient?family=rollback", "Observation", "Observation?subject:Patient.family=rollback"} {
		if n := c.total(q); n != 0 {
			t.Errorf("%s: %d matches after a rolled back transaction", q, n)
		}
	}
	for _, h := range []string{"/fhir/Patient/_history", "/fhir/Observation/_history", "/fhir/_history"} {
		if m := c.do("GET", h).want(t, 200).json(t); m["entry"] != nil {
			t.Errorf("%s holds versions of a rolled back transaction: %v", h, m["entry"])
		}
	}
}

func TestTransactionRejectsBadEntries(t *testing.T) {
	c := testServer(t)
	for name, b := range map[string]string{
		"no request":    `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"}}]}`,
		"invalid":       `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","gender":"robot"},"request":{"method":"POST","url":"Patient"}}]}`,
		"twice":         `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","id":"a"},"request":{"method":"PUT","url":"Patient/a"}},{"resource":{"resourceType":"Patient","id":"a"},"request":{"method":"PUT","url":"Patient/a"}}]}`,
		"not a bundle":  `{"resourceType":"Patient"}`,
		"document type": `{"resourceType":"Bundle","type":"document"}`,
	} {
		r := c.do("POST", "/fhir", b)
		if r.StatusCode != 400 {
			t.Errorf("%s: status %d, want 400: %s", name, r.StatusCode, r.body)
			continue
		}
		r.outcome(t)
	}
	if n := c.total("Patient"); n != 0 {
		t.Errorf("%d patients stored by rejected bundles", n)
	}
}

func TestBatchPartialSuccess(t *testing.T) {
	c := testServer(t)
	b := `{"resourceType":"Bundle","type":"batch","entry":[
	 {"resource":{"resourceType":"Patient","name":[{"family":"Batch"}]},"request":{"method":"POST","url":"Patient"}},
	 {"resource":{"resourceType":"Patient","id":"x","gender":"robot"},"request":{"method":"PUT","url":"Patient/x"}},
	 {"request":{"method":"GET","url":"Patient/missing"}},
	 {"resource":{"resourceType":"Patient","id":"b2"},"request":{"method":"PUT","url":"Patient/b2"}}]}`
	r := c.do("POST", "/fhir", b).want(t, 200)
	if r.json(t)["type"] != "batch-response" {
		t.Fatalf("type %v", r.json(t)["type"])
	}
	es := entries(t, r)
	want := []string{"201 Created", "400 Bad Request", "404 Not Found", "201 Created"}
	for i, w := range want {
		if status(es[i]) != w {
			t.Errorf("entry %d: status %q, want %q", i, status(es[i]), w)
		}
	}
	if o := es[1]["response"].(map[string]any)["outcome"].(map[string]any); o["resourceType"] != "OperationOutcome" {
		t.Errorf("a failed batch entry carries no OperationOutcome: %v", es[1])
	}
	if n := c.total("Patient"); n != 2 {
		t.Errorf("%d patients after the batch, want 2", n)
	}
}

func TestBundleLimits(t *testing.T) {
	c := testServer(t)
	var es []string
	for range 41 {
		es = append(es, `{"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}}`)
	}
	b := `{"resourceType":"Bundle","type":"transaction","entry":[` + strings.Join(es, ",") + `]}`
	if is := c.do("POST", "/fhir", b).want(t, 400).outcome(t); is[0]["code"] != "too-costly" {
		t.Errorf("41 entries: %v", is)
	}
	big := `{"resourceType":"Bundle","type":"batch","entry":[{"resource":{"resourceType":"Patient","name":[{"family":"` +
		strings.Repeat("x", 70<<10) + `"}]},"request":{"method":"POST","url":"Patient"}}]}`
	c.do("POST", "/fhir", big).want(t, 413).outcome(t)
	if n := c.total("Patient"); n != 0 {
		t.Errorf("%d patients stored by refused bundles", n)
	}
}

func TestTransactionIfNoneExistPointsReferencesAtTheMatch(t *testing.T) {
	c := testServer(t)
	existing := c.create()
	b := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"fullUrl":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a","resource":{"resourceType":"Patient"},
	  "request":{"method":"POST","url":"Patient","ifNoneExist":"identifier=http://clinic.example.org/mrn|000123"}},
	 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"}},
	  "request":{"method":"POST","url":"Observation"}}]}`
	es := entries(t, c.do("POST", "/fhir", b).want(t, 200))
	if status(es[0]) != "200 OK" {
		t.Errorf("matched conditional create: %q, want 200 OK", status(es[0]))
	}
	if n := c.total("Observation?subject=Patient/" + existing); n != 1 {
		t.Errorf("the Observation does not reference the matched patient (%d matches)", n)
	}
	if n := c.total("Patient"); n != 1 {
		t.Errorf("%d patients, want 1", n)
	}
}

func TestConditionalCreate(t *testing.T) {
	c := testServer(t)
	cond := "If-None-Exist: identifier=http://clinic.example.org/mrn|000123"
	first := c.do("POST", "/fhir/Patient", patientJSON, cond).want(t, 201).json(t)["id"]
	again := c.do("POST", "/fhir/Patient", patientJSON, cond).want(t, 200).json(t)["id"]
	if first != again {
		t.Errorf("a matching conditional create answered %v, want the match %v", again, first)
	}
	c.create()
	c.do("POST", "/fhir/Patient", patientJSON, cond).want(t, 412).outcome(t)
	c.do("POST", "/fhir/Patient", patientJSON, "If-None-Exist: nonsense=1").want(t, 400).outcome(t)
	if n := c.total("Patient"); n != 2 {
		t.Errorf("%d patients, want 2", n)
	}
}

// TestConcurrentConditionalCreates sends identical conditional creates at
// once: exactly one may create.
func TestConcurrentConditionalCreates(t *testing.T) {
	c := testServer(t)
	const n = 12
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = c.do("POST", "/fhir/Patient", patientJSON, "If-None-Exist: identifier=http://clinic.example.org/mrn|000123").StatusCode
		}()
	}
	wg.Wait()
	created := 0
	for _, code := range codes {
		switch code {
		case 201:
			created++
		case 200:
		default:
			t.Errorf("status %d", code)
		}
	}
	if created != 1 {
		t.Errorf("%d of %d concurrent conditional creates created; want exactly 1 (%v)", created, n, codes)
	}
	if got := c.total("Patient"); got != 1 {
		t.Errorf("%d patients stored, want 1", got)
	}
}

func TestConditionalUpdate(t *testing.T) {
	c := testServer(t)
	url := "/fhir/Patient?identifier=http://clinic.example.org/mrn|000123"
	r := c.do("PUT", url, patientJSON).want(t, 201)
	id := r.json(t)["id"].(string)
	r = c.do("PUT", url, strings.Replace(patientJSON, `"female"`, `"other"`, 1)).want(t, 200)
	if m := r.json(t); m["id"] != id || m["gender"] != "other" || m["meta"].(map[string]any)["versionId"] != "2" {
		t.Errorf("conditional update of the match: %v", m)
	}
	c.do("PUT", url, patientJSON, `If-Match: W/"1"`).want(t, 412)
	c.do("PUT", url, `{"resourceType":"Patient","id":"other-id","identifier":[{"system":"http://clinic.example.org/mrn","value":"000123"}]}`).want(t, 400)
	c.create()
	c.do("PUT", url, patientJSON).want(t, 412).outcome(t)
	c.do("PUT", "/fhir/Patient", patientJSON).want(t, 400).outcome(t)
}

func TestConditionalDelete(t *testing.T) {
	c := testServer(t)
	url := "/fhir/Patient?identifier=http://clinic.example.org/mrn|000123"
	c.do("DELETE", url).want(t, 204)
	id := c.create()
	c.do("DELETE", url).want(t, 204)
	c.do("GET", "/fhir/Patient/"+id).want(t, 410)
	c.create()
	c.create()
	c.do("DELETE", url).want(t, 412).outcome(t)
	if n := c.total("Patient"); n != 2 {
		t.Errorf("%d patients after a refused conditional delete, want 2", n)
	}
}

func TestJSONPatch(t *testing.T) {
	c := testServer(t)
	id := c.create()
	jp := "Content-Type: application/json-patch+json"
	r := c.do("PATCH", "/fhir/Patient/"+id, `[{"op":"test","path":"/gender","value":"female"},{"op":"replace","path":"/gender","value":"male"}]`, jp).want(t, 200)
	if m := r.json(t); m["gender"] != "male" || m["meta"].(map[string]any)["versionId"] != "2" {
		t.Errorf("patched: %v", m)
	}
	if n := c.total("Patient?gender=male"); n != 1 {
		t.Errorf("the patched value is not indexed (%d matches)", n)
	}
	c.do("PATCH", "/fhir/Patient/"+id, `[{"op":"test","path":"/gender","value":"female"},{"op":"remove","path":"/name"}]`, jp).want(t, 422).outcome(t)
	c.do("PATCH", "/fhir/Patient/"+id, `[{"op":"replace","path":"/gender","value":"robot"}]`, jp).want(t, 422).outcome(t)
	c.do("PATCH", "/fhir/Patient/"+id, `[{"op":"replace","path":"/id","value":"other"}]`, jp).want(t, 422).outcome(t)
	c.do("PATCH", "/fhir/Patient/"+id, `not json`, jp).want(t, 400).outcome(t)
	c.do("PATCH", "/fhir/Patient/"+id, `[{"op":"replace","path":"/gender","value":"other"}]`, jp, `If-Match: W/"1"`).want(t, 412)
	if m := c.do("GET", "/fhir/Patient/"+id).want(t, 200).json(t); m["meta"].(map[string]any)["versionId"] != "2" || m["name"] == nil {
		t.Errorf("a failed patch changed the resource: %v", m)
	}
	c.do("PATCH", "/fhir/Patient/missing", `[]`, jp).want(t, 404)
	c.do("PATCH", "/fhir/Patient?identifier=http://clinic.example.org/mrn|000123",
		`[{"op":"replace","path":"/gender","value":"other"}]`, jp).want(t, 200)
	c.do("PATCH", "/fhir/Patient/"+id, `[]`, "Content-Type: text/plain").want(t, 415)
}

func TestFHIRPathPatch(t *testing.T) {
	c := testServer(t)
	id := c.create()
	p := func(ops ...string) string {
		return `{"resourceType":"Parameters","parameter":[` + strings.Join(ops, ",") + `]}`
	}
	op := func(typ, path string, extra string) string {
		return fmt.Sprintf(`{"name":"operation","part":[{"name":"type","valueCode":%q},{"name":"path","valueString":%q}%s]}`, typ, path, extra)
	}
	r := c.do("PATCH", "/fhir/Patient/"+id, p(
		op("replace", "Patient.birthDate", `,{"name":"value","valueDate":"1990-01-02"}`),
		op("delete", "Patient.identifier", ""),
	)).want(t, 200)
	m := r.json(t)
	if m["birthDate"] != "1990-01-02" || m["identifier"] != nil {
		t.Errorf("FHIRPath patched: %v", m)
	}
	c.do("PATCH", "/fhir/Patient/"+id, p(op("replace", "Patient.telecom", `,{"name":"value","valueString":"x"}`))).want(t, 422).outcome(t)
	c.do("PATCH", "/fhir/Patient/"+id, p(op("explode", "Patient.name", ""))).want(t, 400).outcome(t)
	c.do("PATCH", "/fhir/Patient/"+id, `{"resourceType":"Patient"}`).want(t, 400).outcome(t)
}

func TestTransactionPatchEntries(t *testing.T) {
	c := testServer(t)
	id := c.create()
	b := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"resource":{"resourceType":"Binary","contentType":"application/json-patch+json","data":"W3sib3AiOiJyZXBsYWNlIiwicGF0aCI6Ii9nZW5kZXIiLCJ2YWx1ZSI6Im1hbGUifV0="},
	  "request":{"method":"PATCH","url":"Patient/` + id + `"}}]}`
	es := entries(t, c.do("POST", "/fhir", b).want(t, 200))
	if status(es[0]) != "200 OK" {
		t.Errorf("PATCH entry: %q", status(es[0]))
	}
	if g := c.do("GET", "/fhir/Patient/"+id).want(t, 200).json(t)["gender"]; g != "male" {
		t.Errorf("gender %v after the PATCH entry", g)
	}
}

func TestValidateOperation(t *testing.T) {
	c := testServer(t)
	is := c.do("POST", "/fhir/Patient/$validate", patientJSON).want(t, 200).outcome(t)
	if is[0]["severity"] != "information" {
		t.Errorf("valid resource: %v", is)
	}
	is = c.do("POST", "/fhir/Patient/$validate", `{"resourceType":"Patient","gender":"robot"}`).want(t, 200).outcome(t)
	if is[0]["severity"] != "error" {
		t.Errorf("invalid resource: %v", is)
	}
	params := `{"resourceType":"Parameters","parameter":[{"name":"mode","valueCode":"update"},{"name":"resource","resource":{"resourceType":"Patient","id":"nope"}}]}`
	c.do("POST", "/fhir/Patient/nope/$validate", params).want(t, 404)
	id := c.create()
	is = c.do("POST", "/fhir/Patient/"+id+"/$validate", params).want(t, 200).outcome(t)
	if is[0]["severity"] != "error" {
		t.Errorf("update with another id: %v", is)
	}
	c.do("POST", "/fhir/Patient/$validate", `{"resourceType":"Parameters","parameter":[{"name":"mode","valueCode":"wrong"}]}`).want(t, 400)
	if n := c.total("Patient"); n != 1 {
		t.Errorf("$validate stored something: %d patients", n)
	}
}

// genderPatch is a JSON Patch Binary setting gender to male.
const genderPatch = `{"resourceType":"Binary","contentType":"application/json-patch+json","data":"W3sib3AiOiJyZXBsYWNlIiwicGF0aCI6Ii9nZW5kZXIiLCJ2YWx1ZSI6Im1hbGUifV0="}`

func TestTransactionMixedWrites(t *testing.T) {
	c := testServer(t)
	put, patched := c.create(), c.create()
	b := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"resource":` + genderPatch + `,"request":{"method":"PATCH","url":"Patient/` + patched + `"}},
	 {"resource":{"resourceType":"Patient","id":"` + put + `","name":[{"family":"Put"}]},"request":{"method":"PUT","url":"Patient/` + put + `","ifMatch":"W/\"1\""}},
	 {"resource":{"resourceType":"Patient","id":"fresh"},"request":{"method":"PUT","url":"Patient/fresh"}},
	 {"fullUrl":"urn:uuid:0d1c2b3a-4f5e-4d6c-8b7a-000000000001","resource":{"resourceType":"Patient","name":[{"family":"Post"}]},"request":{"method":"POST","url":"Patient"}},
	 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"urn:uuid:0d1c2b3a-4f5e-4d6c-8b7a-000000000001"}},"request":{"method":"POST","url":"Observation"}}]}`
	es := entries(t, c.do("POST", "/fhir", b).want(t, 200))
	want := []string{"200 OK", "200 OK", "201 Created", "201 Created", "201 Created"}
	for i, e := range es {
		if status(e) != want[i] {
			t.Errorf("entry %d: %q, want %q", i, status(e), want[i])
		}
	}
	if loc := es[1]["response"].(map[string]any)["location"]; loc != "Patient/"+put+"/_history/2" {
		t.Errorf("PUT location %v", loc)
	}
	if g := c.do("GET", "/fhir/Patient/"+patched).want(t, 200).json(t)["gender"]; g != "male" {
		t.Errorf("gender %v after the PATCH entry", g)
	}
	if n := c.total("Observation?subject:Patient.family=post"); n != 1 {
		t.Errorf("%d observations of the posted patient", n)
	}
	h := entries(t, c.do("GET", "/fhir/Patient/"+patched+"/_history").want(t, 200))
	if m := h[0]["request"].(map[string]any)["method"]; m != "PATCH" {
		t.Errorf("history records the PATCH entry as %v", m)
	}
}

func TestHistoryRecordsPatch(t *testing.T) {
	c := testServer(t)
	id := c.create()
	c.do("PATCH", "/fhir/Patient/"+id, `[{"op":"replace","path":"/gender","value":"male"}]`,
		"Content-Type: application/json-patch+json").want(t, 200)
	h := entries(t, c.do("GET", "/fhir/Patient/"+id+"/_history").want(t, 200))
	if len(h) != 2 {
		t.Fatalf("%d versions, want 2", len(h))
	}
	for i, want := range []string{"PATCH", "POST"} {
		if m := h[i]["request"].(map[string]any)["method"]; m != want {
			t.Errorf("version %d recorded as %v, want %s", 2-i, m, want)
		}
	}
}

func TestTransactionPatchAndPutOfOneResource(t *testing.T) {
	c := testServer(t)
	id := c.create()
	b := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"resource":{"resourceType":"Patient","id":"` + id + `"},"request":{"method":"PUT","url":"Patient/` + id + `"}},
	 {"resource":` + genderPatch + `,"request":{"method":"PATCH","url":"Patient/` + id + `"}}]}`
	is := c.do("POST", "/fhir", b).want(t, 400).outcome(t)
	if !strings.Contains(is[0]["diagnostics"].(string), "Bundle.entry[1]") {
		t.Errorf("the outcome does not name the second write: %v", is)
	}
	if v := c.do("GET", "/fhir/Patient/"+id).want(t, 200).json(t)["meta"].(map[string]any)["versionId"]; v != "1" {
		t.Errorf("version %v after a rejected transaction", v)
	}
}

func TestBundleReadIfNoneMatch(t *testing.T) {
	c := testServer(t)
	id := c.create()
	b := `{"resourceType":"Bundle","type":"batch","entry":[
	 {"request":{"method":"GET","url":"Patient/` + id + `","ifNoneMatch":"W/\"1\""}},
	 {"request":{"method":"GET","url":"Patient/` + id + `","ifNoneMatch":"W/\"7\""}},
	 {"request":{"method":"GET","url":"Patient/` + id + `","ifModifiedSince":"2999-01-01T00:00:00Z"}},
	 {"request":{"method":"GET","url":"Patient/` + id + `","ifModifiedSince":"2001-01-01T00:00:00Z"}}]}`
	es := entries(t, c.do("POST", "/fhir", b).want(t, 200))
	for i, want := range []string{"304 Not Modified", "200 OK", "304 Not Modified", "200 OK"} {
		if status(es[i]) != want {
			t.Errorf("entry %d: %q, want %q", i, status(es[i]), want)
		}
		if _, has := es[i]["resource"]; has != (want == "200 OK") {
			t.Errorf("entry %d (%s) has a resource: %v", i, want, has)
		}
	}
}

func TestConditionalReferenceOutsideTransaction(t *testing.T) {
	c := testServer(t)
	obs := `{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient?identifier=http://mrn.example|V-1"}}`
	is := c.do("POST", "/fhir/Observation", obs).want(t, 400).outcome(t)
	if !strings.Contains(is[0]["diagnostics"].(string), "Patient?identifier") {
		t.Errorf("the outcome does not name the reference: %v", is)
	}
	b := `{"resourceType":"Bundle","type":"batch","entry":[{"resource":` + obs + `,"request":{"method":"POST","url":"Observation"}}]}`
	if s := status(entries(t, c.do("POST", "/fhir", b).want(t, 200))[0]); s != "400 Bad Request" {
		t.Errorf("batch entry with a conditional reference: %q", s)
	}
	c.do("POST", "/fhir/Observation", strings.Replace(obs, "Patient?identifier=http://mrn.example|V-1", "Patient/p1", 1)).want(t, 201)
	if n := c.total("Observation"); n != 1 {
		t.Errorf("%d observations stored, want 1", n)
	}
}

// A conditional update that matches nothing creates; with an id in the body
// it creates that resource, and refuses (409) when another resource, which
// the condition did not match, has the id.
func TestConditionalUpdateWithoutMatchDoesNotReplace(t *testing.T) {
	c := testServer(t)
	c.do("PUT", "/fhir/Patient/victim", `{"resourceType":"Patient","id":"victim","gender":"female"}`).want(t, 201)
	miss := "/fhir/Patient?identifier=urn:s|nomatch"
	body := `{"resourceType":"Patient","id":"victim","gender":"male"}`
	c.do("PUT", miss, body).want(t, 409).outcome(t)
	tx := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"resource":` + body + `,"request":{"method":"PUT","url":"Patient?identifier=urn:s|nomatch"}}]}`
	c.do("POST", "/fhir", tx).want(t, 409).outcome(t)
	got := c.do("GET", "/fhir/Patient/victim").want(t, 200).json(t)
	if got["gender"] != "female" || got["meta"].(map[string]any)["versionId"] != "1" {
		t.Errorf("the unmatched resource changed: %v", got)
	}
	r := c.do("PUT", miss, `{"resourceType":"Patient","id":"fresh-id"}`).want(t, 201).json(t)
	if r["id"] != "fresh-id" {
		t.Errorf("created %v, want the body's free id fresh-id", r["id"])
	}
}

// Resource identities must not overlap among the DELETE, POST and PUT/PATCH
// entries of a transaction; nothing of a refused one is done.
func TestTransactionOverlappingIdentities(t *testing.T) {
	c := testServer(t)
	id := c.create()
	put := `{"resource":{"resourceType":"Patient","id":"` + id + `","active":true},"request":{"method":"PUT","url":"Patient/` + id + `"}}`
	del := `{"request":{"method":"DELETE","url":"Patient/` + id + `"}}`
	condDel := `{"request":{"method":"DELETE","url":"Patient?identifier=http://clinic.example.org/mrn|000123"}}`
	for name, entries := range map[string]string{
		"delete and put":                 del + "," + put,
		"two deletes":                    del + "," + del,
		"delete by url and by condition": del + "," + condDel,
		"conditional delete and put":     condDel + "," + put,
	} {
		is := c.do("POST", "/fhir", `{"resourceType":"Bundle","type":"transaction","entry":[`+entries+`]}`).want(t, 400).outcome(t)
		if !strings.Contains(is[0]["diagnostics"].(string), "Bundle.entry[1]") {
			t.Errorf("%s: the outcome does not name the second entry: %v", name, is)
		}
	}
	if v := c.do("GET", "/fhir/Patient/"+id).want(t, 200).json(t)["meta"].(map[string]any)["versionId"]; v != "1" {
		t.Errorf("version %v after refused transactions", v)
	}
}

// An entry's issue points into the Bundle: at the entry's resource when it
// is about the resource, at the entry otherwise.
func TestEntryIssueExpressions(t *testing.T) {
	c := testServer(t)
	for body, want := range map[string]string{
		`{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"GET","url":"Patient"}},
		  {"resource":{"resourceType":"Patient","gender":"robot"},"request":{"method":"POST","url":"Patient"}}]}`: "Bundle.entry[1].resource.gender",
		`{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"}}]}`: "Bundle.entry[0]",
	} {
		is := c.do("POST", "/fhir", body).want(t, 400).outcome(t)
		exprs, _ := is[0]["expression"].([]any)
		if len(exprs) != 1 || exprs[0] != want {
			t.Errorf("expression %v, want [%s]", is[0]["expression"], want)
		}
	}
}

// bdl-7: a fullUrl names one entry of a Bundle, unless the entries sharing
// it hold different versions.
func TestBundleFullURLsAreUnique(t *testing.T) {
	c := testServer(t)
	entry := `{"fullUrl":"urn:uuid:aaaaaaaa-0000-0000-0000-000000000002","resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}}`
	for _, typ := range []string{"transaction", "batch"} {
		is := c.do("POST", "/fhir", `{"resourceType":"Bundle","type":"`+typ+`","entry":[`+entry+`,`+entry+`]}`).want(t, 400).outcome(t)
		if exprs, _ := is[0]["expression"].([]any); len(exprs) != 1 || exprs[0] != "Bundle.entry[1].fullUrl" {
			t.Errorf("%s: expression %v", typ, is[0]["expression"])
		}
	}
	if n := c.total("Patient"); n != 0 {
		t.Errorf("%d patients stored by refused bundles", n)
	}
	versions := `{"resourceType":"Bundle","type":"batch","entry":[
	 {"fullUrl":"http://other.example/Patient/x","resource":{"resourceType":"Patient","meta":{"versionId":"1"}},"request":{"method":"POST","url":"Patient"}},
	 {"fullUrl":"http://other.example/Patient/x","resource":{"resourceType":"Patient","meta":{"versionId":"2"}},"request":{"method":"POST","url":"Patient"}}]}`
	c.do("POST", "/fhir", versions).want(t, 200)
}

// Links to entries in a narrative (<a href>, <img src>) are rewritten with
// the references.
func TestTransactionRewritesNarrativeLinks(t *testing.T) {
	c := testServer(t)
	pat := "urn:uuid:11111111-2222-3333-4444-555555555555"
	div := `<div xmlns=\"http://www.w3.org/1999/xhtml\">See <a href=\"` + pat + `\">the patient</a> <img src='` + pat + `'/> and <a href=\"urn:uuid:99999999-2222-3333-4444-555555555555\">another</a></div>`
	b := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"fullUrl":"` + pat + `","resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},
	 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"` + pat + `"},
	  "text":{"status":"generated","div":"` + div + `"}},"request":{"method":"POST","url":"Observation"}}]}`
	es := entries(t, c.do("POST", "/fhir", b).want(t, 200))
	patID := strings.Split(es[0]["response"].(map[string]any)["location"].(string), "/")[1]
	obsID := strings.Split(es[1]["response"].(map[string]any)["location"].(string), "/")[1]
	got := c.do("GET", "/fhir/Observation/"+obsID).want(t, 200).json(t)["text"].(map[string]any)["div"].(string)
	for _, want := range []string{`href="Patient/` + patID + `"`, `src='Patient/` + patID + `'`, `href="urn:uuid:99999999-2222-3333-4444-555555555555"`} {
		if !strings.Contains(got, want) {
			t.Errorf("narrative lacks %s: %s", want, got)
		}
	}
}

// A batch answers every entry, the ones it could not parse included, with
// 200: an error for the whole request would hide the writes it made.
func TestBatchWithAnUnparsableLastEntry(t *testing.T) {
	c := testServer(t)
	id := c.create()
	b := `{"resourceType":"Bundle","type":"batch","entry":[
	 {"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},
	 {"request":{"method":"HEAD","url":"Patient/` + id + `"}},
	 {"request":{"method":"GET","url":"Patient/` + id + `/_history/01"}},
	 {"request":{"method":"GET","url":"Foo/1"}}]}`
	es := entries(t, c.do("POST", "/fhir", b).want(t, 200))
	for i, want := range []string{"201 Created", "200 OK", "400 Bad Request", "404 Not Found"} {
		if status(es[i]) != want {
			t.Errorf("entry %d: %q, want %q", i, status(es[i]), want)
		}
	}
	if _, has := es[1]["resource"]; has {
		t.Errorf("a HEAD entry carries the resource")
	}
	if n := c.total("Patient"); n != 2 {
		t.Errorf("%d patients, want 2", n)
	}
	c.do("GET", "/fhir/Patient/"+id+"/_history/01").want(t, 404)
	c.do("GET", "/fhir/Patient/"+id+"/_history/1").want(t, 200)
}
