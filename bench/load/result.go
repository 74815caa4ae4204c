package load

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// SchemaVersion is the version of the results format; it changes when a
// field changes meaning or goes away.
const SchemaVersion = 1

// Result is one benchmark session: where it ran, against what, and one Run
// per scenario and load. Durations and latencies are in milliseconds or
// seconds as their names say, so the JSON reads without a Go duration
// parser.
type Result struct {
	Version int       `json:"version"`
	Date    time.Time `json:"date"`
	Commit  string    `json:"commit"`
	Machine Machine   `json:"machine"`
	Target  string    `json:"target"`
	Tenant  string    `json:"tenant,omitempty"`
	Dataset string    `json:"dataset,omitempty"`
	// Tag names the run beside date and commit in the file names (a tier:
	// "100k"), so that tiers measured on one commit keep their files.
	Tag     string         `json:"tag,omitempty"`
	WarmupS float64        `json:"warmup_s"`
	Pools   map[string]int `json:"pools"`
	Runs    []Run          `json:"runs"`
	Skipped []Skip         `json:"skipped,omitempty"`
}

// Machine describes where the driver ran (and, for a local server, the
// server too).
type Machine struct {
	CPU        string `json:"cpu"`
	Cores      int    `json:"cores"`
	MemoryMB   int    `json:"memory_mb"`
	OS         string `json:"os"`
	GoVersion  string `json:"go_version"`
	PostgreSQL string `json:"postgresql,omitempty"`
}

// Run is one scenario at one load.
type Run struct {
	Scenario    string      `json:"scenario"`
	Concurrency int         `json:"concurrency,omitempty"`
	Rate        int         `json:"rate,omitempty"`
	DurationS   float64     `json:"duration_s"`
	Requests    int         `json:"requests"`
	Successes   int         `json:"successes"`
	Errors      map[int]int `json:"errors_by_status"`
	RPS         float64     `json:"rps"`
	ErrorRPS    float64     `json:"error_rps"`
	Latency     LatencyMS   `json:"latency_ms"`
	Floor       *FloorRun   `json:"floor,omitempty"`
	// Ratio is the server's latency over the floor's, at p50 and p95.
	Ratio       *Ratio   `json:"ratio,omitempty"`
	ServerRSSMB *float64 `json:"server_max_rss_mb"`
	ServerCPU   *float64 `json:"server_cpu_cores"`
}

// LatencyMS are percentiles of the successes' latencies (see Percentile).
type LatencyMS struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// FloorRun is the floor of a read scenario at the same concurrency.
type FloorRun struct {
	Requests int       `json:"requests"`
	Errors   int       `json:"errors"`
	RPS      float64   `json:"rps"`
	Latency  LatencyMS `json:"latency_ms"`
	// FirstError says why the floor failed, when it did.
	FirstError string `json:"first_error,omitempty"`
}

// Ratio is server latency ÷ floor latency.
type Ratio struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
}

// Skip is a scenario that did not run and why.
type Skip struct {
	Scenario string `json:"scenario"`
	Reason   string `json:"reason"`
}

func toMS(l Latency) LatencyMS {
	f := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return LatencyMS{P50: f(l.P50), P95: f(l.P95), P99: f(l.P99), Max: f(l.Max)}
}

// Stem is the results' file name without extension:
// <YYYY-MM-DD>-<commit>, then -<tag> when the result has one.
func (r *Result) Stem() string {
	c := r.Commit
	if c == "" {
		c = "unknown"
	}
	stem := r.Date.UTC().Format("2006-01-02") + "-" + c
	if r.Tag != "" {
		stem += "-" + r.Tag
	}
	return stem
}

// ReadResult reads a results JSON file.
func ReadResult(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.Version != SchemaVersion {
		return nil, fmt.Errorf("%s: results version %d, this driver reads %d", path, r.Version, SchemaVersion)
	}
	return &r, nil
}

// Write writes dir/<stem>.json, dir/<stem>.md and the plot as
// dir/<stem>.svg and dir/latest.svg, and returns the paths it wrote. The
// Markdown shows its own plot, so an older table keeps its own picture.
func Write(dir string, r *Result) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	stem := filepath.Join(dir, r.Stem())
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	svg, err := Plot(r)
	if err != nil {
		return nil, err
	}
	files := []struct {
		path string
		data []byte
	}{
		{stem + ".json", append(js, '\n')},
		{stem + ".md", Markdown(r, filepath.Base(stem)+".svg")},
		{stem + ".svg", svg},
		{filepath.Join(dir, "latest.svg"), svg},
	}
	var paths []string
	for _, f := range files {
		if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
			return paths, err
		}
		paths = append(paths, f.path)
	}
	return paths, nil
}
