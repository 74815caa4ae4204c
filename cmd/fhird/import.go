package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/fhirbase-go/fhird/bulk"
	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/store"
)

const importUsage = `Usage: fhird import [flags] PATH...

Loads NDJSON files (one FHIR R4 resource per line, each with an id) into a
tenant. A PATH is a file or a directory, whose *.ndjson files are loaded in
name order. A file named <Type>.ndjson (or <Type>.<anything>.ndjson) must
hold resources of that type only. Resources whose type and id exist already
are skipped, so running the same import again is safe and loads only what
is missing: an import stopped part way resumes by running it again, and
the lines it had stored are skipped without being validated again.

Bad lines (not JSON, invalid, no id, wrong type) are reported on stderr as
file:line: message and counted; they do not stop the load and do not make
the command fail. It exits non-zero only when nothing could be loaded or
the load stopped (database unreachable, interrupted: batches committed
until then stay, whole).

Flags:
`

// importCmd loads NDJSON files into a tenant through the server role, so
// row-level security applies to every row it writes.
func importCmd(ctx context.Context, c *config, log *slog.Logger, args []string) error {
	return runImport(ctx, c, log, args, os.Stdout, os.Stderr)
}

func runImport(ctx context.Context, c *config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tenant := fs.String("tenant", c.Tenant, "tenant to load into")
	workers := fs.Int("workers", 2, "batches loading at once (each one transaction)")
	batch := fs.Int("batch", 1000, "resources per batch")
	fs.Usage = func() { fmt.Fprint(stderr, importUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("import: no files given")
	}
	if c.Migrate {
		if err := store.Migrate(ctx, c.DatabaseURL, c.AppRole); err != nil {
			return err
		}
	}
	st, err := store.New(ctx, store.Config{URL: c.AppDatabaseURL, MaxConns: int32(*workers + 1),
		StatementTimeout: c.StatementTimeout, BaseURL: c.BaseURL})
	if err != nil {
		return err
	}
	defer st.Close()
	log.Info("import started", slog.String("tenant", *tenant), slog.Int("workers", *workers), slog.Int("batch", *batch))
	rep, err := bulk.Import(fhir.WithTenant(ctx, *tenant), st, fs.Args(), bulk.Options{
		BatchSize: *batch, Workers: *workers, Errors: stderr, Progress: stderr})
	fmt.Fprintln(stdout, "import:", rep)
	if err != nil {
		return err
	}
	if rep.Loaded+rep.Skipped == 0 {
		return fmt.Errorf("import: nothing could be loaded (%d lines, %d bad)", rep.Lines, rep.Bad)
	}
	if rep.Loaded > 0 {
		start := time.Now()
		if err := store.VacuumAnalyze(ctx, c.DatabaseURL); err != nil {
			log.Warn("tables not vacuumed nor statistics refreshed; autovacuum will", slog.String("error", err.Error()))
		} else {
			log.Info("tables vacuumed, statistics refreshed (VACUUM (ANALYZE))", slog.Duration("took", time.Since(start)))
		}
	}
	return nil
}
