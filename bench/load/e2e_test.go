package load_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fhirbase-go/fhird/bench/load"
	"github.com/fhirbase-go/fhird/capability"
	"github.com/fhirbase-go/fhird/search"
	"github.com/fhirbase-go/fhird/server"
	"github.com/fhirbase-go/fhird/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

const base = "http://fhir.test/fhir"

var opts = search.Options{DefaultCount: 50, MaxCount: 100, BaseURL: base, Limits: search.DefaultLimits}

// newServer serves the FHIR API of a dev-mode server on the shared test
// database on loopback, /metrics included.
func newServer(t *testing.T) (*httptest.Server, *storetest.DB) {
	t.Helper()
	db := storetest.Shared(t)
	cs, err := capability.Build(capability.Options{BaseURL: base, Software: "fhird", Version: "test", ReleaseDate: "2026-11-24"})
	if err != nil {
		t.Fatal(err)
	}
	h := server.New(server.Config{
		BaseURL: base, Dev: true, DefaultTenant: "default", MaxBodyBytes: 1 << 20,
		DefaultCount: opts.DefaultCount, MaxCount: opts.MaxCount, MaxBundleEntries: 40, SearchLimits: opts.Limits,
		CursorKey: []byte("0123456789abcdef0123456789abcdef"), Capability: cs,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: server.NewMetrics(),
	}, db.Store)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, db
}

// post creates a resource in tenant and returns its id.
func post(t *testing.T, srv *httptest.Server, tenant, typ, body string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+"/fhir/"+typ, strings.NewReader(body))
	req.Header.Set(load.TenantHeader, tenant)
	req.Header.Set("Content-Type", "application/fhir+json")
	req.Header.Set("Prefer", "return=minimal")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: status %d: %s", typ, resp.StatusCode, b)
	}
	loc := resp.Header.Get("Location")
	parts := strings.Split(strings.TrimSuffix(loc, "/"), "/")
	// Location is [base]/Type/id/_history/vid.
	if len(parts) < 4 {
		t.Fatalf("POST %s: Location %q", typ, loc)
	}
	return parts[len(parts)-3]
}

// seed loads three patients, each with two encounters, three
// observations and an appointment.
func seed(t *testing.T, srv *httptest.Server, tenant string) {
	t.Helper()
	for i, family := range []string{"Okafor", "Lindqvist", "Tanaka"} {
		pat := post(t, srv, tenant, "Patient", fmt.Sprintf(`{"resourceType":"Patient",
			"identifier":[{"system":"http://clinic.example.org/mrn","value":"%06d"}],
			"name":[{"family":%q,"given":["Ada"]}],"birthDate":"1970-01-0%d"}`, i, family, i+1))
		ref := fmt.Sprintf(`{"reference":"Patient/%s"}`, pat)
		for k := 1; k <= 2; k++ {
			post(t, srv, tenant, "Encounter", fmt.Sprintf(`{"resourceType":"Encounter","status":"finished",
				"class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},
				"subject":%s,"period":{"start":"2025-0%d-10T10:00:00Z"}}`, ref, k))
		}
		for k := 1; k <= 3; k++ {
			post(t, srv, tenant, "Observation", fmt.Sprintf(`{"resourceType":"Observation","status":"final",
				"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":%s,
				"effectiveDateTime":"2025-0%d-10T10:00:00Z","valueQuantity":{"value":7%d,"unit":"/min"}}`, ref, k, k))
		}
		post(t, srv, tenant, "Appointment", fmt.Sprintf(`{"resourceType":"Appointment","status":"booked",
			"start":"2025-06-01T09:00:00Z","end":"2025-06-01T09:30:00Z",
			"participant":[{"actor":%s,"status":"accepted"}]}`, ref))
	}
}

// TestEveryScenarioAgainstARealServer runs each scenario briefly at
// concurrency 2 against an in-process server: every scenario sends
// requests and gets no error, so the sampled ids and values are real, and
// every read scenario has a floor to divide by.
func TestEveryScenarioAgainstARealServer(t *testing.T) {
	srv, db := newServer(t)
	_, tenant := storetest.Tenant(t)
	seed(t, srv, tenant)
	res, err := load.Bench(context.Background(), load.Config{
		URL: srv.URL + "/fhir", Tenant: tenant, Loads: []load.Load{{Concurrency: 2}},
		Duration: 300 * time.Millisecond, Warmup: 50 * time.Millisecond, Seed: 1,
		Floor: &load.FloorConfig{DB: db.Store, Tenant: tenant, Options: opts},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Skipped) > 0 {
		t.Errorf("skipped with data loaded: %+v", res.Skipped)
	}
	if res.Machine.PostgreSQL == "" || res.Pools["patients"] != 3 || res.Pools["appointments"] != 3 {
		t.Errorf("PostgreSQL %q, pools %v; want a version and 3 patients and appointments", res.Machine.PostgreSQL, res.Pools)
	}
	var ran []string
	for _, r := range res.Runs {
		ran = append(ran, r.Scenario)
		if r.Requests == 0 || r.Successes != r.Requests || len(r.Errors) > 0 {
			t.Errorf("%s: %d requests, %d successes, errors %v; want requests and no error", r.Scenario, r.Requests, r.Successes, r.Errors)
		}
		if r.RPS <= 0 || r.Latency.P50 <= 0 || r.Latency.Max < r.Latency.P99 || r.Latency.P99 < r.Latency.P50 {
			t.Errorf("%s: rps %v, latency %+v", r.Scenario, r.RPS, r.Latency)
		}
		if r.ServerRSSMB == nil || *r.ServerRSSMB <= 0 || r.ServerCPU == nil {
			t.Errorf("%s: server RSS %v, CPU %v; want both from /metrics", r.Scenario, r.ServerRSSMB, r.ServerCPU)
		}
		checkFloor(t, r)
	}
	if !slices.Equal(ran, load.Names()) {
		t.Errorf("ran %v, want every scenario %v", ran, load.Names())
	}
	t.Logf("\n%s", load.Markdown(res, ""))
}

func checkFloor(t *testing.T, r load.Run) {
	t.Helper()
	write := r.Scenario == "create" || r.Scenario == "transaction" || r.Scenario == "mixed"
	switch {
	case write && r.Floor != nil:
		t.Errorf("%s: a write scenario has a floor", r.Scenario)
	case write:
	case r.Floor == nil || r.Floor.Requests == 0 || r.Floor.Errors > 0:
		t.Errorf("%s: floor %+v; want requests and no error", r.Scenario, r.Floor)
	case r.Ratio == nil || r.Ratio.P50 <= 0 || r.Ratio.P95 <= 0:
		t.Errorf("%s: ratio %+v, want > 0", r.Scenario, r.Ratio)
	}
}

// TestEmptyTenantSkipsReadScenarios checks that a scenario without data
// is skipped with a reason rather than run against made-up ids, while the
// writes, which need no data, still run.
func TestEmptyTenantSkipsReadScenarios(t *testing.T) {
	srv, db := newServer(t)
	_, tenant := storetest.Tenant(t)
	res, err := load.Bench(context.Background(), load.Config{
		URL: srv.URL + "/fhir", Tenant: tenant, Scenarios: []string{"read", "obs-search", "create"},
		Loads: []load.Load{{Concurrency: 2}}, Duration: 200 * time.Millisecond,
		Floor: &load.FloorConfig{DB: db.Store, Tenant: tenant, Options: opts},
	})
	if err != nil {
		t.Fatal(err)
	}
	var skipped []string
	for _, s := range res.Skipped {
		skipped = append(skipped, s.Scenario)
		if !strings.HasPrefix(s.Reason, "no ") {
			t.Errorf("%s skipped for %q, want the missing data named", s.Scenario, s.Reason)
		}
	}
	if !slices.Equal(skipped, []string{"read", "obs-search"}) {
		t.Errorf("skipped %v, want [read obs-search]", skipped)
	}
	if len(res.Runs) != 1 || res.Runs[0].Scenario != "create" || res.Runs[0].Successes == 0 || len(res.Runs[0].Errors) > 0 {
		t.Errorf("runs %+v, want one clean create run", res.Runs)
	}
}
