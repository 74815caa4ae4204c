package gen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// output is one streamed dataset: the NDJSON of each type.
type output struct {
	files map[string]*bytes.Buffer
	stats Stats
}

// mustWrite streams the dataset of cfg into memory.
func mustWrite(tb testing.TB, cfg Config, bundles bool) output {
	tb.Helper()
	o := output{files: map[string]*bytes.Buffer{}}
	out := func(typ string) io.Writer {
		if o.files[typ] == nil {
			o.files[typ] = new(bytes.Buffer)
		}
		return o.files[typ]
	}
	g := New(cfg)
	var err error
	if bundles {
		o.stats, err = g.WriteBundles(context.Background(), out)
	} else {
		o.stats, err = g.WriteNDJSON(context.Background(), out)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

// sum hashes every file, in type order, with its name.
func (o output) sum() string {
	h := sha256.New()
	names := make([]string, 0, len(o.files))
	for n := range o.files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		h.Write([]byte(n + "\x00"))
		h.Write(o.files[n].Bytes())
	}
	return hex.EncodeToString(h.Sum(nil))
}

// lines returns the lines of the file of typ.
func (o output) lines(typ string) [][]byte {
	b := o.files[typ]
	if b == nil {
		return nil
	}
	return bytes.Split(bytes.TrimSuffix(b.Bytes(), []byte("\n")), []byte("\n"))
}

func TestDeterministic(t *testing.T) {
	base := Config{Seed: 42, Patients: 40, Workers: 1}
	want := mustWrite(t, base, false).sum()
	for _, workers := range []int{1, 2, 7} {
		cfg := base
		cfg.Workers = workers
		if got := mustWrite(t, cfg, false).sum(); got != want {
			t.Errorf("workers=%d: sha256 %s, want %s", workers, got, want)
		}
	}
	for name, cfg := range map[string]Config{
		"seed":   {Seed: 43, Patients: 40},
		"ref":    {Seed: 42, Patients: 40, Ref: DefaultRef.AddDate(0, 0, 1)},
		"tenant": base.ForTenant(1),
	} {
		if got := mustWrite(t, cfg, false).sum(); got == want {
			t.Errorf("%s: a different config gave the same output", name)
		}
	}
	if base.ForTenant(1).Seed == base.ForTenant(2).Seed {
		t.Error("tenants 1 and 2 share a seed")
	}
}

func TestBundlesDeterministic(t *testing.T) {
	a := mustWrite(t, Config{Seed: 5, Patients: 30, Workers: 1}, true)
	b := mustWrite(t, Config{Seed: 5, Patients: 30, Workers: 3}, true)
	if a.sum() != b.sum() {
		t.Error("bundle output depends on the worker count")
	}
	if n := len(a.lines("Bundle")); n != 30 || a.stats.Bundles != 30 {
		t.Errorf("%d bundle lines, %d counted, want 30", n, a.stats.Bundles)
	}
	if nd := mustWrite(t, Config{Seed: 5, Patients: 30}, false); a.stats.Total() != nd.stats.Total() {
		t.Errorf("bundles count %d resources, NDJSON %d", a.stats.Total(), nd.stats.Total())
	}
	if a.files["Patient"] != nil {
		t.Error("bundle format also wrote Patient.ndjson")
	}
}

// TestPatientMatchesStream checks that Patient(i) returns exactly the lines
// streaming writes for patient i, so a loader and a file agree.
func TestPatientMatchesStream(t *testing.T) {
	cfg := Config{Seed: 9, Patients: 20}
	o := mustWrite(t, cfg, false)
	byID := map[string][]byte{}
	for typ := range o.files {
		for _, l := range o.lines(typ) {
			byID[typ+"/"+string(l[len(`{"resourceType":"`)+len(typ)+len(`","id":"`):][:36])] = l
		}
	}
	g := New(cfg)
	for _, i := range []int{0, 7, 19} {
		for _, r := range g.Patient(i) {
			if !bytes.Equal(byID[r.Type+"/"+r.ID], r.JSON) {
				t.Errorf("patient %d: %s/%s differs from the streamed line", i, r.Type, r.ID)
			}
		}
	}
	if got := len(slices.Collect(g.Shared())); int64(got) != o.stats.Resources["Organization"]+o.stats.Resources["Practitioner"]+o.stats.Resources["Schedule"] {
		t.Errorf("Shared yields %d resources, the stream wrote %v", got, o.stats.Resources)
	}
}

var fhirID = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

func TestIDsValidAndUnique(t *testing.T) {
	o := mustWrite(t, Config{Seed: 1, Patients: 50}, false)
	seen := map[string]bool{}
	for typ := range o.files {
		for _, l := range o.lines(typ) {
			id := string(l[len(`{"resourceType":"`)+len(typ)+len(`","id":"`):][:36])
			if !fhirID.MatchString(id) || id[14] != '4' || !strings.ContainsRune("89ab", rune(id[19])) {
				t.Fatalf("%s id %q is not a version 4 UUID", typ, id)
			}
			if seen[id] {
				t.Fatalf("id %s is used twice", id)
			}
			seen[id] = true
		}
	}
}

func TestSizesScale(t *testing.T) {
	g := New(Config{Patients: 1_000_000})
	if c := g.Config(); c.Organizations != 10_000 || c.Practitioners != 50_000 || !c.Ref.Equal(DefaultRef) {
		t.Errorf("1M patients: %d organizations, %d practitioners, ref %v", c.Organizations, c.Practitioners, c.Ref)
	}
	if c := New(Config{Patients: 3}).Config(); c.Organizations != 5 || c.Practitioners != 10 {
		t.Errorf("3 patients: %d organizations, %d practitioners, want the minimums 5 and 10", c.Organizations, c.Practitioners)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var n int
	g := New(Config{Patients: 1 << 30, Organizations: 5, Practitioners: 10, Workers: 2})
	_, err := g.WriteNDJSON(ctx, func(string) io.Writer {
		return writerFunc(func(p []byte) (int, error) {
			if n++; n == 50 {
				cancel()
			}
			return len(p), nil
		})
	})
	if err == nil {
		t.Fatal("a cancelled write returned no error")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestAppendTime(t *testing.T) {
	for _, ts := range []time.Time{DefaultRef, time.Date(1926, 2, 28, 23, 59, 59, 0, time.UTC), time.Date(2024, 2, 29, 7, 5, 3, 0, time.UTC)} {
		if got, want := string(appendTime(nil, ts.Unix())), ts.Format(time.RFC3339); got != want {
			t.Errorf("appendTime(%v) = %s, want %s", ts, got, want)
		}
	}
}

// BenchmarkGenerate streams 2,000 patients (about 136,000 resources) to
// io.Discard on GOMAXPROCS workers.
func BenchmarkGenerate(b *testing.B) {
	const patients = 2000
	g := New(Config{Seed: 1, Patients: patients})
	var st Stats
	for b.Loop() {
		var err error
		st, err = g.WriteNDJSON(context.Background(), func(string) io.Writer { return io.Discard })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.Total())*float64(b.N)/b.Elapsed().Seconds(), "resources/s")
	b.ReportMetric(float64(st.Bytes)/patients, "bytes/patient")
}
