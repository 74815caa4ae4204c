package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fhirbase-go/fhird/bench/gen"
	"github.com/fhirbase-go/fhird/bench/load"
	"github.com/fhirbase-go/fhird/search"
	"github.com/fhirbase-go/fhird/store"
)

// benchFlags are the options of fhird bench.
type benchFlags struct {
	url, tenant, scenarios, conc, rate, out, dataset, metrics, commit, tag string
	duration, warmup                                                       time.Duration
	floor                                                                  bool
	sample, genPatients                                                    int
	seed, genSeed                                                          uint64
}

func parseBenchFlags(c *config, args []string) (*benchFlags, error) {
	f := &benchFlags{}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: fhird bench [flags]\n       fhird bench plot <results.json>\n\n"+
			"Runs load scenarios against a running FHIR server and writes <out>/<date>-<commit>[-<tag>].{json,md,svg}.\n"+
			"The floor connects through FHIR_APP_DATABASE_URL and shapes its SQL with the FHIR_DEFAULT_COUNT,\n"+
			"FHIR_MAX_COUNT and FHIR_SEARCH_* settings, which should be the server's.\n\nScenarios: %s\n\n",
			strings.Join(load.Names(), ", "))
		fs.PrintDefaults()
	}
	fs.StringVar(&f.url, "url", "http://localhost:8080/fhir", "FHIR base URL of the server")
	fs.StringVar(&f.tenant, "tenant", c.Tenant, "tenant, sent as X-Tenant-ID (dev-mode servers); the floor's tenant")
	fs.StringVar(&f.scenarios, "scenarios", "all", "comma-separated scenarios, or all")
	fs.StringVar(&f.conc, "c", "1,16,64", "comma-separated concurrencies (closed loop)")
	fs.StringVar(&f.rate, "rate", "", "comma-separated request rates per second (open loop; replaces -c)")
	fs.DurationVar(&f.duration, "duration", 10*time.Second, "recorded duration of each run")
	fs.DurationVar(&f.warmup, "warmup", 2*time.Second, "unrecorded warm-up before each run")
	fs.BoolVar(&f.floor, "floor", true, "measure the floor: the server's SQL straight through pgx")
	fs.StringVar(&f.out, "out", "bench/results", "directory of the results")
	fs.StringVar(&f.dataset, "dataset", "", "description of the loaded data, recorded in the results")
	fs.StringVar(&f.tag, "tag", "", "name added to the results' file names, <date>-<commit>-<tag> (e.g. the tier: 100k)")
	fs.StringVar(&f.metrics, "metrics", "", "server's Prometheus endpoint (default: scheme://host/metrics of -url; off: none)")
	fs.StringVar(&f.commit, "commit", "", "commit recorded in the results (default: the binary's or git's)")
	fs.IntVar(&f.sample, "sample", 500, "resources sampled per type")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the choice of ids and values")
	fs.IntVar(&f.genPatients, "gen-patients", 0, "patients of the loaded fhird gen dataset: the write scenarios then send its kind of\n"+
		"Patients and patient Bundles, referring to its shared resources (0: small built-in bodies)")
	fs.Uint64Var(&f.genSeed, "gen-seed", 1, "seed of the loaded fhird gen dataset (with -gen-patients)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	return f, nil
}

// loads returns the runs' loads: the rates when given, else the
// concurrencies.
func (f *benchFlags) loads() ([]load.Load, error) {
	if f.rate != "" {
		rates, err := positiveInts("-rate", f.rate)
		var out []load.Load
		for _, r := range rates {
			out = append(out, load.Load{Rate: r})
		}
		return out, err
	}
	cs, err := positiveInts("-c", f.conc)
	var out []load.Load
	for _, c := range cs {
		out = append(out, load.Load{Concurrency: c})
	}
	return out, err
}

func positiveInts(name, list string) ([]int, error) {
	var out []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bench: %s takes positive integers separated by commas, got %q", name, list)
		}
		out = append(out, n)
	}
	return out, nil
}

func (f *benchFlags) scenarioList() []string {
	if f.scenarios == "" || f.scenarios == "all" {
		return nil
	}
	var out []string
	for _, s := range strings.Split(f.scenarios, ",") {
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

// benchCmd runs load scenarios; see bench/load.
func benchCmd(ctx context.Context, c *config, log *slog.Logger, args []string) error {
	if len(args) > 0 && args[0] == "plot" {
		return benchPlot(args[1:])
	}
	f, err := parseBenchFlags(c, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	loads, err := f.loads()
	if err != nil {
		return err
	}
	cfg := load.Config{URL: f.url, Tenant: f.tenant, Scenarios: f.scenarioList(), Loads: loads,
		Duration: f.duration, Warmup: f.warmup, MetricsURL: f.metrics, SampleSize: f.sample, Seed: f.seed, Log: log}
	if f.genPatients > 0 {
		g := gen.New(gen.Config{Seed: f.genSeed, Patients: f.genPatients})
		cfg.Bodies = genBodies{g: g, from: f.genPatients}
	}
	if f.floor {
		st, err := floorStore(ctx, c, loads)
		if err != nil {
			log.Warn("floor skipped: cannot connect to the database", "error", err.Error())
		} else {
			defer st.Close()
			cfg.Floor = &load.FloorConfig{DB: st, Tenant: f.tenant, Options: search.Options{DefaultCount: c.DefaultCount,
				MaxCount: c.MaxCount, BaseURL: c.BaseURL, Limits: c.SearchLimits}}
		}
	}
	res, err := load.Bench(ctx, cfg)
	if res == nil {
		return err
	}
	res.Commit, res.Dataset, res.Tag = f.commitOrDefault(), f.dataset, f.tag
	paths, werr := load.Write(f.out, res)
	for _, p := range paths {
		fmt.Println(p)
	}
	return errors.Join(err, werr)
}

// genBodies makes the write scenarios' bodies with bench/gen: the patients
// after the dataset's (their identifiers are new), referring to the
// dataset's shared practitioners and organizations.
type genBodies struct {
	g    *gen.Generator
	from int
}

// Patient returns the Patient resource of patient from+i.
func (b genBodies) Patient(i int) []byte { return b.g.Patient(b.from + i)[0].JSON }

// Bundle returns the transaction Bundle of patient from+i.
func (b genBodies) Bundle(i int) []byte { return b.g.Bundle(b.from + i) }

// floorStore connects the floor with a pool as large as the largest
// concurrency, so no floor worker waits for a connection.
func floorStore(ctx context.Context, c *config, loads []load.Load) (*store.Store, error) {
	conns := 1
	for _, l := range loads {
		conns = max(conns, l.Concurrency)
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return store.New(cctx, store.Config{URL: c.AppDatabaseURL, MaxConns: int32(conns),
		StatementTimeout: c.StatementTimeout})
}

// commitOrDefault is -commit, else the VCS revision stamped into the
// binary, else git's HEAD, else "unknown"; a modified tree gets -dirty.
func (f *benchFlags) commitOrDefault() string {
	if f.commit != "" {
		return f.commit
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, dirty string
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && len(s.Value) >= 7:
				rev = s.Value[:7]
			case s.Key == "vcs.modified" && s.Value == "true":
				dirty = "-dirty"
			}
		}
		if rev != "" {
			return rev + dirty
		}
	}
	if out, err := exec.Command("git", "rev-parse", "--short=7", "HEAD").Output(); err == nil {
		return strings.TrimSpace(string(out))
	}
	return "unknown"
}

// benchPlot re-renders the Markdown and the plot of a results file next
// to it.
func benchPlot(args []string) error {
	if len(args) != 1 || !strings.HasSuffix(args[0], ".json") {
		return errors.New("usage: fhird bench plot <results.json>")
	}
	r, err := load.ReadResult(args[0])
	if err != nil {
		return err
	}
	paths, err := load.Write(filepath.Dir(args[0]), r)
	for _, p := range slices.DeleteFunc(paths, func(p string) bool { return strings.HasSuffix(p, ".json") }) {
		fmt.Fprintln(os.Stdout, p)
	}
	return err
}
