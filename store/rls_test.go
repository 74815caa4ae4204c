package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/store"
	"github.com/fhirbase-go/fhird/store/storetest"
)

// asServerRole runs fn in a transaction of the server role with the tenant
// set ("" leaves it unset), the way the store does, but with SQL that has
// no tenant filter of its own.
func asServerRole(t *testing.T, tenant string, fn func(tx pgx.Tx) error) error {
	t.Helper()
	db := storetest.Shared(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if tenant != "" {
		if _, err := tx.Exec(ctx, `SELECT set_config('fhir.tenant', $1, true)`, tenant); err != nil {
			t.Fatal(err)
		}
	}
	return fn(tx)
}

func TestRLSIsolatesTenantsAsServerRole(t *testing.T) {
	st := storetest.Shared(t).Store
	ctxA, a := storetest.Tenant(t)
	ctxB, b := storetest.Tenant(t)
	for i := 0; i < 3; i++ {
		mustCreate(t, st, ctxA, "Patient", patient("Alpha"))
	}
	mustCreate(t, st, ctxB, "Patient", patient("Beta"))

	for _, table := range []string{"patient", "patient_history", "patient_tok", "patient_str"} {
		for tenant, want := range map[string]int{a: 3, b: 1, "": 0} {
			var total, foreign int
			err := asServerRole(t, tenant, func(tx pgx.Tx) error {
				// No tenant filter here: the policy alone must confine it.
				return tx.QueryRow(context.Background(),
					`SELECT count(*), count(*) FILTER (WHERE tenant_id <> $1) FROM `+pgx.Identifier{table}.Sanitize(),
					tenant).Scan(&total, &foreign)
			})
			if err != nil {
				t.Fatalf("%s as tenant %q: %v", table, tenant, err)
			}
			if foreign != 0 {
				t.Errorf("%s as tenant %q: %d rows of other tenants visible", table, tenant, foreign)
			}
			if (table == "patient" || table == "patient_history") && total != want {
				t.Errorf("%s as tenant %q: %d rows visible, want %d", table, tenant, total, want)
			}
			if tenant == "" && total != 0 {
				t.Errorf("%s with no tenant set: %d rows visible, want none", table, total)
			}
		}
	}
}

func TestRLSRefusesWritesIntoAnotherTenant(t *testing.T) {
	_, a := storetest.Tenant(t)
	_, b := storetest.Tenant(t)
	err := asServerRole(t, a, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(),
			`INSERT INTO patient (tenant_id, id, version_id, last_updated, content) VALUES ($1, 'x', 1, now(), '{}')`, b)
		return err
	})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Fatalf("insert into another tenant: got %v, want a row-level security violation (42501)", err)
	}
	err = asServerRole(t, "", func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(),
			`INSERT INTO patient (tenant_id, id, version_id, last_updated, content) VALUES ($1, 'x', 1, now(), '{}')`, b)
		return err
	})
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Fatalf("insert with no tenant set: got %v, want 42501", err)
	}
}

// sharedTables are the tables that belong to no resource type.
var sharedTables = []string{"fhir_reindex"}

func TestEveryTableForcesRLS(t *testing.T) {
	db := storetest.Shared(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `
		SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
		       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid AND p.polqual IS NOT NULL AND p.polwithcheck IS NOT NULL)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'schema_migrations'`)
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for rows.Next() {
		var name string
		var enabled, forced bool
		var policies int
		if err := rows.Scan(&name, &enabled, &forced, &policies); err != nil {
			t.Fatal(err)
		}
		count++
		if !enabled || !forced || policies != 1 {
			t.Errorf("table %s: rls enabled %v, forced %v, policies with USING and WITH CHECK %d", name, enabled, forced, policies)
		}
	}
	if want := len(fhir.Types())*7 + len(sharedTables); count != want {
		t.Errorf("found %d tables, want %d (7 per resource type and %v)", count, want, sharedTables)
	}
}

func TestNewRefusesARoleThatBypassesRLS(t *testing.T) {
	db := storetest.Shared(t)
	_, err := store.New(context.Background(), store.Config{URL: db.OwnerURL})
	if err == nil {
		t.Fatal("store.New accepted the owner (superuser) role")
	}
}

func TestNoTenantIsAnError(t *testing.T) {
	st := storetest.Shared(t).Store
	_, err := st.Read(context.Background(), "Patient", "x")
	if err == nil || fhir.KindOf(err) != fhir.KindInternal {
		t.Fatalf("read without tenant: got %v, want an internal error", err)
	}
}

// fhir_include_rows (the _include of a parameter that may point at any
// type) is confined by the policy too: asked for another tenant's rows
// while the transaction's tenant is set, it returns none.
func TestIncludeRowsFunctionKeepsToTheTenant(t *testing.T) {
	st := storetest.Shared(t).Store
	ctxA, a := storetest.Tenant(t)
	ctxB, b := storetest.Tenant(t)
	pa := mustCreate(t, st, ctxA, "Patient", patient("Alpha"))
	pb := mustCreate(t, st, ctxB, "Patient", patient("Beta"))
	count := func(tenant, arg string, ids ...string) int {
		var n int
		err := asServerRole(t, tenant, func(tx pgx.Tx) error {
			return tx.QueryRow(context.Background(),
				`SELECT count(*) FROM fhir_include_rows('Patient', $1, $2)`, ids, arg).Scan(&n)
		})
		if err != nil {
			t.Fatalf("as %q for %q: %v", tenant, arg, err)
		}
		return n
	}
	if n := count(a, a, pa.ID, pb.ID); n != 1 {
		t.Errorf("tenant A, its own rows: %d, want 1", n)
	}
	if n := count(a, b, pa.ID, pb.ID); n != 0 {
		t.Errorf("tenant A asking for tenant B's rows: %d, want 0", n)
	}
	if n := count("", b, pb.ID); n != 0 {
		t.Errorf("no tenant set: %d rows, want 0", n)
	}
}
