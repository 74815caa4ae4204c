package store_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/search"
	"github.com/fhirbase-go/fhird/store/storetest"
)

// TestExecCountsTheRowsOfOneTenant runs a compiled search through Exec
// and checks that it drains the matches of its own tenant and none of
// another's, even when the compiled SQL is the one of the other tenant.
func TestExecCountsTheRowsOfOneTenant(t *testing.T) {
	db := storetest.Shared(t)
	ctx, tenant := storetest.Tenant(t)
	other, _ := storetest.Tenant(t)
	for _, f := range []string{"Floor", "Flores", "Smith"} {
		mustCreate(t, db.Store, ctx, "Patient", patient(f))
	}
	mustCreate(t, db.Store, other, "Patient", patient("Florian"))
	pt, _ := fhir.LookupType("Patient")
	q, err := search.Parse(pt, url.Values{"name": {"flo"}}, search.Options{DefaultCount: 50, MaxCount: 100,
		Now: time.Now().UTC(), Limits: search.DefaultLimits})
	if err != nil {
		t.Fatal(err)
	}
	st, err := search.Compile(q, tenant, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := db.Store.Exec(ctx, st); err != nil || n != 2 {
		t.Errorf("Exec in the tenant = %d, %v; want 2 rows", n, err)
	}
	if n, err := db.Store.Exec(other, st); err != nil || n != 0 {
		t.Errorf("Exec of the tenant's SQL from another tenant = %d, %v; want 0 rows", n, err)
	}
	if v, err := db.Store.ServerVersion(ctx); err != nil || v == "" {
		t.Errorf("ServerVersion = %q, %v", v, err)
	}
}
