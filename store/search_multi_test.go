package store_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/search"
	"github.com/fhirbase-go/fhird/store/storetest"
)

// TestMultiTiming measures the statements of a compartment search of every
// type and of $everything for one patient of a generated tenant (the
// dataset of TestSearchExplain), as the server role, planned once
// (generic plan, as the store runs them) and then executed repeatedly. It
// logs the figures; it asserts only that the statements run.
func TestMultiTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 26k resources; not under -short")
	}
	db := storetest.Shared(t)
	ctx, tenant := storetest.Tenant(t)
	took := loadTenants(t, map[context.Context]searchDataset{ctx: explainSize}, 8)
	t.Logf("loaded %d resources in %s", explainSize.total(), took.Round(time.Millisecond))
	comp, _ := fhir.LookupCompartment("Patient")
	m := &search.Multi{Compartment: search.Compartment{Type: "Patient", ID: "pat-00007"}, Count: 50, Limits: search.DefaultLimits}
	parse := func(ts []*fhir.ResourceType) []*search.Query {
		var out []*search.Query
		for _, rt := range ts {
			q, err := search.Parse(rt, url.Values{}, search.Options{DefaultCount: 50, MaxCount: 1000})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, q)
		}
		return out
	}
	m.Members = parse(comp.Types())
	var other []*fhir.ResourceType
	for _, rt := range fhir.Types() {
		if !rt.InCompartment("Patient") {
			other = append(other, rt)
		}
	}
	m.Referenced = parse(other)
	members, err := search.CompileMembers(m, tenant, nil)
	if err != nil {
		t.Fatal(err)
	}
	refs, err := search.CompileReferenced(m, tenant, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	for name, st := range map[string]search.Statement{"members": members, "referenced": refs} {
		for _, mode := range []string{"force_generic_plan", "force_custom_plan"} {
			first, mean, rows := timeStatement(t, db.AppURL, tenant, mode, st, 200)
			t.Logf("%s of %d types, %s: %d rows, first execution (planning included) %s, then %s each",
				name, len(m.Members), mode, rows, first.Round(time.Microsecond), mean.Round(time.Microsecond))
		}
	}
}

// timeStatement runs st n+1 times in one transaction of the server role
// with the given plan_cache_mode, and returns the time of the first run, the mean of
// the others and the row count.
func timeStatement(t *testing.T, appURL, tenant, mode string, st search.Statement, n int) (first, mean time.Duration, rows int) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, appURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT set_config('fhir.tenant', $1, true), set_config('plan_cache_mode', $2, true)`, tenant, mode); err != nil {
		t.Fatal(err)
	}
	run := func() int {
		r, err := tx.Query(ctx, st.SQL, st.Args...)
		if err != nil {
			t.Fatal(err)
		}
		k := 0
		for r.Next() {
			k++
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		return k
	}
	start := time.Now()
	rows = run()
	first = time.Since(start)
	start = time.Now()
	for range n {
		run()
	}
	return first, time.Since(start) / time.Duration(n), rows
}
