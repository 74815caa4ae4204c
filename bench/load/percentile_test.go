package load

import (
	"math/rand/v2"
	"testing"
	"time"
)

func durs(vs ...int) []time.Duration {
	out := make([]time.Duration, len(vs))
	for i, v := range vs {
		out[i] = time.Duration(v) * time.Millisecond
	}
	return out
}

func TestPercentileNearestRank(t *testing.T) {
	ten := durs(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sample []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one sample p50", durs(7), 50, 7 * time.Millisecond},
		{"one sample p99", durs(7), 99, 7 * time.Millisecond},
		{"two samples p50 is the lower", durs(1, 9), 50, 1 * time.Millisecond},
		{"two samples p51 is the upper", durs(1, 9), 51, 9 * time.Millisecond},
		{"two samples p95", durs(1, 9), 95, 9 * time.Millisecond},
		{"all equal", durs(4, 4, 4, 4, 4), 95, 4 * time.Millisecond},
		{"ten p50 is rank 5", ten, 50, 5 * time.Millisecond},
		{"ten p90 is rank 9", ten, 90, 9 * time.Millisecond},
		{"ten p91 rounds the rank up to 10", ten, 91, 10 * time.Millisecond},
		{"ten p100 is the max", ten, 100, 10 * time.Millisecond},
		{"ten p0 is the min", ten, 0, 1 * time.Millisecond},
		{"ten p10 is rank 1", ten, 10, 1 * time.Millisecond},
		{"ten p11 is rank 2", ten, 11, 2 * time.Millisecond},
		{"hundred p95", hundred, 95, 95 * time.Millisecond},
		{"hundred p99", hundred, 99, 99 * time.Millisecond},
		{"hundred p99.5 rounds up", hundred, 99.5, 100 * time.Millisecond},
		{"above 100 is clamped to the max", ten, 150, 10 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := Percentile(tt.sample, tt.p); got != tt.want {
			t.Errorf("%s: Percentile(p%v) = %v, want %v", tt.name, tt.p, got, tt.want)
		}
	}
}

// TestSummarizeSortsItsSample checks that Summarize does not assume a
// sorted sample: a shuffled 1..1000 ms sample has p50 500, p95 950, p99
// 990 and max 1000.
func TestSummarizeSortsItsSample(t *testing.T) {
	s := make([]time.Duration, 1000)
	for i := range s {
		s[i] = time.Duration(i+1) * time.Millisecond
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	got := Summarize(s)
	want := Latency{P50: 500 * time.Millisecond, P95: 950 * time.Millisecond, P99: 990 * time.Millisecond, Max: time.Second}
	if got != want {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
	if (Summarize(nil) != Latency{}) {
		t.Errorf("Summarize(nil) = %+v, want zeros", Summarize(nil))
	}
}
