// Command fhird is the FHIR R4 server. It is the only place that reads the
// environment and wires the packages together.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fhirbase-go/fhird/capability"
	"github.com/fhirbase-go/fhird/fhir/patch"
	"github.com/fhirbase-go/fhird/fhir/validate"
	"github.com/fhirbase-go/fhird/server"
	"github.com/fhirbase-go/fhird/store"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	cmd := "serve"
	if len(os.Args) > 1 {
		cmd = os.Args[1]
	}
	var err error
	switch cmd {
	case "serve":
		err = withConfig(serve)
	case "migrate":
		err = withConfig(func(ctx context.Context, c *config, log *slog.Logger) error {
			return store.Migrate(ctx, c.DatabaseURL, c.AppRole)
		})
	case "gen":
		err = genCmd(os.Args[2:])
	case "import":
		err = withConfig(func(ctx context.Context, c *config, log *slog.Logger) error {
			return importCmd(ctx, c, log, os.Args[2:])
		})
	case "verify-index":
		err = withConfig(func(ctx context.Context, c *config, log *slog.Logger) error {
			return verifyCmd(ctx, c, log, os.Args[2:])
		})
	case "reindex":
		err = withConfig(func(ctx context.Context, c *config, log *slog.Logger) error {
			return reindexCmd(ctx, c, log, os.Args[2:])
		})
	case "bench":
		err = withConfig(func(ctx context.Context, c *config, log *slog.Logger) error {
			return benchCmd(ctx, c, log, os.Args[2:])
		})
	case "version":
		fmt.Println("fhird", version)
	case "-h", "--help", "help":
		usage(os.Stdout)
	default:
		usage(os.Stderr)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fhird:", err)
		os.Exit(1)
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `fhird: a FHIR R4 server on PostgreSQL.

Usage:
  fhird serve     migrate (unless FHIR_MIGRATE=false) and serve FHIR R4 JSON at /fhir
  fhird migrate   create the database if missing, apply migrations, set up the server role
  fhird gen       write seeded synthetic clinical data as NDJSON (fhird gen -h)
  fhird import    load NDJSON files into a tenant with COPY (fhird import -h)
  fhird bench     run load scenarios against a server (fhird bench -h)
  fhird verify-index  check that a tenant's search index matches its resources (fhird verify-index -h)
  fhird reindex   rewrite the index rows that differ from today's extraction, resumable (fhird reindex -h)
  fhird version   print the version
  fhird help      this text

Configuration (environment):
`)
	for _, s := range settings {
		fmt.Fprintf(w, "  %-22s %s (default: %s)\n", s.name, s.help, s.def)
	}
}

// withConfig runs fn with the configuration, a JSON logger and a context
// cancelled by SIGINT or SIGTERM.
func withConfig(fn func(context.Context, *config, *slog.Logger) error) error {
	c, err := loadConfig()
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("FHIR_LOG_LEVEL: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return fn(ctx, c, log)
}

func serve(ctx context.Context, c *config, log *slog.Logger) error {
	if c.Migrate {
		if err := store.Migrate(ctx, c.DatabaseURL, c.AppRole); err != nil {
			return err
		}
		log.Info("schema migrated", slog.Uint64("version", uint64(store.LatestVersion())))
	}
	start := time.Now()
	validate.Warm() // the model and every invariant, before the first request rather than in it
	log.Info("validation model loaded", slog.Duration("took", time.Since(start)))
	st, err := store.New(ctx, store.Config{URL: c.AppDatabaseURL, MaxConns: c.MaxConns, MinConns: c.MinConns,
		StatementTimeout: c.StatementTimeout, AcquireTimeout: c.AcquireTimeout, MaxWaiting: c.MaxWaiting, BaseURL: c.BaseURL})
	if err != nil {
		return err
	}
	defer st.Close()
	if c.Dev {
		log.Warn("DEVELOPMENT MODE: the X-Tenant-ID header selects the tenant, and a request without it is served as tenant " +
			c.Tenant + "; never expose this server")
	}
	if on, err := st.Autovacuum(ctx); err == nil && !on {
		log.Warn("autovacuum is off in the database: nothing refreshes the planner's statistics of what the server writes, " +
			"and searches may become slow; turn it on, or run ANALYZE regularly")
	}
	if c.CursorKeyRandom {
		log.Warn("FHIR_CURSOR_KEY is not set: paging links work only on this process")
	}
	if c.SampleData != "" {
		if err := loadSamples(ctx, st, c.Tenant, c.SampleData, log); err != nil {
			return err
		}
	}
	h, err := handler(c, st, log)
	if err != nil {
		return err
	}
	if c.PprofAddr != "" {
		go servePprof(c.PprofAddr, log)
	}
	return listen(ctx, c, h, log)
}

func handler(c *config, st *store.Store, log *slog.Logger) (http.Handler, error) {
	cs, err := capability.Build(capability.Options{BaseURL: c.BaseURL, Software: "fhird", Version: version,
		ReleaseDate: time.Now().UTC().Format("2006-01-02"), ConditionalDeleteMultiple: c.ConditionalDeleteMultiple,
		Limits: capability.Limits{MaxBodyBytes: c.MaxBodyBytes, MaxBundleEntries: c.MaxBundleEntries,
			MaxResponseBytes: c.MaxResponseBytes, DefaultCount: c.DefaultCount, MaxCount: c.MaxCount,
			MaxParams: c.SearchLimits.MaxParams, MaxOrValues: c.SearchLimits.MaxOrValues, MaxIncludes: c.SearchLimits.MaxIncludes,
			RequestTimeout: c.RequestTimeout, MaxPatchOps: patch.MaxOperations, MaxIssues: validate.MaxIssues}})
	if err != nil {
		return nil, err
	}
	return server.New(server.Config{
		BaseURL: c.BaseURL, Dev: c.Dev, DefaultTenant: c.Tenant, MaxBodyBytes: c.MaxBodyBytes,
		DefaultCount: c.DefaultCount, MaxCount: c.MaxCount, CursorKey: c.CursorKey, SearchLimits: c.SearchLimits,
		MaxBundleEntries: c.MaxBundleEntries, ConditionalDeleteMultiple: c.ConditionalDeleteMultiple, RequestTimeout: c.RequestTimeout,
		MaxResponseBytes: c.MaxResponseBytes,
		Capability:       cs, Logger: log, Metrics: server.NewMetrics(poolCollectors(st)...),
	}, st), nil
}

// listen serves until ctx is cancelled, then lets in-flight requests finish
// within the shutdown timeout.
func listen(ctx context.Context, c *config, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	srv := c.HTTP.server(h)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(c.HTTP.listener(ln)) }()
	log.Info("serving", slog.String("addr", c.Addr), slog.String("base", c.BaseURL))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// servePprof serves the Go profiles on their own listener, apart from the
// API, for benchmarks and diagnosis.
func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Info("serving profiles", slog.String("addr", addr))
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		log.Error("profiles", slog.String("error", err.Error()))
	}
}

// poolCollectors expose the database pool's state.
func poolCollectors(st *store.Store) []prometheus.Collector {
	g := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	return []prometheus.Collector{
		g("fhir_db_pool_acquired_conns", "Connections in use.", func() float64 { return float64(st.Stat().AcquiredConns()) }),
		g("fhir_db_pool_idle_conns", "Idle connections.", func() float64 { return float64(st.Stat().IdleConns()) }),
		g("fhir_db_pool_total_conns", "Open connections.", func() float64 { return float64(st.Stat().TotalConns()) }),
		g("fhir_db_pool_max_conns", "Pool size.", func() float64 { return float64(st.Stat().MaxConns()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "fhir_db_pool_acquire_wait_seconds_total",
			Help: "Time spent waiting for a connection."},
			func() float64 { return st.Stat().AcquireDuration().Seconds() }),
	}
}
