package store_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/search"
	"github.com/fhirbase-go/fhird/store"
	"github.com/fhirbase-go/fhird/store/storetest"
)

// wantUnavailable fails unless err is a 503 kind with the issue code,
// and took less than within.
func wantUnavailable(t *testing.T, what string, err error, took, within time.Duration, code fhir.IssueType) {
	t.Helper()
	fe, ok := fhir.AsError(err)
	switch {
	case !ok || fe.Kind != fhir.KindUnavailable:
		t.Errorf("%s: %v (kind %v), want KindUnavailable", what, err, fhir.KindOf(err))
	case fe.Issues[0].Code != code:
		t.Errorf("%s: issue code %s (%s), want %s", what, fe.Issues[0].Code, fe.Issues[0].Diagnostics, code)
	}
	if took > within {
		t.Errorf("%s took %v; it must give up within %v", what, took, within)
	}
}

// The statement timeout bounds every statement, its preparation
// included: on a connection that has not prepared it yet, preparing waits
// for the table's lock too.
func TestStatementTimeoutCoversPreparation(t *testing.T) {
	db := storetest.Fresh(t, func(c *store.Config) { c.StatementTimeout = 500 * time.Millisecond })
	ctx, _ := storetest.Tenant(t)
	db.LockTable(t, "patient", 15*time.Second)
	start := time.Now()
	_, err := db.Store.Read(ctx, "Patient", "p1")
	wantUnavailable(t, "a first read behind a table lock", err, time.Since(start), 5*time.Second, fhir.IssueTimeout)
}

// A statement that runs out of time is the server's condition (503), not
// a query the client should not have asked (400 too-costly).
func TestStatementTimeoutIsUnavailable(t *testing.T) {
	db := storetest.Fresh(t, func(c *store.Config) { c.StatementTimeout = 500 * time.Millisecond })
	ctx, _ := storetest.Tenant(t)
	if _, err := db.Store.Read(ctx, "Patient", "p1"); fhir.KindOf(err) != fhir.KindNotFound {
		t.Fatalf("read before the lock: %v", err)
	}
	db.LockTable(t, "patient", 15*time.Second)
	start := time.Now()
	_, err := db.Store.Read(ctx, "Patient", "p1")
	wantUnavailable(t, "a prepared read behind a table lock", err, time.Since(start), 5*time.Second, fhir.IssueTimeout)
}

// The request's deadline bounds the wait even when the statement timeout
// is longer.
func TestRequestDeadlineBoundsTheWait(t *testing.T) {
	db := storetest.Fresh(t, nil)
	ctx, _ := storetest.Tenant(t)
	db.LockTable(t, "patient", 15*time.Second)
	ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := db.Store.Read(ctx, "Patient", "p1")
	wantUnavailable(t, "a read past the request's deadline", err, time.Since(start), 5*time.Second, fhir.IssueTimeout)
	_, err = db.Store.Search(ctx, mustParse(t, "Patient", "name=x"), nil)
	wantUnavailable(t, "a search after the deadline", err, time.Since(start), 5*time.Second, fhir.IssueTimeout)
}

// With every connection busy, a request waits for one at most the acquire
// timeout, and no more than MaxWaiting requests wait at once; readiness
// has a connection of its own.
func TestPoolQueueIsBounded(t *testing.T) {
	db := storetest.Fresh(t, func(c *store.Config) {
		c.MaxConns, c.MinConns = 2, 0
		c.AcquireTimeout, c.MaxWaiting = 400*time.Millisecond, 2
		c.StatementTimeout = 20 * time.Second
	})
	ctx, _ := storetest.Tenant(t)
	db.LockTable(t, "patient", 10*time.Second)
	var wg sync.WaitGroup
	defer wg.Wait()
	for range 2 { // both connections wait for the lock
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = db.Store.Read(ctx, "Patient", "p1") }()
	}
	deadline := time.Now().Add(5 * time.Second)
	for db.Store.Stat().AcquiredConns() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the two blocked reads never held the pool's two connections")
		}
		time.Sleep(10 * time.Millisecond)
	}

	start := time.Now()
	_, err := db.Store.Read(ctx, "Organization", "o1")
	wantUnavailable(t, "a read while every connection is busy", err, time.Since(start), 3*time.Second, fhir.IssueTimeout)

	// Fill the queue, then one more is refused at once.
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = db.Store.Read(ctx, "Organization", "o1") }()
	}
	time.Sleep(100 * time.Millisecond)
	_, err = db.Store.Read(ctx, "Organization", "o1")
	wantUnavailable(t, "a read past a full queue", err, 0, time.Second, fhir.IssueThrottled)
	if fe, ok := fhir.AsError(err); ok && !strings.Contains(fe.Issues[0].Diagnostics, "busy") {
		t.Errorf("the refusal does not say the server is busy: %s", fe.Issues[0].Diagnostics)
	}

	rctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := db.Store.Ready(rctx); err != nil {
		t.Errorf("readiness with the pool exhausted: %v; it must not queue behind requests", err)
	}
}

func mustParse(t *testing.T, typ, query string) *search.Query {
	t.Helper()
	rt, _ := fhir.LookupType(typ)
	params, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	q, err := search.Parse(rt, params, search.Options{DefaultCount: 50, MaxCount: 100, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return q
}
