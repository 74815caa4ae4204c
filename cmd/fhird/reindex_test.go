package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/store"
)

func TestReindexCommand(t *testing.T) {
	db := freshDatabase(t)
	c := &config{DatabaseURL: "postgres://postgres@127.0.0.1:5432/" + db,
		AppDatabaseURL: "postgres://fhir_app@127.0.0.1:5432/" + db, AppRole: "fhir_app",
		Tenant: "default", StatementTimeout: 30 * time.Second}
	ctx := context.Background()
	if err := store.Migrate(ctx, c.DatabaseURL, c.AppRole); err != nil {
		t.Fatal(err)
	}
	st, err := store.New(ctx, store.Config{URL: c.AppDatabaseURL})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tenant := range []string{"t1", "t2"} {
		res := map[string]any{"resourceType": "Patient", "name": []any{map[string]any{"family": "O'Neil"}}}
		if _, err := st.Create(fhir.WithTenant(ctx, tenant), "Patient", "p1", res); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := pgx.Connect(ctx, c.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// The rows an older server wrote: the apostrophe kept in the norm.
	if _, err := conn.Exec(ctx, `UPDATE patient_str SET norm = lower(exact)`); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	if err := runVerify(ctx, c, []string{"-tenant", "t1"}, &out, &errs); err == nil {
		t.Fatal("the old rows verify")
	}

	out.Reset()
	if err := runReindex(ctx, c, []string{"-tenant", "t1", "-type", "Patient"}, &out, &errs); err != nil {
		t.Fatalf("reindex: %v\n%s%s", err, out.String(), errs.String())
	}
	if !strings.Contains(out.String(), "reindex: tenant t1: Patient 1/1 resources, 1 rewritten") ||
		!strings.Contains(out.String(), "tenant t1: 1 resources checked, 1 rewritten") {
		t.Errorf("output:\n%s", out.String())
	}
	out.Reset()
	if err := runReindex(ctx, c, nil, &out, &errs); err != nil { // every tenant
		t.Fatalf("reindex: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "tenant t1: 1 resources checked, 0 rewritten") ||
		!strings.Contains(out.String(), "tenant t2: 1 resources checked, 1 rewritten") {
		t.Errorf("output:\n%s", out.String())
	}
	for _, tenant := range []string{"t1", "t2"} {
		out.Reset()
		if err := runVerify(ctx, c, []string{"-tenant", tenant}, &out, &errs); err != nil {
			t.Errorf("verify %s after reindex: %v\n%s", tenant, err, out.String())
		}
	}
}
