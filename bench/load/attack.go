package load

import (
	"context"
	"net/http"
	"strconv"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Load is how hard one run pushes: Concurrency workers that each send the
// next request as soon as the previous one is answered (closed loop), or,
// when Rate is set, Rate requests a second whatever the answers (open
// loop).
type Load struct {
	Concurrency int
	Rate        int
}

func (l Load) String() string {
	if l.Rate > 0 {
		return strconv.Itoa(l.Rate) + "/s"
	}
	return "c=" + strconv.Itoa(l.Concurrency)
}

// tally is what one attack measured.
type tally struct {
	requests  int
	successes int
	errors    map[int]int     // by status; 0 is a transport error
	latencies []time.Duration // of the successes
	elapsed   time.Duration
}

func newTally() *tally { return &tally{errors: map[int]int{}} }

// add counts one response: 2xx is a success, anything else (a redirect
// included) an error under its status; vegeta reports a transport error
// (no response at all) as status 0.
func (t *tally) add(code int, latency time.Duration) {
	t.requests++
	if code >= 200 && code < 300 {
		t.successes++
		t.latencies = append(t.latencies, latency)
		return
	}
	t.errors[code]++
}

// targeter turns a scenario's requests into vegeta targets under base.
func targeter(a *api, next func() Request) vegeta.Targeter {
	getH, postH := a.headers(false), a.headers(true)
	return func(t *vegeta.Target) error {
		r := next()
		t.Method, t.URL, t.Body, t.Header = r.Method, a.base+"/"+r.Path, r.Body, getH
		if r.Path == "" {
			t.URL = a.base
		}
		if r.Method == http.MethodPost {
			t.Header = postH
		}
		return nil
	}
}

// attack runs tr at load l for d (or until ctx ends) and tallies the
// responses. Connections are kept alive and the closed loop keeps at least
// one idle connection per worker, so no request waits for a dial.
func attack(ctx context.Context, tr vegeta.Targeter, l Load, d time.Duration) *tally {
	opts := []func(*vegeta.Attacker){vegeta.KeepAlive(true), vegeta.MaxBody(0), vegeta.Redirects(vegeta.NoFollow)}
	if l.Rate == 0 {
		c := uint64(max(l.Concurrency, 1))
		opts = append(opts, vegeta.Workers(c), vegeta.MaxWorkers(c), vegeta.Connections(int(c)))
	}
	a := vegeta.NewAttacker(opts...)
	defer context.AfterFunc(ctx, func() { a.Stop() })()
	t := newTally()
	start := time.Now()
	for r := range a.Attack(tr, vegeta.Rate{Freq: l.Rate, Per: time.Second}, d, "") {
		t.add(int(r.Code), r.Latency)
	}
	t.elapsed = time.Since(start)
	return t
}
