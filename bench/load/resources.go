package load

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// process is one scrape of a server's process metrics.
type process struct {
	rss float64 // process_resident_memory_bytes
	cpu float64 // process_cpu_seconds_total
	at  time.Time
}

// scraper reads the server's Prometheus endpoint.
type scraper struct {
	url  string
	http *http.Client
	// every is the polling interval during a run (zero: a second).
	every time.Duration
}

// scrape fetches the endpoint once; a missing endpoint or metric is an
// error (the caller reports the resources as unknown).
func (s *scraper) scrape(ctx context.Context) (process, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return process{}, err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return process{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return process{}, fmt.Errorf("%s: status %d", s.url, resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return process{}, fmt.Errorf("%s: %w", s.url, err)
	}
	out := process{at: time.Now()}
	for name, dst := range map[string]*float64{"process_resident_memory_bytes": &out.rss, "process_cpu_seconds_total": &out.cpu} {
		f := fams[name]
		if f == nil || len(f.GetMetric()) == 0 {
			return process{}, fmt.Errorf("%s: no %s", s.url, name)
		}
		m := f.GetMetric()[0]
		switch {
		case m.GetGauge() != nil:
			*dst = m.GetGauge().GetValue()
		case m.GetCounter() != nil:
			*dst = m.GetCounter().GetValue()
		default:
			*dst = m.GetUntyped().GetValue()
		}
	}
	return out, nil
}

// watch follows the server's process during a run: a scrape at the start,
// one every second, and one at the end.
type watch struct {
	first process
	err   error
	maxRS float64 // written by poll only, read after done
	stop  chan struct{}
	done  chan struct{}
}

// Resources are a server's memory and CPU over a run; nil is unknown.
type Resources struct {
	MaxRSSMB *float64
	CPUCores *float64
}

// start begins a watch; without a scraper (or an endpoint that answers)
// the resources come out unknown.
func (s *scraper) start(ctx context.Context) *watch {
	w := &watch{stop: make(chan struct{}), done: make(chan struct{})}
	if s == nil {
		w.err = fmt.Errorf("no metrics endpoint")
		close(w.done)
		return w
	}
	if w.first, w.err = s.scrape(ctx); w.err != nil {
		close(w.done)
		return w
	}
	w.maxRS = w.first.rss
	go w.poll(ctx, s)
	return w
}

func (w *watch) poll(ctx context.Context, s *scraper) {
	defer close(w.done)
	every := s.every
	if every == 0 {
		every = time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-ctx.Done():
			return
		case <-tick.C:
			if p, err := s.scrape(ctx); err == nil {
				w.maxRS = max(w.maxRS, p.rss)
			}
		}
	}
}

// end stops the polling, scrapes a last time and returns the maximum RSS
// seen and the CPU seconds used per wall-clock second (cores).
func (w *watch) end(ctx context.Context, s *scraper) Resources {
	if w.err != nil {
		return Resources{}
	}
	close(w.stop)
	<-w.done
	last, err := s.scrape(ctx)
	if err != nil {
		return Resources{}
	}
	rss := max(w.maxRS, last.rss) / (1 << 20)
	var cores float64
	if wall := last.at.Sub(w.first.at).Seconds(); wall > 0 {
		cores = (last.cpu - w.first.cpu) / wall
	}
	return Resources{MaxRSSMB: &rss, CPUCores: &cores}
}
