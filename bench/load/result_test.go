package load

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func f64(v float64) *float64 { return &v }

func sampleResult() *Result {
	return &Result{
		Version: SchemaVersion, Date: time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC), Commit: "abc1234",
		Machine: Machine{CPU: "Test CPU @ 3.0GHz", Cores: 2, MemoryMB: 7936, OS: "linux/amd64", GoVersion: "go1.26.8",
			PostgreSQL: "PostgreSQL 15.0"},
		Target: "http://127.0.0.1:18080/fhir", Tenant: "default", Dataset: "testdata/sample", WarmupS: 2,
		Pools: map[string]int{"patients": 5, "observations": 20},
		Runs: []Run{
			{Scenario: "read", Concurrency: 1, DurationS: 3, Requests: 3000, Successes: 3000, Errors: map[int]int{},
				RPS: 1000, Latency: LatencyMS{P50: 0.9, P95: 1.5, P99: 2.25, Max: 7},
				Floor: &FloorRun{Requests: 9000, RPS: 3000, Latency: LatencyMS{P50: 0.3, P95: 0.5, P99: 0.6, Max: 2}},
				Ratio: &Ratio{P50: 3, P95: 3}, ServerRSSMB: f64(41.6), ServerCPU: f64(0.95)},
			{Scenario: "read", Concurrency: 4, DurationS: 3, Requests: 6010, Successes: 6000,
				Errors: map[int]int{500: 2, 0: 8}, RPS: 2000, ErrorRPS: 3.3,
				Latency: LatencyMS{P50: 1.8, P95: 3.2, P99: 4, Max: 30}},
			{Scenario: "create", Rate: 100, DurationS: 3, Requests: 300, Successes: 300, Errors: map[int]int{},
				RPS: 100, Latency: LatencyMS{P50: 2, P95: 3, P99: 4, Max: 5}},
		},
		Skipped: []Skip{{Scenario: "appointments", Reason: "no Appointment with a Patient participant and a start sampled"}},
	}
}

// TestMarkdownGolden pins the Markdown table; run with -update after an
// intended change and read the diff.
func TestMarkdownGolden(t *testing.T) {
	got := Markdown(sampleResult(), "2026-11-24-abc1234.svg")
	golden := filepath.Join("testdata", "result.md.golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Markdown differs from %s (rerun with -update if intended):\n%s", golden, got)
	}
}

// TestWriteRoundTrip writes the files of a result and reads the JSON back
// into the same value; the SVG is an SVG with a line per percentile.
func TestWriteRoundTrip(t *testing.T) {
	dir := t.TempDir()
	r := sampleResult()
	paths, err := Write(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	want := []string{"2026-11-24-abc1234.json", "2026-11-24-abc1234.md", "2026-11-24-abc1234.svg", "latest.svg"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("Write wrote %v, want %v", names, want)
	}
	back, err := ReadResult(filepath.Join(dir, "2026-11-24-abc1234.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("round trip changed the result:\n got %+v\nwant %+v", back, r)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "2026-11-24-abc1234.md"))
	if !bytes.Contains(md, []byte("](2026-11-24-abc1234.svg)")) {
		t.Errorf("the Markdown does not show its plot:\n%s", md)
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "latest.svg"))
	if !bytes.HasPrefix(bytes.TrimSpace(svg), []byte("<?xml")) || !bytes.Contains(svg, []byte("<svg")) {
		t.Errorf("latest.svg is not SVG: %.100s", svg)
	}
}

// TestStemTag: a tag keeps two tiers of one day and commit apart.
func TestStemTag(t *testing.T) {
	r := sampleResult()
	if got := r.Stem(); got != "2026-11-24-abc1234" {
		t.Errorf("Stem() = %q without a tag", got)
	}
	r.Tag = "100k"
	if got := r.Stem(); got != "2026-11-24-abc1234-100k" {
		t.Errorf("Stem() = %q with tag 100k", got)
	}
}

func TestReadResultRejectsAnotherVersion(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(p, []byte(`{"version": 99}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadResult(p); err == nil || !strings.Contains(err.Error(), "version 99") {
		t.Errorf("ReadResult of version 99 = %v, want a version error", err)
	}
}
