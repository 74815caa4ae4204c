package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/store"
)

const verifyUsage = `Usage: fhird verify-index [flags]

Checks the search index of a tenant: the index rows of every resource must
be exactly those of its current version, and a deleted resource must have
none. Every difference is printed (resource, table, stale and missing
rows); the command exits non-zero when there is one. It reads through the
server role, one chunk of resources at a time; run it while the tenant is
quiet for an exact answer (a write during the check can show as a
difference that is not one).

Flags:
`

// verifyCmd checks the index invariant of a tenant (store.VerifyIndex).
func verifyCmd(ctx context.Context, c *config, log *slog.Logger, args []string) error {
	return runVerify(ctx, c, args, os.Stdout, os.Stderr)
}

func runVerify(ctx context.Context, c *config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify-index", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tenant := fs.String("tenant", c.Tenant, "tenant to check")
	fs.Usage = func() { fmt.Fprint(stderr, verifyUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	st, err := store.New(ctx, store.Config{URL: c.AppDatabaseURL, MaxConns: 2, BaseURL: c.BaseURL})
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := st.VerifyIndex(fhir.WithTenant(ctx, *tenant))
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, p)
	}
	fmt.Fprintf(stdout, "verify-index: tenant %s: %d resources, %d differences\n", *tenant, rep.Resources, len(rep.Problems))
	if len(rep.Problems) > 0 {
		return fmt.Errorf("verify-index: the index of tenant %s differs from its resources in %d places", *tenant, len(rep.Problems))
	}
	return nil
}
