package server_test

import (
	"strings"
	"testing"
)

// An If-Match tag that is well formed but names no version this server
// could have issued (W/"abc") is a version that does not match: 412, as
// http.html#concurrency says, on every write that honours If-Match. Only a
// header that is not an entity tag at all stays 400.
func TestIfMatchForeignTag(t *testing.T) {
	c := testServer(t)
	id := c.create()
	body := strings.Replace(patientJSON, `"resourceType":"Patient",`, `"resourceType":"Patient","id":"`+id+`",`, 1)
	jp := "Content-Type: application/json-patch+json"
	for _, tag := range []string{`W/"abc"`, `"abc"`, `W/""`, `W/"0"`, `W/"-1"`, `W/"99999999999999999999"`} {
		h := "If-Match: " + tag
		c.do("PUT", "/fhir/Patient/"+id, body, h).want(t, 412).outcome(t)
		c.do("PUT", "/fhir/Patient?identifier=http://clinic.example.org/mrn|000123", body, h).want(t, 412).outcome(t)
		c.do("PATCH", "/fhir/Patient/"+id, `[{"op":"replace","path":"/gender","value":"male"}]`, jp, h).want(t, 412).outcome(t)
		c.do("DELETE", "/fhir/Patient/"+id, "", h).want(t, 412).outcome(t)
	}
	for _, tag := range []string{`nonsense`, `W/abc`, `W/"a"b"`, `"unterminated`} {
		c.do("PUT", "/fhir/Patient/"+id, body, "If-Match: "+tag).want(t, 400).outcome(t)
	}
	if m := c.do("GET", "/fhir/Patient/"+id).want(t, 200).json(t); m["meta"].(map[string]any)["versionId"] != "1" {
		t.Errorf("a failed precondition wrote a version: %v", m["meta"])
	}
}

func TestIfMatchForeignTagInBundles(t *testing.T) {
	c := testServer(t)
	id := c.create()
	entry := `{"resource":{"resourceType":"Patient","id":"` + id + `","gender":"male"},
	  "request":{"method":"PUT","url":"Patient/` + id + `","ifMatch":"W/\"abc\""}}`
	c.do("POST", "/fhir", `{"resourceType":"Bundle","type":"transaction","entry":[`+entry+`]}`).want(t, 412).outcome(t)
	del := `{"request":{"method":"DELETE","url":"Patient/` + id + `","ifMatch":"W/\"abc\""}}`
	c.do("POST", "/fhir", `{"resourceType":"Bundle","type":"transaction","entry":[`+del+`]}`).want(t, 412).outcome(t)
	m := c.do("POST", "/fhir", `{"resourceType":"Bundle","type":"batch","entry":[`+entry+`,`+del+`]}`).want(t, 200).json(t)
	for i, e := range m["entry"].([]any) {
		if s := e.(map[string]any)["response"].(map[string]any)["status"].(string); !strings.HasPrefix(s, "412") {
			t.Errorf("batch entry %d: status %q, want 412", i, s)
		}
	}
}
