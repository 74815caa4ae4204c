package store_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/search"
	"github.com/fhirbase-go/fhird/store"
	"github.com/fhirbase-go/fhird/store/storetest"
)

// _total=estimate answers the planner's estimate, planned under the
// tenant: close to the truth on a tenant of a known size once the table
// is analyzed, and never below what the page shows; a small estimate is
// replaced by the exact count.
func TestTotalEstimate(t *testing.T) {
	db := storetest.Fresh(t, nil)
	ctx, _ := storetest.Tenant(t)
	const n, males = 2000, 500
	for b := 0; b < n; b += 500 {
		var ws []fhir.Write
		for i := b; i < b+500; i++ {
			res := patient(fmt.Sprintf("Family%04d", i))
			if i < males {
				res["gender"] = "male"
			}
			ws = append(ws, fhir.Write{Method: "POST", Type: "Patient", ID: fmt.Sprintf("p%04d", i), Res: res})
		}
		if _, err := db.Store.WriteAll(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	analyze(t, db.OwnerURL)
	restore := store.SetExactCountBelow(100)
	defer restore()

	for query, want := range map[string]int64{"": n, "gender=male": males, "gender=female": n - males} {
		got := total(t, db.Store, ctx, query+"&_total=estimate&_count=10")
		if got < want*7/10 || got > want*13/10 {
			t.Errorf("%s: estimate %d, want about %d", query, got, want)
		}
		t.Logf("%s: estimate %d of %d", query, got, want)
		if exact := total(t, db.Store, ctx, query+"&_total=accurate"); exact != want {
			t.Errorf("%s: accurate total %d, want %d", query, exact, want)
		}
	}
	// Fewer matches than the threshold: counted exactly.
	store.SetExactCountBelow(1000)
	if got := total(t, db.Store, ctx, "family=family000&_total=estimate"); got != 10 {
		t.Errorf("small estimate: total %d, want the exact 10", got)
	}
	if got := total(t, db.Store, ctx, "_total=none&_count=10"); got != -1 {
		t.Errorf("_total=none: total %d, want none", got)
	}
}

// total runs a Patient search and returns its total (-1 for none).
func total(t *testing.T, st *store.Store, ctx context.Context, query string) int64 {
	t.Helper()
	params, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	pt, _ := fhir.LookupType("Patient")
	q, err := search.Parse(pt, params, search.Options{DefaultCount: 50, MaxCount: 100, BaseURL: "http://x/fhir", Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.Search(ctx, q, nil)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return p.Total
}
