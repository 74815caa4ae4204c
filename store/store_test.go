package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/store"
	"github.com/fhirbase-go/fhird/store/storetest"
)

func patient(family string) map[string]any {
	return map[string]any{
		"resourceType": "Patient",
		"name":         []any{map[string]any{"family": family, "given": []any{"Zoë"}}},
		"gender":       "female",
		"birthDate":    "1984-03",
		"identifier":   []any{map[string]any{"system": "http://clinic.example.org/mrn", "value": "000123"}},
	}
}

func mustCreate(t *testing.T, st *store.Store, ctx context.Context, typ string, res map[string]any) *fhir.Resource {
	t.Helper()
	r, err := st.Create(ctx, typ, "", res)
	if err != nil {
		t.Fatalf("create %s: %v", typ, err)
	}
	return r
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("stored JSON does not decode: %v\n%s", err, b)
	}
	return m
}

func TestCreateReadUpdateDeleteHistory(t *testing.T) {
	st := storetest.Shared(t).Store
	ctx, _ := storetest.Tenant(t)
	c := mustCreate(t, st, ctx, "Patient", patient("Bélanger"))
	if c.VersionID != 1 || c.ID == "" {
		t.Fatalf("create: version %d id %q", c.VersionID, c.ID)
	}
	r, err := st.Read(ctx, "Patient", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	meta := decode(t, r.JSON)["meta"].(map[string]any)
	if meta["versionId"] != "1" || meta["lastUpdated"] != fhir.Instant(c.LastUpdated) {
		t.Errorf("stored meta %v, want version 1 at %s", meta, fhir.Instant(c.LastUpdated))
	}

	u, created, err := st.Update(ctx, "Patient", c.ID, patient("Côté"), 0)
	if err != nil || created || u.VersionID != 2 {
		t.Fatalf("update: %v created=%v version=%v", err, created, u)
	}
	r, _ = st.Read(ctx, "Patient", c.ID)
	if got := decode(t, r.JSON)["meta"].(map[string]any)["versionId"]; got != "2" {
		t.Errorf("stored versionId after update = %v, want 2", got)
	}
	if v1, err := st.VRead(ctx, "Patient", c.ID, 1); err != nil || v1.VersionID != 1 {
		t.Errorf("vread 1: %v %v", v1, err)
	}

	d, err := st.Delete(ctx, "Patient", c.ID, 0)
	if err != nil || d == nil || d.VersionID != 3 {
		t.Fatalf("delete: %v %v", d, err)
	}
	if _, err := st.Read(ctx, "Patient", c.ID); fhir.KindOf(err) != fhir.KindGone {
		t.Errorf("read after delete: %v, want gone", err)
	}
	if d, err := st.Delete(ctx, "Patient", c.ID, 0); err != nil || d != nil {
		t.Errorf("second delete: %v %v, want nothing and no error", d, err)
	}
	if _, err := st.VRead(ctx, "Patient", c.ID, 3); fhir.KindOf(err) != fhir.KindGone {
		t.Errorf("vread of the deletion: %v, want gone", err)
	}

	h, err := st.History(ctx, fhir.HistoryQuery{Type: "Patient", ID: c.ID, Count: 10})
	if err != nil {
		t.Fatal(err)
	}
	var methods []string
	for _, e := range h.Entries {
		methods = append(methods, e.Method)
	}
	if len(methods) != 3 || methods[0] != "DELETE" || methods[1] != "PUT" || methods[2] != "POST" {
		t.Errorf("history methods newest first = %v, want [DELETE PUT POST]", methods)
	}

	// Update after delete brings the resource back as a new version.
	u, _, err = st.Update(ctx, "Patient", c.ID, patient("Nuñez"), 0)
	if err != nil || u.VersionID != 4 {
		t.Fatalf("update after delete: %v %v", u, err)
	}
	if _, err := st.Read(ctx, "Patient", c.ID); err != nil {
		t.Errorf("read after resurrection: %v", err)
	}
}

func TestUpdateAsCreate(t *testing.T) {
	st := storetest.Shared(t).Store
	ctx, _ := storetest.Tenant(t)
	r, created, err := st.Update(ctx, "Patient", "chosen-id", patient("Lefèvre"), 0)
	if err != nil || !created || r.VersionID != 1 {
		t.Fatalf("update as create: %v created=%v %v", r, created, err)
	}
	if _, created, _ := st.Update(ctx, "Patient", "chosen-id", patient("Lefèvre"), 0); created {
		t.Error("second update reported a create")
	}
}

func TestIfMatchConcurrentWritersExactlyOneWins(t *testing.T) {
	st := storetest.Shared(t).Store
	ctx, _ := storetest.Tenant(t)
	c := mustCreate(t, st, ctx, "Patient", patient("Race"))
	const writers = 12
	var wg sync.WaitGroup
	results := make(chan error, writers)
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := st.Update(ctx, "Patient", c.ID, patient("Winner"), 1)
			results <- err
		}()
	}
	wg.Wait()
	close(results)
	wins, lost := 0, 0
	for err := range results {
		switch {
		case err == nil:
			wins++
		case fhir.KindOf(err) == fhir.KindPrecondition:
			lost++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if wins != 1 || lost != writers-1 {
		t.Fatalf("%d writers of version 1: %d won, %d got 412; want exactly one winner", writers, wins, lost)
	}
	r, _ := st.Read(ctx, "Patient", c.ID)
	if r.VersionID != 2 {
		t.Errorf("current version %d, want 2", r.VersionID)
	}
}

func TestIfMatchStaleVersionFails(t *testing.T) {
	st := storetest.Shared(t).Store
	ctx, _ := storetest.Tenant(t)
	c := mustCreate(t, st, ctx, "Patient", patient("Stale"))
	if _, _, err := st.Update(ctx, "Patient", c.ID, patient("Fresh"), 1); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Update(ctx, "Patient", c.ID, patient("Late"), 1); fhir.KindOf(err) != fhir.KindPrecondition {
		t.Errorf("update with stale If-Match: %v, want precondition failed", err)
	}
	if _, err := st.Delete(ctx, "Patient", c.ID, 1); fhir.KindOf(err) != fhir.KindPrecondition {
		t.Errorf("delete with stale If-Match: %v, want precondition failed", err)
	}
}

// indexRows counts the index rows of one resource, as the owner.
func indexRows(t *testing.T, tenant, table, id string) int {
	t.Helper()
	db := storetest.Shared(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{"patient_" + table}.Sanitize()+` x
		JOIN patient p ON p.tenant_id = x.tenant_id AND p.pk = x.pk WHERE p.tenant_id = $1 AND p.id = $2`,
		tenant, id).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIndexRowsFollowTheCurrentVersion(t *testing.T) {
	st := storetest.Shared(t).Store
	ctx, tenant := storetest.Tenant(t)
	c := mustCreate(t, st, ctx, "Patient", patient("Bélanger"))
	tok, str, date := indexRows(t, tenant, "tok", c.ID), indexRows(t, tenant, "str", c.ID), indexRows(t, tenant, "date", c.ID)
	if tok == 0 || str == 0 || date == 0 {
		t.Fatalf("after create: %d token, %d string, %d date rows; want some of each", tok, str, date)
	}
	// Same content again: the index rows stay as they are.
	if _, _, err := st.Update(ctx, "Patient", c.ID, patient("Bélanger"), 0); err != nil {
		t.Fatal(err)
	}
	if got := indexRows(t, tenant, "str", c.ID); got != str {
		t.Errorf("string rows after an identical update: %d, want %d", got, str)
	}
	// Fewer names: fewer string rows.
	p := patient("Bélanger")
	p["name"] = []any{map[string]any{"family": "Solo"}}
	if _, _, err := st.Update(ctx, "Patient", c.ID, p, 0); err != nil {
		t.Fatal(err)
	}
	if got := indexRows(t, tenant, "str", c.ID); got >= str {
		t.Errorf("string rows after dropping a given name: %d, want fewer than %d", got, str)
	}
	if _, err := st.Delete(ctx, "Patient", c.ID, 0); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"tok", "str", "ref", "date", "num"} {
		if n := indexRows(t, tenant, table, c.ID); n != 0 {
			t.Errorf("%s rows after delete: %d, want 0", table, n)
		}
	}
}

func TestHistoryPagesCoverEveryVersionOnce(t *testing.T) {
	st := storetest.Shared(t).Store
	ctx, _ := storetest.Tenant(t)
	want := 0
	for i := 0; i < 7; i++ {
		c := mustCreate(t, st, ctx, "Patient", patient("Page"))
		want++
		if i%2 == 0 {
			if _, _, err := st.Update(ctx, "Patient", c.ID, patient("Paged"), 0); err != nil {
				t.Fatal(err)
			}
			want++
		}
	}
	mustCreate(t, st, ctx, "Organization", map[string]any{"resourceType": "Organization", "name": "Clinic"})
	for _, q := range []fhir.HistoryQuery{{Type: "Patient", Count: 3}, {Count: 2}} {
		seen := map[string]bool{}
		total := 0
		for page := 0; page < 20; page++ {
			p, err := st.History(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range p.Entries {
				key := e.Type + "/" + e.ID + "/" + string(rune('0'+e.VersionID))
				if seen[key] {
					t.Fatalf("%+v: %s listed twice", q, key)
				}
				seen[key] = true
				total++
			}
			if p.Next == nil {
				break
			}
			q.After = p.Next
		}
		expect := want
		if q.Type == "" {
			expect++
		}
		if total != expect {
			t.Errorf("history %q: %d versions over all pages, want %d", q.Type, total, expect)
		}
	}
}

func TestWriteAllIsOneUnitAndNamesTheFailingItem(t *testing.T) {
	st := storetest.Shared(t).Store
	ctx, _ := storetest.Tenant(t)
	cur := mustCreate(t, st, ctx, "Patient", patient("Current"))
	ok := []fhir.Write{
		{Method: "POST", Type: "Patient", ID: "wa-new", Res: patient("New")},
		{Method: "PUT", Type: "Patient", ID: cur.ID, Res: patient("Second"), IfMatch: 1},
		{Method: "PATCH", Type: "Patient", ID: "wa-upsert", Res: patient("Upsert")},
	}
	out, err := st.WriteAll(ctx, ok)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		vid     int64
		created bool
		method  string
	}{{1, true, "POST"}, {2, false, "PUT"}, {1, true, "PATCH"}} {
		if w := out[i]; w.VersionID != want.vid || w.Created != want.created || w.Method != want.method {
			t.Errorf("item %d: version %d created %v method %s, want %+v", i, w.VersionID, w.Created, w.Method, want)
		}
	}
	if v := decode(t, out[1].JSON)["meta"].(map[string]any)["versionId"]; v != "2" {
		t.Errorf("returned content has versionId %v, want 2", v)
	}
	bad := []fhir.Write{
		{Method: "POST", Type: "Patient", ID: "wa-rolled-back", Res: patient("Gone")},
		{Method: "PUT", Type: "Patient", ID: cur.ID, Res: patient("Stale"), IfMatch: 1},
	}
	_, err = st.WriteAll(ctx, bad)
	var ie *fhir.ItemError
	if !errors.As(err, &ie) || ie.Index != 1 || fhir.KindOf(err) != fhir.KindPrecondition {
		t.Fatalf("stale item: %v, want an ItemError of index 1 and a failed precondition", err)
	}
	if _, err := st.Read(ctx, "Patient", "wa-rolled-back"); fhir.KindOf(err) != fhir.KindNotFound {
		t.Errorf("the create before the failing item was stored: %v", err)
	}
}

// An update re-indexes a string whose normalized form changed (a newer
// Normalize folds more), although its exact form did not.
func TestUpdateRefreshesStaleNormalizedStrings(t *testing.T) {
	db := storetest.Shared(t)
	ctx, tenant := storetest.Tenant(t)
	c := mustCreate(t, db.Store, ctx, "Patient", patient("Bélanger"))
	conn, err := pgx.Connect(context.Background(), db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	staleNorms := func() int {
		var n int
		err := conn.QueryRow(context.Background(), `SELECT count(*) FROM patient_str x JOIN patient p ON p.tenant_id = x.tenant_id AND p.pk = x.pk
			WHERE p.tenant_id = $1 AND p.id = $2 AND x.norm = 'stale'`, tenant, c.ID).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// What an older folding left: the same exact form, another norm.
	if _, err := conn.Exec(context.Background(), `UPDATE patient_str x SET norm = 'stale' FROM patient p
		WHERE p.tenant_id = x.tenant_id AND p.pk = x.pk AND p.tenant_id = $1 AND p.id = $2 AND x.exact = 'Bélanger'`, tenant, c.ID); err != nil {
		t.Fatal(err)
	}
	if staleNorms() == 0 {
		t.Fatal("the test did not make a stale row")
	}
	if _, _, err := db.Store.Update(ctx, "Patient", c.ID, patient("Bélanger"), 0); err != nil {
		t.Fatal(err)
	}
	if n := staleNorms(); n != 0 {
		t.Errorf("%d string rows keep a stale normalized form after an update", n)
	}
}
