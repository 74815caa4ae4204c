package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/fhirbase-go/fhird/bench/gen"
)

// genOptions are the flags of fhird gen.
type genOptions struct {
	cfg     gen.Config
	out     string // a directory, or "-" for stdout
	tenants int
	bundles bool
}

// genCmd writes synthetic data; see bench/gen.
func genCmd(args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runGen(ctx, args, os.Stdout, os.Stderr)
}

// runGen is genCmd with its streams passed in: the data goes to files or
// stdout, the summary to stderr.
func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseGen(args, stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	total := gen.Stats{Resources: map[string]int64{}}
	for k := 1; k <= o.tenants; k++ {
		cfg, dir := o.cfg, o.out
		if o.tenants > 1 {
			cfg, dir = cfg.ForTenant(k), filepath.Join(o.out, "t"+strconv.Itoa(k))
		}
		st, err := genTenant(ctx, gen.New(cfg), dir, o.bundles, stdout)
		for typ, n := range st.Resources {
			total.Resources[typ] += n
		}
		total.Bytes += st.Bytes
		total.Bundles += st.Bundles
		if err != nil {
			return err
		}
	}
	summary(stderr, total, time.Since(start))
	return nil
}

// parseGen parses the flags of fhird gen on a FlagSet of its own.
func parseGen(args []string, stderr io.Writer) (genOptions, error) {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o genOptions
	fs.IntVar(&o.cfg.Patients, "patients", 1000, "number of patients (about 68 resources each)")
	fs.Uint64Var(&o.cfg.Seed, "seed", 1, "seed: the same seed and flags give the same bytes")
	fs.StringVar(&o.out, "out", "", `output directory, or "-" for all NDJSON on stdout`)
	fs.IntVar(&o.tenants, "tenants", 1, "independent datasets, one subdirectory t1, t2, … each")
	format := fs.String("format", "ndjson", "ndjson (one file per type) or bundle (bundles.ndjson of transaction Bundles)")
	fs.IntVar(&o.cfg.Workers, "workers", 0, "rendering goroutines (0: GOMAXPROCS); never changes the output")
	ref := fs.String("ref", gen.DefaultRef.Format(time.RFC3339), `the dataset's "now", RFC 3339`)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: fhird gen -out DIR|- [flags]\n\nWrites seeded synthetic FHIR R4 data as NDJSON.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var errs []error
	if o.out == "" {
		errs = append(errs, errors.New("-out is required"))
	}
	if o.cfg.Patients < 0 || o.tenants < 1 || o.cfg.Workers < 0 {
		errs = append(errs, errors.New("-patients and -workers must not be negative, -tenants must be at least 1"))
	}
	if *format != "ndjson" && *format != "bundle" {
		errs = append(errs, fmt.Errorf("-format %q: want ndjson or bundle", *format))
	}
	o.bundles = *format == "bundle"
	t, err := time.Parse(time.RFC3339, *ref)
	if err != nil {
		errs = append(errs, fmt.Errorf("-ref: %w", err))
	}
	o.cfg.Ref = t.UTC()
	return o, errors.Join(errs...)
}

// genTenant writes one dataset to dir, or to stdout when dir is "-" (or
// under it, for a tenant).
func genTenant(ctx context.Context, g *gen.Generator, dir string, bundles bool, stdout io.Writer) (gen.Stats, error) {
	fs := &fileSet{dir: dir, files: map[string]*bufio.Writer{}}
	if filepath.Dir(dir) == "-" || dir == "-" {
		fs.stdout = bufio.NewWriterSize(stdout, 1<<20)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return gen.Stats{}, err
	}
	write := g.WriteNDJSON
	if bundles {
		write = g.WriteBundles
	}
	st, err := write(ctx, fs.open)
	return st, errors.Join(err, fs.close())
}

// fileSet opens DIR/<Type>.ndjson (bundles.ndjson for bundles) on first
// use, buffered, or sends everything to one buffered stdout.
type fileSet struct {
	dir    string
	stdout *bufio.Writer
	files  map[string]*bufio.Writer
	closes []*os.File
}

// open returns the writer for typ. A file that cannot be created gives a
// writer that fails, so that the generator stops with the error.
func (s *fileSet) open(typ string) io.Writer {
	if s.stdout != nil {
		return s.stdout
	}
	name := typ + ".ndjson"
	if typ == "Bundle" {
		name = "bundles.ndjson"
	}
	f, err := os.Create(filepath.Join(s.dir, name))
	if err != nil {
		return errWriter{err}
	}
	s.closes = append(s.closes, f)
	s.files[typ] = bufio.NewWriterSize(f, 1<<20)
	return s.files[typ]
}

// close flushes and closes everything open returned.
func (s *fileSet) close() error {
	var errs []error
	if s.stdout != nil {
		errs = append(errs, s.stdout.Flush())
	}
	for _, w := range s.files {
		errs = append(errs, w.Flush())
	}
	for _, f := range s.closes {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

// summary prints what was written: resources per type, bytes, time, rate.
func summary(w io.Writer, st gen.Stats, elapsed time.Duration) {
	for _, typ := range slices.Sorted(maps.Keys(st.Resources)) {
		fmt.Fprintf(w, "%-14s %12d\n", typ, st.Resources[typ])
	}
	if st.Bundles > 0 {
		fmt.Fprintf(w, "%-14s %12d transaction bundles\n", "Bundle", st.Bundles)
	}
	n := st.Total()
	fmt.Fprintf(w, "%-14s %12d resources, %d bytes (%.1f MB) in %s: %.0f resources/s, %.1f MB/s\n",
		"total", n, st.Bytes, float64(st.Bytes)/1e6, elapsed.Round(time.Millisecond),
		float64(n)/elapsed.Seconds(), float64(st.Bytes)/1e6/elapsed.Seconds())
}
