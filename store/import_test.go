package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/search"
	"github.com/fhirbase-go/fhird/store/storetest"
)

// observation has values for all five kinds of index rows: tokens (code,
// status), strings (code:text), a reference (subject), a date (effective)
// and a number (value-quantity).
func observation(subject string) map[string]any {
	return map[string]any{
		"resourceType": "Observation",
		"status":       "final",
		"code": map[string]any{"coding": []any{map[string]any{
			"system": "http://loinc.org", "code": "29463-7", "display": "Body weight"}}},
		"subject":           map[string]any{"reference": "Patient/" + subject},
		"effectiveDateTime": "2024-05-01T10:30:00Z",
		"valueQuantity": map[string]any{"value": json.Number("72.5"), "unit": "kg",
			"system": "http://unitsofmeasure.org", "code": "kg"},
	}
}

// indexTables are the index table suffixes and the columns that hold a
// row's values (everything but tenant_id and pk).
var indexTables = map[string]string{
	"tok": "h::text", "str": "h::text || '|' || norm || '|' || exact",
	"ref":  "h::text || '|' || target_type || '|' || target_id",
	"date": "h::text || '|' || lo::text || '|' || hi::text", "num": "h::text || '|' || v::text",
}

// ownerQuery runs one query as the owner, which row-level security does
// not confine, and returns its single text column.
func ownerQuery(t *testing.T, sql string, args ...any) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, storetest.Shared(t).OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// indexValues returns the sorted values of one resource's rows in one
// index table of typ.
func indexValues(t *testing.T, typ, suffix, tenant, id string) []string {
	t.Helper()
	tbl := strings.ToLower(typ)
	return ownerQuery(t, `SELECT `+indexTables[suffix]+` FROM `+pgx.Identifier{tbl + "_" + suffix}.Sanitize()+` x
		JOIN `+pgx.Identifier{tbl}.Sanitize()+` m ON m.tenant_id = x.tenant_id AND m.pk = x.pk
		WHERE m.tenant_id = $1 AND m.id = $2 ORDER BY 1`, tenant, id)
}

func TestImportWritesTheRowsCreateWrites(t *testing.T) {
	st := storetest.Shared(t).Store
	ctx, tenant := storetest.Tenant(t)
	if _, err := st.Create(ctx, "Observation", "created", observation("p1")); err != nil {
		t.Fatal(err)
	}
	res, err := st.Import(ctx, []fhir.NewResource{{Type: "Observation", ID: "imported", Res: observation("p1")}})
	if err != nil || res.Loaded != 1 || res.Skipped != 0 || len(res.Rejected) != 0 {
		t.Fatalf("import: %+v %v, want 1 loaded", res, err)
	}
	for suffix := range indexTables {
		created := indexValues(t, "Observation", suffix, tenant, "created")
		imported := indexValues(t, "Observation", suffix, tenant, "imported")
		if len(created) == 0 {
			t.Errorf("%s: Create wrote no rows; the fixture should exercise every index table", suffix)
		}
		if !slices.Equal(created, imported) {
			t.Errorf("%s rows:\n imported %v\n created  %v", suffix, imported, created)
		}
	}
	// The history row is version 1 with the stored content, written as an
	// update-as-create (the client chose the id).
	hist := ownerQuery(t, `SELECT h.version_id || ' ' || h.method || ' ' || (h.content = m.content)::text
			|| ' ' || (h.last_updated = m.last_updated)::text || ' ' || (m.content->'meta'->>'versionId')
		FROM observation_history h JOIN observation m USING (tenant_id, id) WHERE tenant_id = $1 AND id = 'imported'`, tenant)
	if want := []string{"1 PUT true true 1"}; !slices.Equal(hist, want) {
		t.Errorf("history of the imported resource: %v, want %v", hist, want)
	}
	r, err := st.Read(ctx, "Observation", "imported")
	if err != nil || r.VersionID != 1 {
		t.Fatalf("read imported: %v %v", r, err)
	}
	if id := decode(t, r.JSON)["id"]; id != "imported" {
		t.Errorf("stored id %v, want imported", id)
	}
}

func TestImportedResourcesAreFoundOnlyInTheirTenant(t *testing.T) {
	st := storetest.Shared(t).Store
	ctxA, _ := storetest.Tenant(t)
	ctxB, _ := storetest.Tenant(t)
	items := []fhir.NewResource{
		{Type: "Patient", ID: "p1", Res: patient("Imported")},
		{Type: "Observation", ID: "o1", Res: observation("p1")},
	}
	if res, err := st.Import(ctxA, items); err != nil || res.Loaded != 2 {
		t.Fatalf("import: %+v %v", res, err)
	}
	for _, c := range []struct {
		ctx  context.Context
		want []string
	}{{ctxA, []string{"o1"}}, {ctxB, nil}} {
		if got := searchIDs(t, c.ctx, "Observation", "subject=Patient/p1&code=http://loinc.org|29463-7&value-quantity=72.5"); !slices.Equal(got, c.want) {
			t.Errorf("search: %v, want %v", got, c.want)
		}
	}
	if got := searchIDs(t, ctxA, "Patient", "family=imported"); !slices.Equal(got, []string{"p1"}) {
		t.Errorf("patient search in the importing tenant: %v, want [p1]", got)
	}
	if _, err := st.Read(ctxB, "Patient", "p1"); fhir.KindOf(err) != fhir.KindNotFound {
		t.Errorf("read from another tenant: %v, want not found", err)
	}
	// Existing, which a resumed import asks, sees the tenant's ids only.
	for _, c := range []struct {
		ctx  context.Context
		want map[string]bool
	}{{ctxA, map[string]bool{"p1": true}}, {ctxB, map[string]bool{}}} {
		if got, err := st.Existing(c.ctx, "Patient", []string{"p1", "p2"}); err != nil || !maps.Equal(got, c.want) {
			t.Errorf("Existing(p1, p2): %v %v, want %v", got, err, c.want)
		}
	}
}

// searchIDs runs a search and returns the ids of its first page.
func searchIDs(t *testing.T, ctx context.Context, typ, query string) []string {
	t.Helper()
	rt, _ := fhir.LookupType(typ)
	params, _ := url.ParseQuery(query)
	q, err := search.Parse(rt, params, search.Options{DefaultCount: 50, MaxCount: 1000, BaseURL: "http://x/fhir", Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	p, err := storetest.Shared(t).Store.Search(ctx, q, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range p.Matches {
		ids = append(ids, r.ID)
	}
	return ids
}

// rowCounts counts a tenant's rows in the main, history and index tables
// of typ.
func rowCounts(t *testing.T, typ, tenant string) string {
	t.Helper()
	tbl := strings.ToLower(typ)
	var parts []string
	for _, suffix := range []string{"", "_history", "_tok", "_str", "_ref", "_date", "_num"} {
		parts = append(parts, `(SELECT count(*) FROM `+pgx.Identifier{tbl + suffix}.Sanitize()+` WHERE tenant_id = $1)::text`)
	}
	return ownerQuery(t, `SELECT `+strings.Join(parts, ` || ' ' || `), tenant)[0]
}

func TestImportTwiceLoadsNothingTheSecondTime(t *testing.T) {
	st := storetest.Shared(t).Store
	ctx, tenant := storetest.Tenant(t)
	var items []fhir.NewResource
	for i := range 40 {
		items = append(items, fhir.NewResource{Type: "Patient", ID: fmt.Sprintf("p%d", i), Res: patient("Twice")},
			fhir.NewResource{Type: "Observation", ID: fmt.Sprintf("o%d", i), Res: observation(fmt.Sprintf("p%d", i))})
	}
	if res, err := st.Import(ctx, items); err != nil || res.Loaded != 80 || res.Skipped != 0 {
		t.Fatalf("first import: %+v %v, want 80 loaded", res, err)
	}
	before := rowCounts(t, "Patient", tenant) + " / " + rowCounts(t, "Observation", tenant)
	// Fresh trees: Import, like Create, sets meta on the tree it is given.
	items = items[:0]
	for i := range 40 {
		items = append(items, fhir.NewResource{Type: "Patient", ID: fmt.Sprintf("p%d", i), Res: patient("Twice")},
			fhir.NewResource{Type: "Observation", ID: fmt.Sprintf("o%d", i), Res: observation(fmt.Sprintf("p%d", i))})
	}
	res, err := st.Import(ctx, items)
	if err != nil || res.Loaded != 0 || res.Skipped != 80 {
		t.Fatalf("second import: %+v %v, want 0 loaded and 80 skipped", res, err)
	}
	if after := rowCounts(t, "Patient", tenant) + " / " + rowCounts(t, "Observation", tenant); after != before {
		t.Errorf("row counts changed by the rerun: %s, before %s", after, before)
	}
	if strings.HasPrefix(before, "0 ") {
		t.Errorf("row counts %s: the first import stored nothing", before)
	}
}

func TestImportRejectsWhatItCannotStoreAndLoadsTheRest(t *testing.T) {
	st := storetest.Shared(t).Store
	ctx, tenant := storetest.Tenant(t)
	items := []fhir.NewResource{
		{Type: "Patient", ID: "", Res: patient("NoID")},
		{Type: "Patient", ID: "dup", Res: patient("First")},
		{Type: "NoSuchType", ID: "x", Res: map[string]any{"resourceType": "NoSuchType"}},
		{Type: "Patient", ID: "dup", Res: patient("Second")},
		{Type: "Patient", ID: "..", Res: patient("Dots")},
	}
	res, err := st.Import(ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	var idx []int
	for _, r := range res.Rejected {
		idx = append(idx, r.Index)
	}
	if res.Loaded != 1 || res.Skipped != 1 || !slices.Equal(idx, []int{0, 2, 4}) {
		t.Errorf("result %+v (rejected %v), want 1 loaded, 1 skipped, items 0, 2 and 4 (id \"..\", which no URL can name) rejected", res, idx)
	}
	// The first of two equal ids wins, and only its index rows exist.
	if got := searchIDs(t, ctx, "Patient", "family=second"); len(got) != 0 {
		t.Errorf("the repeated id's index rows were written: %v", got)
	}
	if got := rowCounts(t, "Patient", tenant); !strings.HasPrefix(got, "1 1 ") {
		t.Errorf("patient rows (main history tok str ref date num) = %s, want one resource", got)
	}
}

func TestImportRefusedByTheDatabaseWritesNothing(t *testing.T) {
	st := storetest.Shared(t).Store
	ctx, tenant := storetest.Tenant(t)
	bad := patient("Nul\x00Byte") // jsonb cannot hold \u0000
	_, err := st.Import(ctx, []fhir.NewResource{
		{Type: "Patient", ID: "good", Res: patient("Good")},
		{Type: "Patient", ID: "bad", Res: bad},
	})
	if fhir.KindOf(err) != fhir.KindInvalid {
		t.Fatalf("import with a NUL: %v, want an invalid-data error", err)
	}
	if got := rowCounts(t, "Patient", tenant); got != "0 0 0 0 0 0 0" {
		t.Errorf("rows after a refused batch: %s, want none", got)
	}
}
