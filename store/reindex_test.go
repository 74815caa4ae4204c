package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/store"
	"github.com/fhirbase-go/fhird/store/storetest"
)

// seedPatients creates n patients named O'Brien<i> and returns their ids.
func seedPatients(t *testing.T, st *store.Store, ctx context.Context, n int) []string {
	t.Helper()
	var ws []fhir.Write
	for i := range n {
		ws = append(ws, fhir.Write{Method: "POST", Type: "Patient", ID: fmt.Sprintf("r%03d", i), Res: patient(fmt.Sprintf("O'Brien%03d", i))})
	}
	out, err := st.WriteAll(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(out))
	for i, w := range out {
		ids[i] = w.ID
	}
	return ids
}

// corrupt leaves the tenant's index as an older server would have: string
// rows folded the old way (punctuation kept), a token row missing, a row
// of no resource.
func corrupt(t *testing.T, tenant string) {
	t.Helper()
	ownerExec(t, `UPDATE patient_str SET norm = lower(exact) WHERE tenant_id = $1 AND exact LIKE '%''%'`, tenant)
	ownerExec(t, `DELETE FROM patient_tok WHERE tenant_id = $1 AND pk = (SELECT min(pk) FROM patient WHERE tenant_id = $1)`, tenant)
	ownerExec(t, `INSERT INTO patient_tok (tenant_id, pk, h) VALUES ($1, 9223372036854775000, 42)`, tenant)
}

func TestReindexFixesOldRows(t *testing.T) {
	db := storetest.Shared(t)
	ctx, tenant := storetest.Tenant(t)
	seedPatients(t, db.Store, ctx, 30)
	corrupt(t, tenant)
	if rep, err := db.Store.VerifyIndex(ctx); err != nil || len(rep.Problems) == 0 {
		t.Fatalf("the corrupted index verifies: %v %v", rep, err)
	}
	if n := total(t, db.Store, ctx, "family=obrien001&_total=accurate"); n != 0 {
		t.Fatalf("old rows already match the new folding (%d)", n)
	}
	var calls int
	rep, err := db.Store.Reindex(ctx, store.ReindexOptions{Batch: 7, Progress: func(store.ReindexProgress) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Fixed != 31 || rep.Resources != 30 || rep.Resumed || calls < 5 {
		t.Errorf("reindex %+v in %d progress calls, want 31 fixed (30 resources, one of them also missing a token, and the stray row), at least 5 calls", rep, calls)
	}
	if v, err := db.Store.VerifyIndex(ctx); err != nil || len(v.Problems) > 0 {
		t.Fatalf("after reindex: %v %v", v.Problems, err)
	}
	if n := total(t, db.Store, ctx, "family=obrien001&_total=accurate"); n != 1 {
		t.Errorf("family=obrien001 finds %d after reindex, want 1", n)
	}
	if rep, err := db.Store.Reindex(ctx, store.ReindexOptions{}); err != nil || rep.Fixed != 0 || rep.Resumed {
		t.Errorf("a second reindex: %+v %v, want nothing fixed", rep, err)
	}
}

// A reindex stopped midway resumes from its checkpoint.
func TestReindexResumes(t *testing.T) {
	db := storetest.Shared(t)
	ctx, tenant := storetest.Tenant(t)
	seedPatients(t, db.Store, ctx, 40)
	corrupt(t, tenant)
	stop, cancel := context.WithCancel(ctx)
	_, err := db.Store.Reindex(stop, store.ReindexOptions{Batch: 10, Progress: func(p store.ReindexProgress) {
		if p.Type == "Patient" && p.Done >= 20 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted reindex: %v", err)
	}
	rep, err := db.Store.Reindex(ctx, store.ReindexOptions{Batch: 10, Types: []string{"Patient"}})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Resumed || rep.Resources >= 40 || rep.Fixed == 0 {
		t.Errorf("resumed reindex %+v: want it resumed, past the 20 done, fixing the rest", rep)
	}
	if v, err := db.Store.VerifyIndex(ctx); err != nil || len(v.Problems) > 0 {
		t.Fatalf("after the resumed reindex: %v %v", v.Problems, err)
	}
}

// Writes racing a reindex are never overwritten by stale rows.
func TestReindexWithConcurrentWrites(t *testing.T) {
	db := storetest.Shared(t)
	ctx, tenant := storetest.Tenant(t)
	ids := seedPatients(t, db.Store, ctx, 60)
	corrupt(t, tenant)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(ids); i += 4 {
				if _, _, err := db.Store.Update(ctx, "Patient", ids[i], patient(fmt.Sprintf("Changed-%d", i)), 0); err != nil {
					t.Error(err)
				}
				if i%9 == 0 {
					if _, err := db.Store.Delete(ctx, "Patient", ids[i], 0); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	if _, err := db.Store.Reindex(ctx, store.ReindexOptions{Batch: 5}); err != nil {
		t.Error(err)
	}
	wg.Wait()
	if v, err := db.Store.VerifyIndex(ctx); err != nil || len(v.Problems) > 0 {
		t.Fatalf("after a reindex racing writes: %v %v", v.Problems, err)
	}
}
