package load

import (
	"math"
	"net/url"
	"strings"
	"testing"
)

func fullPools() *Pools {
	return &Pools{
		Patients: []string{"p1", "p2"}, Identifiers: []string{"http://mrn|1"}, Names: []string{"Smit"},
		Encountered:  []string{"p1"},
		Observations: []ObservationKey{{Patient: "p1", Code: "http://loinc.org|8867-4", Since: "2023-01-01"}},
		Appointments: []AppointmentKey{{Patient: "p2", Since: "2024-02-03"}},
	}
}

// TestMixedProportions draws 100k picks with a fixed seed and checks every
// scenario's share against its configured weight, to ±1 percentage point.
func TestMixedProportions(t *testing.T) {
	g := newGenerator(fullPools(), BuiltinBodies{}, 42)
	if len(g.mixed) != len(MixedWeights) {
		t.Fatalf("full pools support %d scenarios of the mix, want all %d", len(g.mixed), len(MixedWeights))
	}
	const n = 100_000
	counts := map[string]int{}
	for range n {
		counts[g.pickMixed()]++
	}
	total := 0
	for _, w := range MixedWeights {
		total += w.Percent
		got := 100 * float64(counts[w.Scenario]) / n
		if math.Abs(got-float64(w.Percent)) > 1 {
			t.Errorf("%s: %.2f%% of the picks, want %d%% ± 1", w.Scenario, got, w.Percent)
		}
	}
	if total != 100 {
		t.Errorf("the weights add up to %d%%, want 100%%", total)
	}
	groups := map[string]int{}
	for _, w := range MixedWeights {
		groups[group(w.Scenario)] += w.Percent
	}
	want := map[string]int{"patients": 35, "appointments": 21, "encounters": 18, "observations": 11, "rest": 15}
	for k, v := range want {
		if groups[k] != v {
			t.Errorf("group %s weighs %d%%, the design documents say %d%%", k, groups[k], v)
		}
	}
}

func group(scenario string) string {
	switch scenario {
	case "read", "patient-name", "patient-identifier":
		return "patients"
	case "appointments":
		return "appointments"
	case "patient-encounters":
		return "encounters"
	case "obs-search", "obs-include":
		return "observations"
	}
	return "rest"
}

// TestMixedDropsScenariosWithoutData checks that the mix renormalizes over
// the scenarios the pools support instead of sending made-up ids.
func TestMixedDropsScenariosWithoutData(t *testing.T) {
	p := fullPools()
	p.Appointments, p.Observations = nil, nil
	g := newGenerator(p, BuiltinBodies{}, 1)
	for range 10_000 {
		switch s := g.pickMixed(); s {
		case "appointments", "obs-search", "obs-include":
			t.Fatalf("picked %s without data for it", s)
		}
	}
	s, _ := Lookup("mixed")
	if why := s.missing(&Pools{}); why != "" {
		t.Errorf("mixed with empty pools is skipped (%s); create and transaction need no data", why)
	}
}

// TestScenarioRequests pins the request each scenario sends.
func TestScenarioRequests(t *testing.T) {
	g := newGenerator(fullPools(), BuiltinBodies{Run: "t"}, 7)
	want := map[string]string{
		"patient-name":       "GET Patient?name=Smit",
		"patient-identifier": "GET Patient?identifier=http://mrn|1",
		"patient-encounters": "GET Encounter?subject=Patient/p1&_sort=-date&_count=10&_include=Encounter:subject",
		"obs-search":         "GET Observation?subject=Patient/p1&code=http://loinc.org|8867-4&date=ge2023-01-01&_sort=-date&_count=50",
		"obs-include":        "GET Observation?subject=Patient/p1&code=http://loinc.org|8867-4&date=ge2023-01-01&_sort=-date&_count=50&_include=Observation:subject",
		"appointments":       "GET Appointment?patient=Patient/p2&date=ge2024-02-03",
		"create":             "POST Patient",
		"transaction":        "POST ",
	}
	for name, w := range want {
		s, ok := Lookup(name)
		if !ok {
			t.Fatalf("no scenario %s", name)
		}
		r := s.next(g)
		path, _ := url.QueryUnescape(r.Path)
		if got := r.Method + " " + path; got != w {
			t.Errorf("%s sends %q, want %q", name, got, w)
		}
		if r.Method == "POST" && !strings.HasPrefix(string(r.Body), `{`) {
			t.Errorf("%s sends no JSON body: %q", name, r.Body)
		}
	}
	for _, name := range []string{"read", "history"} {
		s, _ := Lookup(name)
		if r := s.next(g); !strings.HasPrefix(r.Path, "Patient/p") {
			t.Errorf("%s sends %q, want Patient/<sampled id>", name, r.Path)
		}
	}
}
