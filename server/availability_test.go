package server_test

import (
	"testing"
	"time"

	"github.com/fhirbase-go/fhird/server"
	"github.com/fhirbase-go/fhird/store"
	"github.com/fhirbase-go/fhird/store/storetest"
)

// want503 checks a 503 that says when to retry and why.
func want503(t *testing.T, r *response, code string, within time.Duration, took time.Duration) {
	t.Helper()
	r.want(t, 503)
	if got := r.Header.Get("Retry-After"); got == "" {
		t.Errorf("%s %s: a 503 without Retry-After", r.Request.Method, r.Request.URL)
	}
	if is := r.outcome(t); is[0]["code"] != code {
		t.Errorf("%s %s: issue code %v, want %s: %s", r.Request.Method, r.Request.URL, is[0]["code"], code, r.body)
	}
	if took > within {
		t.Errorf("%s %s took %v, want at most %v", r.Request.Method, r.Request.URL, took, within)
	}
}

// A request that runs out of time, waiting for a lock or for a
// connection, is the server's condition: 503 with Retry-After, never 400
// or 500.
func TestRequestDeadlineAnswers503(t *testing.T) {
	db := storetest.Fresh(t, nil)
	c := ownServer(t, db.Store, func(cfg *server.Config) { cfg.RequestTimeout = 400 * time.Millisecond })
	db.LockTable(t, "patient", 0)
	for _, path := range []string{"/fhir/Patient/p1", "/fhir/Patient?name=x", "/fhir/Patient/p1/_history"} {
		start := time.Now()
		r := c.do("GET", path)
		want503(t, r, "timeout", 5*time.Second, time.Since(start))
	}
	start := time.Now()
	r := c.do("PUT", "/fhir/Patient/p1", `{"resourceType":"Patient","id":"p1"}`)
	want503(t, r, "timeout", 5*time.Second, time.Since(start))
}

func TestStatementTimeoutAnswers503(t *testing.T) {
	db := storetest.Fresh(t, func(c *store.Config) { c.StatementTimeout = 300 * time.Millisecond })
	c := ownServer(t, db.Store, nil)
	db.LockTable(t, "patient", 0)
	start := time.Now()
	r := c.do("GET", "/fhir/Patient?name=x")
	want503(t, r, "timeout", 5*time.Second, time.Since(start))
}
