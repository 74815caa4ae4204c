package load

import (
	"math"
	"slices"
	"time"
)

// Percentile returns the p-th percentile (0 < p <= 100) of sorted, an
// ascending sample, by the nearest-rank definition: the smallest value
// such that at least p percent of the sample is less than or equal to it,
// which is the element of 1-based rank ceil(p/100 × n). It is always a
// value of the sample (never interpolated), p100 is the maximum, and an
// empty sample gives 0. p <= 0 gives the minimum.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	// p × n is exact for integer p and n, so ranks such as 95 of 100 do
	// not round up through a floating-point error.
	rank := int(math.Ceil(p * float64(n) / 100))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// Latency is the summary of a latency sample.
type Latency struct {
	P50, P95, P99, Max time.Duration
}

// Summarize sorts sample in place and returns its p50, p95, p99 and
// maximum (see Percentile).
func Summarize(sample []time.Duration) Latency {
	slices.Sort(sample)
	return Latency{
		P50: Percentile(sample, 50),
		P95: Percentile(sample, 95),
		P99: Percentile(sample, 99),
		Max: Percentile(sample, 100),
	}
}
