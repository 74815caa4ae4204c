package bulk_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fhirbase-go/fhird/bulk"
	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/store"
	"github.com/fhirbase-go/fhird/store/storetest"
)

func TestImportReportsBadLinesAndLoadsTheGoodOnes(t *testing.T) {
	st := storetest.Shared(t).Store
	ctx, _ := storetest.Tenant(t)
	dir := t.TempDir()
	pat := writeFile(t, dir, "Patient.ndjson",
		patientLine("p1", 1),
		`{"resourceType":"Patient","id":"p-broken",`,
		``,
		`{"resourceType":"Patient","id":"p-invalid","gender":"nope"}`,
		`{"resourceType":"Patient","gender":"male"}`,
		observationLine("o-misfiled", "p1", 1),
		patientLine("p2", 2),
		"   ",
		patientLine("p3", 3))
	var obs []string
	for i := range 7 {
		obs = append(obs, observationLine(fmt.Sprintf("o%d", i), "p1", i))
	}
	writeFile(t, dir, "Observation.ndjson", obs...)
	writeFile(t, dir, "notes.txt", "not an NDJSON file")

	var errs, prog bytes.Buffer
	opts := bulk.Options{BatchSize: 3, Workers: 2, Errors: &errs, Progress: &prog, ProgressEvery: time.Millisecond}
	rep, err := bulk.Import(ctx, st, []string{dir}, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := bulk.Report{Files: 2, Lines: 14, Loaded: 10, Skipped: 0, Bad: 4}
	if got := withoutTime(rep); got != want {
		t.Errorf("report %+v, want %+v", got, want)
	}
	lines := strings.Split(strings.TrimSpace(errs.String()), "\n")
	for i, n := range []int{2, 4, 5, 6} {
		if i >= len(lines) || !strings.Contains(errs.String(), fmt.Sprintf("%s:%d: ", pat, n)) {
			t.Errorf("no error names %s:%d; errors:\n%s", pat, n, errs.String())
		}
	}
	if len(lines) != 4 || strings.Contains(errs.String(), pat+":3:") || strings.Contains(errs.String(), pat+":8:") {
		t.Errorf("want exactly the 4 bad lines reported, got:\n%s", errs.String())
	}
	for _, id := range []string{"p1", "p2", "p3"} {
		if _, err := st.Read(ctx, "Patient", id); err != nil {
			t.Errorf("read Patient/%s: %v", id, err)
		}
	}
	if !strings.Contains(prog.String(), "import: ") || !strings.Contains(prog.String(), "10 resources") {
		t.Errorf("progress lines do not end with the final count:\n%s", prog.String())
	}

	errs.Reset()
	rep, err = bulk.Import(ctx, st, []string{dir}, opts)
	if err != nil {
		t.Fatal(err)
	}
	want.Loaded, want.Skipped = 0, 10
	if got := withoutTime(rep); got != want {
		t.Errorf("rerun: report %+v, want %+v", got, want)
	}
}

func withoutTime(r bulk.Report) bulk.Report {
	r.Elapsed = 0
	return r
}

// fakeLoader refuses every batch that holds the poison id, as the database
// refuses a value it cannot store, or fails with err when set.
type fakeLoader struct {
	poison string
	err    error
	loaded atomic.Int64
	calls  atomic.Int64
}

func (f *fakeLoader) Import(ctx context.Context, items []fhir.NewResource) (fhir.ImportResult, error) {
	f.calls.Add(1)
	if f.err != nil {
		return fhir.ImportResult{}, f.err
	}
	for _, it := range items {
		if it.ID == f.poison {
			return fhir.ImportResult{}, fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "the database refused the data")
		}
	}
	f.loaded.Add(int64(len(items)))
	return fhir.ImportResult{Loaded: len(items)}, nil
}

func TestRefusedBatchIsSplitDownToTheLineAtFault(t *testing.T) {
	dir := t.TempDir()
	synthetic(t, dir, 40)
	f := &fakeLoader{poison: "p17"}
	var errs bytes.Buffer
	rep, err := bulk.Import(context.Background(), f, []string{dir}, bulk.Options{BatchSize: 16, Errors: &errs})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Loaded != 79 || rep.Bad != 1 || f.loaded.Load() != 79 {
		t.Errorf("report %+v, loader got %d; want 79 loaded and 1 bad", rep, f.loaded.Load())
	}
	// p17 is on line 18 of Patient.ndjson.
	if !strings.Contains(errs.String(), "Patient.ndjson:18: refused by the database") ||
		!strings.Contains(errs.String(), "batch of 16 refused") {
		t.Errorf("errors do not name the batch and the line at fault:\n%s", errs.String())
	}
}

func TestLoaderOutageStopsTheImport(t *testing.T) {
	dir := t.TempDir()
	synthetic(t, dir, 200)
	f := &fakeLoader{err: fhir.Errorf(fhir.KindUnavailable, fhir.IssueTransient, "the database is not reachable")}
	rep, err := bulk.Import(context.Background(), f, []string{dir}, bulk.Options{BatchSize: 10, Workers: 2})
	if fhir.KindOf(err) != fhir.KindUnavailable {
		t.Fatalf("error %v, want the outage", err)
	}
	if n := f.calls.Load(); n > 2 {
		t.Errorf("%d batches tried after the database went away, want at most one per worker", n)
	}
	if rep.Loaded != 0 || rep.Bad != 0 {
		t.Errorf("report %+v: an outage is neither loaded nor bad", rep)
	}
}

// cancelling cancels the import's context while its nth batch is in the
// database.
type cancelling struct {
	bulk.Loader
	n      int64
	calls  atomic.Int64
	cancel context.CancelFunc
}

func (c *cancelling) Import(ctx context.Context, items []fhir.NewResource) (fhir.ImportResult, error) {
	if c.calls.Add(1) == c.n {
		go func() { time.Sleep(2 * time.Millisecond); c.cancel() }()
	}
	return c.Loader.Import(ctx, items)
}

func TestCancelledImportLeavesWholeBatches(t *testing.T) {
	db := storetest.Shared(t)
	ctx, tenant := storetest.Tenant(t)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dir := t.TempDir()
	synthetic(t, dir, 3000)
	l := &cancelling{Loader: db.Store, n: 4, cancel: cancel}
	rep, err := bulk.Import(ctx, l, []string{dir}, bulk.Options{BatchSize: 100, Workers: 2})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want cancelled", err)
	}
	stored := int64(0)
	for _, typ := range []string{"patient", "observation"} {
		counts := ownerCounts(t, db.OwnerURL, typ, tenant)
		n := counts[0]
		stored += n
		t.Logf("%s: resources, with history, tok, date rows: %v", typ, counts)
		if n%100 != 0 || n >= 3000 {
			t.Errorf("%s: %d resources stored, want whole batches of 100 and fewer than all", typ, n)
		}
		for i, c := range counts[1:] {
			if c != n {
				t.Errorf("%s: %d resources but %d with rows in %s", typ, n, c, []string{"history", "tok", "date"}[i])
			}
		}
	}
	if stored == 0 || rep.Loaded != stored {
		t.Errorf("report says %d loaded, the database holds %d; want the same, and some", rep.Loaded, stored)
	}
}

// ownerCounts returns, for one tenant, the number of resources of typ and
// the numbers of them with a history row, token rows and date rows.
func ownerCounts(t *testing.T, ownerURL, typ, tenant string) []int64 {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var out []int64
	for _, q := range []string{
		`SELECT count(*) FROM %s WHERE tenant_id = $1`,
		`SELECT count(DISTINCT id) FROM %s_history WHERE tenant_id = $1`,
		`SELECT count(DISTINCT pk) FROM %s_tok WHERE tenant_id = $1`,
		`SELECT count(DISTINCT pk) FROM %s_date WHERE tenant_id = $1`,
	} {
		var n int64
		if err := conn.QueryRow(ctx, fmt.Sprintf(q, typ), tenant).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// counting passes batches to the store and counts the resources it was
// given; Existing is the store's, so the import can resume.
type counting struct {
	*store.Store
	given atomic.Int64
}

func (c *counting) Import(ctx context.Context, items []fhir.NewResource) (fhir.ImportResult, error) {
	c.given.Add(int64(len(items)))
	return c.Store.Import(ctx, items)
}

// TestResumedImportSkipsWhatItStoredBefore stops an import part way, then
// runs it again: the rerun hands the loader only the lines the first run
// did not store (it skips the others before validating them), reports
// those as skipped, and the tenant ends up with every resource.
func TestResumedImportSkipsWhatItStoredBefore(t *testing.T) {
	db := storetest.Shared(t)
	ctx, tenant := storetest.Tenant(t)
	dir := t.TempDir()
	synthetic(t, dir, 3000)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	first := &cancelling{Loader: db.Store, n: 8, cancel: cancel}
	if _, err := bulk.Import(cctx, first, []string{dir}, bulk.Options{BatchSize: 100, Workers: 2}); !errors.Is(err, context.Canceled) {
		t.Fatalf("first run: error %v, want cancelled", err)
	}
	stored := ownerCounts(t, db.OwnerURL, "patient", tenant)[0] + ownerCounts(t, db.OwnerURL, "observation", tenant)[0]
	if stored == 0 || stored == 6000 {
		t.Fatalf("first run stored %d of 6000 resources; the test needs a part", stored)
	}

	again := &counting{Store: db.Store}
	rep, err := bulk.Import(ctx, again, []string{dir}, bulk.Options{BatchSize: 100, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := again.given.Load(); got != 6000-stored {
		t.Errorf("the rerun gave the loader %d resources, want the %d the first run had not stored", got, 6000-stored)
	}
	if rep.Loaded != 6000-stored || rep.Skipped != stored || rep.Bad != 0 {
		t.Errorf("rerun report %+v, want %d loaded and %d skipped", rep, 6000-stored, stored)
	}
	for _, typ := range []string{"patient", "observation"} {
		if n := ownerCounts(t, db.OwnerURL, typ, tenant)[0]; n != 3000 {
			t.Errorf("%s: %d resources after the rerun, want 3000", typ, n)
		}
	}
}
