package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/store"
)

const reindexUsage = `Usage: fhird reindex [flags]

Brings the search index rows of every resource to what this version of the
server extracts from it (after a change of extraction or of the string
folding, such as punctuation now being ignored): per tenant (-tenant, or
every tenant), per resource type (-type, or every type), in batches of
resources, each in one transaction that locks the batch's resources, reads
their current content and rewrites only the index rows that differ. It is
safe while the server serves writes: a write either commits before a batch
reads its resource, or waits for the batch and maintains its own rows.

A checkpoint per tenant and type is kept in the database (fhir_reindex) in
the transaction of each batch: a rerun after a crash or Ctrl-C continues
where the last run stopped, and a finished run removes its checkpoints.
Listing every tenant reads through FHIR_DATABASE_URL, whose role must see
past row-level security (a superuser or BYPASSRLS); the reindex itself runs
through the server role. Progress is a bar on a terminal, plain lines
otherwise. fhird verify-index -tenant T checks the result.

Flags:
`

// reindexCmd re-extracts the index rows of tenants (store.Reindex).
func reindexCmd(ctx context.Context, c *config, log *slog.Logger, args []string) error {
	return runReindex(ctx, c, args, os.Stderr, os.Stderr)
}

func runReindex(ctx context.Context, c *config, args []string, out, stderr io.Writer) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tenant := fs.String("tenant", "", "tenant to reindex (default: every tenant)")
	types := fs.String("type", "", "comma-separated resource types to reindex (default: every type)")
	batch := fs.Int("batch", store.ReindexBatch, "resources per transaction")
	fs.Usage = func() { fmt.Fprint(stderr, reindexUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	tenants := []string{*tenant}
	if *tenant == "" {
		var err error
		if tenants, err = store.Tenants(ctx, c.DatabaseURL); err != nil {
			return fmt.Errorf("reindex: listing the tenants: %w", err)
		}
	}
	st, err := store.New(ctx, store.Config{URL: c.AppDatabaseURL, MaxConns: 2, BaseURL: c.BaseURL})
	if err != nil {
		return err
	}
	defer st.Close()
	o := store.ReindexOptions{Batch: *batch}
	if *types != "" {
		o.Types = strings.Split(*types, ",")
	}
	for _, t := range tenants {
		show := newReindexProgress(out, t)
		o.Progress = show.update
		rep, err := st.Reindex(fhir.WithTenant(ctx, t), o)
		show.finish()
		if err != nil {
			return fmt.Errorf("reindex: tenant %s (rerun to continue): %w", t, err)
		}
		resumed := ""
		if rep.Resumed {
			resumed = ", resuming an interrupted run"
		}
		fmt.Fprintf(out, "reindex: tenant %s: %d resources checked, %d rewritten%s\n", t, rep.Resources, rep.Fixed, resumed)
	}
	return nil
}

// reindexProgress shows one tenant's reindex: a bar per type on a
// terminal, a plain line every few seconds (and at each type's end)
// elsewhere.
type reindexProgress struct {
	w      io.Writer
	tenant string
	bar    *progressbar.ProgressBar
	typ    string
	last   time.Time
	prev   store.ReindexProgress
}

func newReindexProgress(w io.Writer, tenant string) *reindexProgress {
	return &reindexProgress{w: w, tenant: tenant}
}

func (p *reindexProgress) update(r store.ReindexProgress) {
	if r.Type != p.typ {
		p.finish()
		p.typ, p.last = r.Type, time.Now()
		if isTerminal(p.w) {
			p.bar = progressbar.NewOptions(r.Total, progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription("reindex "+p.tenant+" "+r.Type), progressbar.OptionShowCount(),
				progressbar.OptionSetPredictTime(true), progressbar.OptionSetWidth(30),
				progressbar.OptionThrottle(100*time.Millisecond))
		}
	}
	p.prev = r
	if p.bar != nil {
		p.bar.ChangeMax(r.Total)
		_ = p.bar.Set(r.Done)
		return
	}
	if time.Since(p.last) >= 5*time.Second {
		p.last = time.Now()
		p.line()
	}
}

// finish closes the current type's bar or writes its last line.
func (p *reindexProgress) finish() {
	if p.typ == "" {
		return
	}
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.w)
		p.bar = nil
	} else {
		p.line()
	}
	p.typ = ""
}

func (p *reindexProgress) line() {
	r := p.prev
	fmt.Fprintf(p.w, "reindex: tenant %s: %s %d/%d resources, %d rewritten\n", p.tenant, r.Type, r.Done, r.Total, r.Fixed)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
