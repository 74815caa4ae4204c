package load

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Markdown renders a result as a Markdown page: the setting, one table row
// per run, the skipped scenarios and the plot (plot is the image's path
// relative to the page; "" leaves it out).
func Markdown(r *Result, plot string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# fhird benchmark %s (commit %s)\n\n", r.Date.UTC().Format("2006-01-02 15:04 MST"), r.Commit)
	fmt.Fprintf(&b, "- Target: %s", r.Target)
	if r.Tenant != "" {
		fmt.Fprintf(&b, " (tenant %s)", r.Tenant)
	}
	fmt.Fprintf(&b, "\n- Dataset: %s\n", orDash(r.Dataset))
	m := r.Machine
	fmt.Fprintf(&b, "- Machine: %s, %d cores, %d MB, %s, %s\n", orDash(m.CPU), m.Cores, m.MemoryMB, m.OS, m.GoVersion)
	fmt.Fprintf(&b, "- PostgreSQL: %s\n", orDash(m.PostgreSQL))
	fmt.Fprintf(&b, "- Sampled: %s\n", sizes(r.Pools))
	fmt.Fprintf(&b, "- Each run follows a %gs warm-up that is not recorded. Latencies are nearest-rank percentiles "+
		"of the successful (2xx) requests; the floor is the server's SQL run straight through pgx at the same "+
		"concurrency, and × is server ÷ floor.\n\n", r.WarmupS)
	b.WriteString("| scenario | load | s | req/s | err/s | p50 ms | p95 ms | p99 ms | max ms | floor p50 | floor p95 | ×p50 | ×p95 | RSS MB | CPU cores | errors |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n")
	for _, run := range r.Runs {
		b.WriteString(row(run))
	}
	if len(r.Skipped) > 0 {
		b.WriteString("\nSkipped:\n\n")
		for _, s := range r.Skipped {
			fmt.Fprintf(&b, "- %s: %s\n", s.Scenario, s.Reason)
		}
	}
	if plot != "" {
		fmt.Fprintf(&b, "\n![latency (p50 and p95) vs concurrency](%s)\n", plot)
	}
	return b.Bytes()
}

func row(run Run) string {
	load := fmt.Sprintf("c=%d", run.Concurrency)
	if run.Rate > 0 {
		load = fmt.Sprintf("%d/s", run.Rate)
	}
	floor50, floor95, x50, x95 := "–", "–", "–", "–"
	if f := run.Floor; f != nil {
		floor50, floor95 = ms(f.Latency.P50), ms(f.Latency.P95)
	}
	if q := run.Ratio; q != nil {
		x50, x95 = fmt.Sprintf("%.1f", q.P50), fmt.Sprintf("%.1f", q.P95)
	}
	l := run.Latency
	cells := []string{run.Scenario, load, fmt.Sprintf("%g", run.DurationS), fmt.Sprintf("%.1f", run.RPS),
		fmt.Sprintf("%.1f", run.ErrorRPS), ms(l.P50), ms(l.P95), ms(l.P99), ms(l.Max), floor50, floor95, x50, x95,
		optional(run.ServerRSSMB, "%.0f"), optional(run.ServerCPU, "%.2f"), errorList(run.Errors)}
	return "| " + strings.Join(cells, " | ") + " |\n"
}

func ms(v float64) string { return fmt.Sprintf("%.2f", v) }

func optional(v *float64, format string) string {
	if v == nil {
		return "unknown"
	}
	return fmt.Sprintf(format, *v)
}

// errorList lists errors as status×count in status order ("0" is a
// transport error).
func errorList(errs map[int]int) string {
	if len(errs) == 0 {
		return "–"
	}
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(errs)) {
		parts = append(parts, fmt.Sprintf("%d×%d", code, errs[code]))
	}
	return strings.Join(parts, ", ")
}

func sizes(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return orDash(strings.Join(parts, ", "))
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
