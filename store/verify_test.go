package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/fhirbase-go/fhird/store/storetest"
)

// ownerExec runs sql as the owner, past row-level security.
func ownerExec(t *testing.T, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, storetest.Shared(t).OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyIndexFindsStaleMissingAndOrphanRows(t *testing.T) {
	st := storetest.Shared(t).Store
	ctx, tenant := storetest.Tenant(t)
	live := mustCreate(t, st, ctx, "Patient", patient("Lévesque"))
	gone := mustCreate(t, st, ctx, "Patient", patient("Roy"))
	if _, err := st.Delete(ctx, "Patient", gone.ID, 0); err != nil {
		t.Fatal(err)
	}
	rep, err := st.VerifyIndex(ctx)
	if err != nil || len(rep.Problems) != 0 || rep.Resources != 1 {
		t.Fatalf("sound index: %d resources, problems %v (%v); want 1 resource and none", rep.Resources, rep.Problems, err)
	}

	pkOf := `(SELECT pk FROM patient WHERE tenant_id = $1 AND id = $2)`
	ownerExec(t, `DELETE FROM patient_tok WHERE tenant_id = $1 AND pk = `+pkOf, tenant, live.ID)
	ownerExec(t, `INSERT INTO patient_str (tenant_id, pk, h, norm, exact) VALUES ($1, `+pkOf+`, 42, 'tremblay', 'Tremblay')`, tenant, live.ID)
	ownerExec(t, `INSERT INTO patient_ref (tenant_id, pk, h, target_type, target_id) VALUES ($1, `+pkOf+`, 7, 'Patient', 'x')`, tenant, gone.ID)

	rep, err = st.VerifyIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range rep.Problems {
		got = append(got, p.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"Patient/" + live.ID + ": tok rows stale [], missing [",
		"Patient/" + live.ID + `: str rows stale [42 "tremblay" "Tremblay"], missing []`,
		"(no current resource): ref rows stale [7 Patient/x], missing []",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the report lacks %q:\n%s", want, all)
		}
	}
	if len(rep.Problems) != 3 {
		t.Errorf("%d problems, want 3:\n%s", len(rep.Problems), all)
	}
	// Leave the tenant sound for the package's final check.
	ownerExec(t, `DELETE FROM patient_str WHERE tenant_id = $1 AND h = 42`, tenant)
	ownerExec(t, `DELETE FROM patient_ref WHERE tenant_id = $1 AND h = 7`, tenant)
	if _, _, err := st.Update(ctx, "Patient", live.ID, patient("Lévesque"), 0); err != nil {
		t.Fatal(err)
	}
}
