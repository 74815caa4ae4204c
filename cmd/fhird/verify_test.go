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

func TestVerifyIndexCommand(t *testing.T) {
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
	res := map[string]any{"resourceType": "Patient", "gender": "female", "name": []any{map[string]any{"family": "Gagnon"}}}
	if _, err := st.Create(fhir.WithTenant(ctx, "t1"), "Patient", "p1", res); err != nil {
		t.Fatal(err)
	}

	var out, errs bytes.Buffer
	if err := runVerify(ctx, c, []string{"-tenant", "t1"}, &out, &errs); err != nil {
		t.Fatalf("a sound index: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "tenant t1: 1 resources, 0 differences") {
		t.Errorf("report: %s", out.String())
	}

	conn, err := pgx.Connect(ctx, c.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DELETE FROM patient_str WHERE tenant_id = 't1'`); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = runVerify(ctx, c, []string{"-tenant", "t1"}, &out, &errs)
	if err == nil || !strings.Contains(out.String(), "Patient/p1: str rows stale [], missing [") {
		t.Errorf("rows removed behind the server's back: %v\n%s", err, out.String())
	}
}
