package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/store"
	"github.com/fhirbase-go/fhird/store/storetest"
)

// The racing tests run raceWriters concurrent writers of one resource for
// raceRounds rounds, then check that the tenant's index rows are exactly
// those of the current versions (store.VerifyIndex).
const (
	raceWriters = 20
	raceRounds  = 5
)

// racer is a patient whose every indexed kind of value depends on i:
// strings (family), tokens (gender, identifier), dates (birthDate) and
// references (generalPractitioner).
func racer(id string, i int) map[string]any {
	genders := []string{"male", "female", "other", "unknown"}
	return map[string]any{
		"resourceType":        "Patient",
		"id":                  id,
		"name":                []any{map[string]any{"family": fmt.Sprintf("Family%02d", i)}},
		"gender":              genders[i%len(genders)],
		"birthDate":           fmt.Sprintf("19%02d-01-02", 10+i),
		"identifier":          []any{map[string]any{"system": "urn:race", "value": fmt.Sprintf("v%02d", i)}},
		"generalPractitioner": []any{map[string]any{"reference": fmt.Sprintf("Practitioner/gp%02d", i)}},
	}
}

// race runs fn(i) for i in [0, n) at once and returns their errors.
func race(n int, fn func(i int) error) []error {
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// mustVerify fails the test unless the tenant's index is exact.
func mustVerify(t *testing.T, st *store.Store, ctx context.Context) {
	t.Helper()
	rep, err := st.VerifyIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range rep.Problems {
		if i == 10 {
			t.Errorf("... and %d more", len(rep.Problems)-10)
			break
		}
		t.Errorf("index: %s", p)
	}
	if len(rep.Problems) > 0 {
		t.FailNow()
	}
}

// racingUpdates races raceWriters updates of Patient id, each with its own
// values, and returns how many of them report creating it.
func racingUpdates(t *testing.T, st *store.Store, ctx context.Context, id string) int {
	t.Helper()
	var created atomic.Int64
	noErrors(t, race(raceWriters, func(i int) error {
		_, c, err := st.Update(ctx, "Patient", id, racer(id, i), 0)
		if c {
			created.Add(1)
		}
		return err
	}))
	return int(created.Load())
}

func noErrors(t *testing.T, errs []error) {
	t.Helper()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
	}
}

func TestRacingUpdatesLeaveExactIndexRows(t *testing.T) {
	st := storetest.Shared(t).Store
	ctx, _ := storetest.Tenant(t)
	for round := range raceRounds {
		id := fmt.Sprintf("p%d", round)
		if _, _, err := st.Update(ctx, "Patient", id, racer(id, 30), 0); err != nil {
			t.Fatal(err)
		}
		noErrors(t, race(raceWriters, func(i int) error {
			_, _, err := st.Update(ctx, "Patient", id, racer(id, i), 0)
			return err
		}))
		cur, err := st.Read(ctx, "Patient", id)
		if err != nil || cur.VersionID != raceWriters+1 {
			t.Fatalf("round %d: version %v (%v), want %d", round, cur, err, raceWriters+1)
		}
	}
	mustVerify(t, st, ctx)
}

// Update as create: every writer finds no row in its snapshot, one
// inserts and the others update what it inserted.
func TestRacingCreatesByUpdateLeaveExactIndexRows(t *testing.T) {
	st := storetest.Shared(t).Store
	ctx, _ := storetest.Tenant(t)
	for round := range raceRounds {
		id := fmt.Sprintf("new%d", round)
		if created := racingUpdates(t, st, ctx, id); created != 1 {
			t.Errorf("round %d: %d writers report creating %s, want 1", round, created, id)
		}
	}
	mustVerify(t, st, ctx)
}

// Transaction Bundles write through WriteAll inside Transact.
func TestRacingTransactionWritesLeaveExactIndexRows(t *testing.T) {
	st := storetest.Shared(t).Store
	ctx, _ := storetest.Tenant(t)
	for round := range raceRounds {
		a, b := fmt.Sprintf("a%d", round), fmt.Sprintf("b%d", round)
		noErrors(t, race(raceWriters, func(i int) error {
			return st.Transact(ctx, func(ctx context.Context) error {
				_, err := st.WriteAll(ctx, []fhir.Write{
					{Method: "PUT", Type: "Patient", ID: a, Res: racer(a, i)},
					{Method: "PUT", Type: "Patient", ID: b, Res: racer(b, raceWriters-i)},
				})
				return err
			})
		}))
	}
	mustVerify(t, st, ctx)
}

// Deletes racing updates: whichever comes last decides, and a deleted
// resource has no index rows.
func TestRacingUpdatesAndDeletesLeaveExactIndexRows(t *testing.T) {
	st := storetest.Shared(t).Store
	ctx, _ := storetest.Tenant(t)
	for round := range raceRounds {
		id := fmt.Sprintf("d%d", round)
		if _, _, err := st.Update(ctx, "Patient", id, racer(id, 30), 0); err != nil {
			t.Fatal(err)
		}
		noErrors(t, race(raceWriters, func(i int) error {
			if i%2 == 1 {
				_, err := st.Delete(ctx, "Patient", id, 0)
				return err
			}
			_, _, err := st.Update(ctx, "Patient", id, racer(id, i), 0)
			return err
		}))
	}
	mustVerify(t, st, ctx)
}

// After a delete, concurrent updates re-create the resource once: exactly
// one of them answers created.
func TestRacingUpdatesAfterDeleteCreateOnce(t *testing.T) {
	st := storetest.Shared(t).Store
	ctx, _ := storetest.Tenant(t)
	for round := range raceRounds {
		id := fmt.Sprintf("r%d", round)
		if _, _, err := st.Update(ctx, "Patient", id, racer(id, 30), 0); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Delete(ctx, "Patient", id, 0); err != nil {
			t.Fatal(err)
		}
		if created := racingUpdates(t, st, ctx, id); created != 1 {
			t.Errorf("round %d: %d of %d updates after the delete answer created, want 1", round, created, raceWriters)
		}
	}
	mustVerify(t, st, ctx)
}
