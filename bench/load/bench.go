package load

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Config is one benchmark session.
type Config struct {
	// URL is the FHIR base, e.g. http://localhost:8080/fhir.
	URL string
	// Tenant is sent as X-Tenant-ID on every request ("" sends none).
	Tenant string
	// Scenarios are names of Names(); empty runs them all.
	Scenarios []string
	// Loads are run one after the other for every scenario.
	Loads []Load
	// Duration is the recorded time of one run, after a Warmup that is not
	// recorded.
	Duration, Warmup time.Duration
	// MetricsURL is the server's Prometheus endpoint; "" derives
	// scheme://host/metrics from URL and "off" scrapes nothing.
	MetricsURL string
	// SampleSize is how many resources of each type are sampled (500).
	SampleSize int
	// Seed seeds the choice of ids and values.
	Seed uint64
	// Bodies makes the write scenarios' bodies; nil uses BuiltinBodies.
	Bodies Bodies
	// Floor measures the database floor of the read scenarios; nil skips it.
	Floor *FloorConfig
	Log   *slog.Logger
	// HTTP samples and scrapes; nil uses a client with a 30 s timeout.
	HTTP *http.Client
}

// Bench samples the server, runs every scenario at every load and returns
// the result; the caller fills in Commit and Dataset.
func Bench(ctx context.Context, cfg Config) (*Result, error) {
	cfg.defaults()
	names, err := cfg.scenarioNames()
	if err != nil {
		return nil, err
	}
	a := &api{base: strings.TrimRight(cfg.URL, "/"), tenant: cfg.Tenant, http: cfg.HTTP}
	pools, err := Sample(ctx, a, cfg.SampleSize)
	if err != nil {
		return nil, err
	}
	res := &Result{Version: SchemaVersion, Date: time.Now().UTC().Truncate(time.Second), Machine: DescribeMachine(),
		Target: a.base, Tenant: cfg.Tenant, WarmupS: cfg.Warmup.Seconds(), Pools: pools.Sizes()}
	if cfg.Floor != nil {
		if v, err := cfg.Floor.DB.ServerVersion(ctx); err == nil {
			res.Machine.PostgreSQL = v
		}
	}
	sc := cfg.scraper(ctx)
	for _, name := range names {
		s, _ := Lookup(name)
		if why := s.missing(pools); why != "" {
			cfg.Log.Warn("scenario skipped", "scenario", name, "reason", why)
			res.Skipped = append(res.Skipped, Skip{Scenario: name, Reason: why})
			continue
		}
		for _, l := range cfg.Loads {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			res.Runs = append(res.Runs, cfg.runOne(ctx, a, sc, s, pools, l))
		}
	}
	return res, nil
}

func (cfg *Config) defaults() {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Bodies == nil {
		cfg.Bodies = BuiltinBodies{Run: fmt.Sprintf("%x", time.Now().UnixNano())}
	}
	if cfg.SampleSize <= 0 {
		cfg.SampleSize = 500
	}
	if len(cfg.Loads) == 0 {
		cfg.Loads = []Load{{Concurrency: 1}}
	}
}

func (cfg *Config) scenarioNames() ([]string, error) {
	if len(cfg.Scenarios) == 0 {
		return Names(), nil
	}
	for _, n := range cfg.Scenarios {
		if _, ok := Lookup(n); !ok {
			return nil, fmt.Errorf("unknown scenario %q (known: %s)", n, strings.Join(Names(), ", "))
		}
	}
	return slices.Compact(slices.Clone(cfg.Scenarios)), nil
}

// scraper returns the server's metrics scraper, or nil (resources unknown)
// when the endpoint is off or does not answer with process metrics.
func (cfg *Config) scraper(ctx context.Context) *scraper {
	u := cfg.MetricsURL
	if u == "off" {
		return nil
	}
	if u == "" {
		base, err := url.Parse(cfg.URL)
		if err != nil {
			return nil
		}
		u = base.Scheme + "://" + base.Host + "/metrics"
	}
	s := &scraper{url: u, http: cfg.HTTP}
	if _, err := s.scrape(ctx); err != nil {
		cfg.Log.Warn("server memory and CPU unknown", "metrics", u, "error", err.Error())
		return nil
	}
	return s
}
