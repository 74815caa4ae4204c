package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// links returns a bundle's links by relation.
func links(b map[string]any) map[string]string {
	out := map[string]string{}
	for _, l := range b["link"].([]any) {
		m := l.(map[string]any)
		out[m["relation"].(string)] = m["url"].(string)
	}
	return out
}

// follow returns the path and query of an absolute link on the test base.
func follow(link string) string {
	u, _ := url.Parse(link)
	return u.RequestURI()
}

func TestHistoryBundles(t *testing.T) {
	c := testServer(t)
	id := c.create()
	body := strings.Replace(patientJSON, `"resourceType":"Patient",`, `"resourceType":"Patient","id":"`+id+`",`, 1)
	c.do("PUT", "/fhir/Patient/"+id, strings.Replace(body, "female", "other", 1)).want(t, 200)
	c.do("DELETE", "/fhir/Patient/"+id).want(t, 204)

	b := c.do("GET", "/fhir/Patient/"+id+"/_history").want(t, 200).json(t)
	if b["resourceType"] != "Bundle" || b["type"] != "history" {
		t.Fatalf("not a history bundle: %v", b)
	}
	entries := b["entry"].([]any)
	var methods []string
	for _, e := range entries {
		methods = append(methods, e.(map[string]any)["request"].(map[string]any)["method"].(string))
	}
	if strings.Join(methods, ",") != "DELETE,PUT,POST" {
		t.Errorf("methods newest first = %v", methods)
	}
	del := entries[0].(map[string]any)
	if _, has := del["resource"]; has {
		t.Error("the deletion entry carries a resource")
	}
	if !strings.HasPrefix(del["response"].(map[string]any)["status"].(string), "204") {
		t.Errorf("deletion status %v", del["response"])
	}
	if links(b)["self"] == "" {
		t.Error("no self link")
	}
}

func TestHistoryPagingFollowsNextToTheEnd(t *testing.T) {
	c := testServer(t)
	ids := map[string]bool{}
	for i := 0; i < 7; i++ {
		ids[c.create()] = true
	}
	c.do("POST", "/fhir/Organization", `{"resourceType":"Organization","name":"Clinic"}`).want(t, 201)
	for _, start := range []string{"/fhir/Patient/_history?_count=3", "/fhir/_history?_count=2"} {
		seen := map[string]int{}
		path := start
		for pages := 0; path != ""; pages++ {
			if pages > 10 {
				t.Fatal("too many pages")
			}
			b := c.do("GET", path).want(t, 200).json(t)
			entries, _ := b["entry"].([]any)
			for _, e := range entries {
				seen[e.(map[string]any)["fullUrl"].(string)]++
			}
			path = ""
			if next, ok := links(b)["next"]; ok {
				path = follow(next)
			}
		}
		want := 7
		if strings.HasPrefix(start, "/fhir/_history") {
			want = 8
		}
		if len(seen) != want {
			t.Errorf("%s: %d resources over all pages, want %d", start, len(seen), want)
		}
		for u, n := range seen {
			if n != 1 {
				t.Errorf("%s: %s listed %d times", start, u, n)
			}
		}
	}
}

func TestPageTokensCannotBeForgedOrMoved(t *testing.T) {
	a := testServer(t)
	for i := 0; i < 3; i++ {
		a.create()
	}
	b := a.do("GET", "/fhir/Patient/_history?_count=1").want(t, 200).json(t)
	next := follow(links(b)["next"])
	a.do("GET", next).want(t, 200)
	other := testServer(t)
	other.do("GET", next).want(t, 400).outcome(t) // another tenant
	tampered := next[:len(next)-3] + "AAA"
	a.do("GET", tampered).want(t, 400).outcome(t)
	a.do("GET", strings.Replace(next, "_count=1", "_count=2", 1)).want(t, 400).outcome(t)
	a.do("GET", "/fhir/Patient/_history?_count=zero").want(t, 400).outcome(t)
	a.do("GET", "/fhir/Patient/_history?_since=yesterday").want(t, 400).outcome(t)
}

// The history of a resource that never existed is 404; of one that exists,
// even with no version in range, an empty Bundle.
func TestHistoryOfAnUnknownResource(t *testing.T) {
	c := testServer(t)
	c.do("GET", "/fhir/Patient/never-was/_history").want(t, 404).outcome(t)
	id := c.create()
	b := c.do("GET", "/fhir/Patient/"+id+"/_history?_since=2999-01-01T00:00:00Z").want(t, 200).json(t)
	if b["type"] != "history" || b["entry"] != nil {
		t.Errorf("history past every version: %v", b)
	}
	c.do("DELETE", "/fhir/Patient/"+id).want(t, 204)
	if es := c.do("GET", "/fhir/Patient/"+id+"/_history").want(t, 200).json(t)["entry"].([]any); len(es) != 2 {
		t.Errorf("history of a deleted resource: %d entries, want 2", len(es))
	}
}

// A search page token says nothing a client can read: its row numbers
// come from a sequence all tenants share.
func TestPageTokensAreOpaque(t *testing.T) {
	c := testServer(t)
	for i := 0; i < 3; i++ {
		c.create()
	}
	next := links(c.do("GET", "/fhir/Patient?_count=1").want(t, 200).json(t))["next"]
	u, err := url.Parse(next)
	if err != nil {
		t.Fatal(err)
	}
	token := u.Query().Get("_page_token")
	for _, part := range strings.Split(token, ".") {
		if raw, err := base64.RawURLEncoding.DecodeString(part); err == nil && (bytes.Contains(raw, []byte(`"p"`)) || json.Valid(raw)) {
			t.Errorf("the page token holds readable JSON: %s", raw)
		}
	}
	c.do("GET", follow(next)).want(t, 200)
}
