package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// freshDatabase names a database that does not exist yet and drops it
// after the test.
func freshDatabase(t *testing.T) string {
	t.Helper()
	admin := "postgres://postgres@127.0.0.1:5432/postgres"
	conn, err := pgx.Connect(context.Background(), admin)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL is required (CI is set): %v", err)
		}
		fmt.Fprintf(os.Stderr, "\n*** SKIPPING: PostgreSQL unavailable: %v ***\n\n", err)
		t.Skip(err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "fhirtest_cmd_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		conn.Close(context.Background())
	})
	return name
}

func TestImportCommandLoadsReportsAndReruns(t *testing.T) {
	db := freshDatabase(t)
	c := &config{DatabaseURL: "postgres://postgres@127.0.0.1:5432/" + db,
		AppDatabaseURL: "postgres://fhir_app@127.0.0.1:5432/" + db, AppRole: "fhir_app",
		Migrate: true, Tenant: "default", StatementTimeout: 30 * time.Second}
	dir := t.TempDir()
	lines := `{"resourceType":"Patient","id":"a","gender":"female"}` + "\n" +
		`{"resourceType":"Patient","id":"b","gender":"nope"}` + "\n" +
		`{"resourceType":"Patient","id":"c","birthDate":"1970"}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "Patient.ndjson"), []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	var out, errs bytes.Buffer
	if err := runImport(ctx, c, log, []string{"-tenant", "t1", "-batch", "2", dir}, &out, &errs); err != nil {
		t.Fatalf("import: %v\n%s", err, errs.String())
	}
	if !strings.Contains(out.String(), "2 loaded, 0 skipped (already present), 1 bad") {
		t.Errorf("report: %s", out.String())
	}
	if !strings.Contains(errs.String(), "Patient.ndjson:2: ") {
		t.Errorf("the bad line is not named:\n%s", errs.String())
	}
	conn, err := pgx.Connect(ctx, c.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var inT1, elsewhere int
	err = conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE tenant_id = 't1'), count(*) FILTER (WHERE tenant_id <> 't1')
		FROM patient`).Scan(&inT1, &elsewhere)
	if err != nil || inT1 != 2 || elsewhere != 0 {
		t.Errorf("patients in t1: %d, elsewhere: %d (%v); want 2 and 0", inT1, elsewhere, err)
	}
	// The import ends with a VACUUM: the new pages are all-visible (which
	// ANALYZE alone does not make them), so index-only scans skip the heap.
	var allVisible int
	if err := conn.QueryRow(ctx, `SELECT relallvisible FROM pg_class WHERE oid = 'patient_tok'::regclass`).Scan(&allVisible); err != nil || allVisible == 0 {
		t.Errorf("patient_tok has %d all-visible pages after the import (%v), want them all", allVisible, err)
	}
	out.Reset()
	if err := runImport(ctx, c, log, []string{"-tenant", "t1", dir}, &out, &errs); err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if !strings.Contains(out.String(), "0 loaded, 2 skipped") {
		t.Errorf("rerun report: %s", out.String())
	}
	// Only bad lines: nothing could be loaded, which is a failure.
	bad := filepath.Join(dir, "bad.ndjson")
	if err := os.WriteFile(bad, []byte("{\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runImport(ctx, c, log, []string{bad}, &out, &errs); err == nil {
		t.Error("an import that loaded nothing succeeded")
	}
}
