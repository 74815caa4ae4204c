package load

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestWatchReportsMaxRSSAndCPU serves process metrics whose RSS peaks on
// the second scrape and whose CPU counter grows, and checks that the watch
// reports the peak (not the last value) and a positive number of cores.
func TestWatchReportsMaxRSSAndCPU(t *testing.T) {
	var n atomic.Int32
	rss := []int{100, 300, 200}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := min(int(n.Add(1))-1, len(rss)-1)
		fmt.Fprintf(w, "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %d\n"+
			"# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total %d\n", rss[i]<<20, 10+i)
	}))
	defer srv.Close()
	s := &scraper{url: srv.URL, http: srv.Client(), every: 5 * time.Millisecond}
	ctx := context.Background()
	w := s.start(ctx)
	for n.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	got := w.end(ctx, s)
	if got.MaxRSSMB == nil || *got.MaxRSSMB != 300 {
		t.Errorf("max RSS = %v MB, want 300", got.MaxRSSMB)
	}
	if got.CPUCores == nil || *got.CPUCores <= 0 {
		t.Errorf("CPU cores = %v, want > 0 (the counter grew by 2 s)", got.CPUCores)
	}
}

func TestWatchWithoutMetricsIsUnknown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	s := &scraper{url: srv.URL, http: srv.Client()}
	if got := s.start(context.Background()).end(context.Background(), s); got.MaxRSSMB != nil || got.CPUCores != nil {
		t.Errorf("resources without an endpoint = %+v, want unknown", got)
	}
	var none *scraper
	if got := none.start(context.Background()).end(context.Background(), none); got.MaxRSSMB != nil {
		t.Errorf("resources without a scraper = %+v, want unknown", got)
	}
}
