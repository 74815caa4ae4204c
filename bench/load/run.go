package load

import (
	"context"
	"math"
)

// runOne runs one scenario at one load: a warm-up, the recorded attack
// while the server's process is watched, then the floor of a read
// scenario at the same concurrency for the same duration.
func (cfg *Config) runOne(ctx context.Context, a *api, sc *scraper, s Scenario, pools *Pools, l Load) Run {
	nextOf := func() func() Request {
		g := newGenerator(pools, cfg.Bodies, cfg.Seed)
		return func() Request { return s.next(g) }
	}
	if cfg.Warmup > 0 {
		attack(ctx, targeter(a, nextOf()), l, cfg.Warmup)
	}
	w := sc.start(ctx)
	t := attack(ctx, targeter(a, nextOf()), l, cfg.Duration)
	rs := w.end(ctx, sc)
	run := t.run(s.Name, l)
	run.ServerRSSMB, run.ServerCPU = rs.MaxRSSMB, rs.CPUCores
	switch {
	case cfg.Floor == nil || s.Write:
	case l.Rate > 0:
		cfg.Log.Info("no floor for an open-loop run", "scenario", s.Name, "rate", l.Rate)
	default:
		if cfg.Warmup > 0 {
			cfg.Floor.runFloor(ctx, l.Concurrency, cfg.Warmup, nextOf())
		}
		ft := cfg.Floor.runFloor(ctx, l.Concurrency, cfg.Duration, nextOf())
		run.Floor, run.Ratio = ft.run(), ratio(run.Latency, ft)
	}
	cfg.Log.Info("run", "scenario", s.Name, "load", l.String(), "requests", run.Requests, "rps", run.RPS,
		"p50_ms", run.Latency.P50, "p95_ms", run.Latency.P95, "errors", run.Errors)
	return run
}

// run summarizes an attack.
func (t *tally) run(name string, l Load) Run {
	secs := t.elapsed.Seconds()
	r := Run{Scenario: name, Concurrency: l.Concurrency, Rate: l.Rate, DurationS: round(secs, 3),
		Requests: t.requests, Successes: t.successes, Errors: t.errors,
		Latency: toMS(Summarize(t.latencies))}
	if l.Rate > 0 {
		r.Concurrency = 0
	}
	if secs > 0 {
		r.RPS = round(float64(t.successes)/secs, 1)
		r.ErrorRPS = round(float64(t.requests-t.successes)/secs, 1)
	}
	return r
}

// run summarizes a floor run.
func (t *floorTally) run() *FloorRun {
	f := &FloorRun{Requests: t.requests, Errors: t.errors, Latency: toMS(Summarize(t.latencies))}
	if s := t.elapsed.Seconds(); s > 0 {
		f.RPS = round(float64(t.requests-t.errors)/s, 1)
	}
	if t.firstErr != nil {
		f.FirstError = t.firstErr.Error()
	}
	return f
}

// ratio is server ÷ floor latency at p50 and p95, or nil without a floor
// measurement to divide by.
func ratio(server LatencyMS, floor *floorTally) *Ratio {
	f := toMS(Summarize(floor.latencies))
	if f.P50 <= 0 || f.P95 <= 0 {
		return nil
	}
	return &Ratio{P50: round(server.P50/f.P50, 2), P95: round(server.P95/f.P95, 2)}
}

// round keeps the JSON readable: rates and ratios carry no false precision.
func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
