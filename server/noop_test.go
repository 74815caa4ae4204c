package server_test

import (
	"strings"
	"testing"
)

// historyCount is the number of versions of Patient/id.
func (c *client) historyCount(id string) int {
	c.t.Helper()
	m := c.do("GET", "/fhir/Patient/"+id+"/_history?_count=100").want(c.t, 200).json(c.t)
	es, _ := m["entry"].([]any)
	return len(es)
}

// wantVersion fails the test unless r answers version v of a resource,
// in its body and its ETag.
func (r *response) wantVersion(t *testing.T, v string) {
	t.Helper()
	m := r.json(t)
	if got := m["meta"].(map[string]any)["versionId"]; got != v || r.Header.Get("ETag") != `W/"`+v+`"` {
		t.Errorf("version %v, ETag %q, want %s", got, r.Header.Get("ETag"), v)
	}
}

// A write that changes nothing but meta.versionId and meta.lastUpdated
// makes no new version: it answers 200 with the current version.
func TestNoOpUpdate(t *testing.T) {
	c := testServer(t)
	id := c.create()
	body := strings.Replace(patientJSON, `"resourceType":"Patient",`, `"resourceType":"Patient","id":"`+id+`",`, 1)
	first := c.do("GET", "/fhir/Patient/"+id).want(t, 200).json(t)
	c.do("PUT", "/fhir/Patient/"+id, body).want(t, 200).wantVersion(t, "1")
	c.do("PUT", "/fhir/Patient/"+id, body, `If-Match: W/"1"`).want(t, 200).wantVersion(t, "1")
	withMeta := strings.Replace(body, `"id":"`+id+`",`, `"id":"`+id+`","meta":{"versionId":"7","lastUpdated":"2001-01-01T00:00:00Z"},`, 1)
	r := c.do("PUT", "/fhir/Patient/"+id, withMeta).want(t, 200)
	r.wantVersion(t, "1")
	if got := r.json(t)["meta"].(map[string]any)["lastUpdated"]; got != first["meta"].(map[string]any)["lastUpdated"] {
		t.Errorf("a no-op update answered lastUpdated %v, want the current %v", got, first["meta"].(map[string]any)["lastUpdated"])
	}
	c.do("PUT", "/fhir/Patient?identifier=http://clinic.example.org/mrn|000123", body).want(t, 200).wantVersion(t, "1")
	jp := "Content-Type: application/json-patch+json"
	c.do("PATCH", "/fhir/Patient/"+id, `[{"op":"replace","path":"/gender","value":"female"}]`, jp).want(t, 200).wantVersion(t, "1")
	tx := `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":` + body + `,"request":{"method":"PUT","url":"Patient/` + id + `"}}]}`
	m := c.do("POST", "/fhir", tx).want(t, 200).json(t)
	if e := m["entry"].([]any)[0].(map[string]any)["response"].(map[string]any); e["etag"] != `W/"1"` || !strings.HasPrefix(e["status"].(string), "200") {
		t.Errorf("transaction no-op response %v", e)
	}
	if n := c.historyCount(id); n != 1 {
		t.Errorf("%d versions after no-op writes, want 1", n)
	}

	tagged := strings.Replace(body, `"id":"`+id+`",`, `"id":"`+id+`","meta":{"tag":[{"code":"t"}]},`, 1)
	c.do("PUT", "/fhir/Patient/"+id, tagged).want(t, 200).wantVersion(t, "2")
	c.do("PATCH", "/fhir/Patient/"+id, `[{"op":"replace","path":"/gender","value":"male"}]`, jp).want(t, 200).wantVersion(t, "3")
	if n := c.total("Patient?gender=male&_id=" + id); n != 1 {
		t.Errorf("the changed gender is not indexed")
	}
	c.do("DELETE", "/fhir/Patient/"+id).want(t, 204)
	c.do("PUT", "/fhir/Patient/"+id, tagged).want(t, 201).wantVersion(t, "5")
	if n := c.historyCount(id); n != 5 {
		t.Errorf("%d versions, want 5", n)
	}
}
