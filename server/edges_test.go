package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// The ids "." and ".." are valid FHIR ids, but no URL can name them (RFC
// 3986 removes dot segments: Patient/../_history/1 is _history/1), so the
// server refuses to store them, with the reason; "-" is an id like any
// other.
func TestDotSegmentIDsAreRefused(t *testing.T) {
	c := testServer(t)
	for _, id := range []string{".", ".."} {
		r := c.do("PUT", "/fhir/Patient/"+id, `{"resourceType":"Patient","id":"`+id+`"}`)
		if r.StatusCode != 400 {
			t.Errorf("PUT Patient/%s: status %d, want 400: %s", id, r.StatusCode, r.body)
			continue
		}
		if is := r.outcome(t); !strings.Contains(is[0]["diagnostics"].(string), "dot") {
			t.Errorf("PUT Patient/%s: the outcome does not give the reason: %v", id, is[0])
		}
		tx := `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","id":"` + id +
			`"},"request":{"method":"PUT","url":"Patient/` + id + `"}}]}`
		c.do("POST", "/fhir", tx).want(t, 400).outcome(t)
		cond := `{"resourceType":"Patient","id":"` + id + `","identifier":[{"system":"urn:dot","value":"1"}]}`
		c.do("PUT", "/fhir/Patient?identifier=urn:dot|1", cond).want(t, 400).outcome(t)
	}
	r := c.do("PUT", "/fhir/Patient/-", `{"resourceType":"Patient","id":"-"}`).want(t, 201)
	if loc := r.Header.Get("Location"); !strings.HasSuffix(loc, "/Patient/-/_history/1") {
		t.Errorf("Location %q", loc)
	}
}

// A body is FHIR JSON in UTF-8, and says so: no Content-Type, or another
// charset, is 415.
func TestBodiesNeedAJSONContentTypeInUTF8(t *testing.T) {
	c := testServer(t)
	body := `{"resourceType":"Patient","gender":"male"}`
	for _, ct := range []string{"", "application/fhir+json; charset=latin1", "application/json; charset=ISO-8859-1"} {
		req, err := c.request("POST", "/fhir/Patient", body)
		if err != nil {
			t.Fatal(err)
		}
		if ct == "" {
			req.Header.Del("Content-Type")
		} else {
			req.Header.Set("Content-Type", ct)
		}
		resp, b, err := send(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("POST with Content-Type %q: status %d, want 415: %s", ct, resp.StatusCode, b)
		}
	}
	for _, ct := range []string{"application/fhir+json; charset=utf-8", "application/fhir+json;charset=UTF-8", "application/json"} {
		c.do("POST", "/fhir/Patient", body, "Content-Type: "+ct).want(t, 201)
	}
}
