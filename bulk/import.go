package bulk

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/fhirbase-go/fhird/fhir"
)

// Loader stores one batch of resources in one transaction of the tenant
// of ctx; *store.Store is one. It skips resources that exist already,
// rejects items it cannot store without failing the others, and on error
// has written nothing.
type Loader interface {
	Import(ctx context.Context, items []fhir.NewResource) (fhir.ImportResult, error)
}

// Lister is a Loader that can also tell which of a list of ids of a type
// the tenant of ctx holds already; *store.Store is one. Import uses it, when
// the loader is one, to skip the lines a resumed import stored before
// without validating them.
type Lister interface {
	Existing(ctx context.Context, typ string, ids []string) (map[string]bool, error)
}

// Options tune an import; the zero value is usable.
type Options struct {
	// BatchSize is the number of resources per transaction (default 1000).
	BatchSize int
	// BatchBytes closes a batch early once its lines add up to this many
	// bytes, so huge resources do not pile up in memory (default 32 MiB).
	BatchBytes int
	// Workers is the number of batches loading at once (default 2).
	Workers int
	// Parsers is the number of goroutines validating lines (default
	// GOMAXPROCS).
	Parsers int
	// MaxLineBytes bounds one line; a longer one is a bad line (default
	// 64 MiB).
	MaxLineBytes int
	// Errors receives one "file:line: message" line per bad line; nil
	// discards them.
	Errors io.Writer
	// Progress receives progress: a bar when it is a terminal, otherwise a
	// plain line every ProgressEvery (default 5s); nil shows none.
	Progress      io.Writer
	ProgressEvery time.Duration
}

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.BatchSize, 1000)
	def(&o.BatchBytes, 32<<20)
	def(&o.Workers, 2)
	def(&o.Parsers, runtime.GOMAXPROCS(0))
	def(&o.MaxLineBytes, 64<<20)
	if o.Errors == nil {
		o.Errors = io.Discard
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 5 * time.Second
	}
	return o
}

// Report sums up an import. Every non-blank line read is counted once as
// loaded, skipped or bad, unless the import stopped on an error.
type Report struct {
	Files int
	// Lines counts the non-blank lines read.
	Lines int64
	// Loaded counts the resources stored; Skipped those present already
	// (or repeated within a batch); Bad the lines reported as bad.
	Loaded, Skipped, Bad int64
	Elapsed              time.Duration
}

// Rate is the resources stored or found present per second.
func (r Report) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Loaded+r.Skipped) / r.Elapsed.Seconds()
}

func (r Report) String() string {
	return fmt.Sprintf("%d files, %d lines: %d loaded, %d skipped (already present), %d bad in %s (%.0f resources/s)",
		r.Files, r.Lines, r.Loaded, r.Skipped, r.Bad, r.Elapsed.Round(time.Millisecond), r.Rate())
}

// Import loads the NDJSON files named by paths (files, or directories
// whose *.ndjson files are read in name order) into the tenant of ctx
// through loader, and reports what it did. Bad lines are written to
// opts.Errors and counted; they do not stop the load, nor does a batch the
// database refuses (it is split to find the lines at fault). Import stops
// with an error when ctx is cancelled or the loader fails for another
// reason than the data (the database unreachable); batches committed
// until then stay, whole.
func Import(ctx context.Context, loader Loader, paths []string, opts Options) (Report, error) {
	start := time.Now()
	opts = opts.withDefaults()
	files, total, err := listFiles(paths)
	if err != nil {
		return Report{}, fmt.Errorf("bulk.Import: %w", err)
	}
	p := &pipeline{loader: loader, opts: opts}
	p.out = startProgress(opts.Progress, opts.ProgressEvery, total, start, p.snapshot)
	err = p.run(ctx, files)
	p.out.stop()
	rep, _ := p.snapshot()
	rep.Files, rep.Elapsed = len(files), time.Since(start)
	if err != nil {
		return rep, fmt.Errorf("bulk.Import: %w", err)
	}
	return rep, nil
}

// pipeline is one run of Import: readers → parsers → batcher → loaders.
type pipeline struct {
	loader Loader
	opts   Options
	out    *progress

	lines, loaded, skipped, bad atomic.Int64
	done                        atomic.Int64 // bytes of the files dealt with
}

// snapshot returns the counts so far and the bytes dealt with.
func (p *pipeline) snapshot() (Report, int64) {
	return Report{Lines: p.lines.Load(), Loaded: p.loaded.Load(), Skipped: p.skipped.Load(), Bad: p.bad.Load()},
		p.done.Load()
}

func (p *pipeline) run(ctx context.Context, files []source) error {
	g, ctx := errgroup.WithContext(ctx)
	chunks := make(chan chunk, 2*p.opts.Parsers)
	items := make(chan item, p.opts.BatchSize)
	batches := make(chan []item)
	g.Go(func() error {
		defer close(chunks)
		for i := range files {
			if err := readFile(ctx, &files[i], p.opts.MaxLineBytes, chunks, p.blank); err != nil {
				return err
			}
		}
		return nil
	})
	var parsers sync.WaitGroup
	for range p.opts.Parsers {
		parsers.Add(1)
		g.Go(func() error { defer parsers.Done(); return p.parse(ctx, chunks, items) })
	}
	go func() { parsers.Wait(); close(items) }()
	g.Go(func() error { defer close(batches); return p.batch(ctx, items, batches) })
	for range p.opts.Workers {
		g.Go(func() error { return p.loadAll(ctx, batches) })
	}
	return g.Wait()
}

func (p *pipeline) blank(size int) { p.done.Add(int64(size)) }

// badLine reports and counts one bad line.
func (p *pipeline) badLine(src *source, n, size int, msg string) {
	p.bad.Add(1)
	p.done.Add(int64(size))
	p.out.write(func() { fmt.Fprintf(p.opts.Errors, "%s:%d: %s\n", src.path, n, msg) })
}

// note writes a message about a range of lines that is not a bad line.
func (p *pipeline) note(format string, args ...any) {
	p.out.write(func() { fmt.Fprintf(p.opts.Errors, format+"\n", args...) })
}
