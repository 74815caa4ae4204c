package load

import (
	"math/rand/v2"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
)

// Request is one request of a scenario; Path is relative to the base
// ("Patient/1", "Observation?subject=Patient%2F1&…", "" for the base).
type Request struct {
	Method string
	Path   string
	Body   []byte
}

// Scenario is a named request generator. Read scenarios have a floor.
type Scenario struct {
	Name string
	// Write says the scenario changes data, so it has no floor.
	Write bool
	// missing names what the scenario needs and the pools lack, or "".
	missing func(p *Pools) string
	next    func(g *generator) Request
}

// generator draws requests from the pools. It is safe for concurrent use:
// vegeta calls targeters from every worker.
type generator struct {
	pools  *Pools
	bodies Bodies
	mu     sync.Mutex
	rng    *rand.Rand
	seq    atomic.Int64
	mixed  []Weight // the mixed workload's weights that the pools support
}

func newGenerator(p *Pools, b Bodies, seed uint64) *generator {
	g := &generator{pools: p, bodies: b, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	for _, w := range MixedWeights {
		if s, ok := Lookup(w.Scenario); ok && s.missing(p) == "" {
			g.mixed = append(g.mixed, w)
		}
	}
	return g
}

func (g *generator) intn(n int) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.rng.IntN(n)
}

func pick[T any](g *generator, xs []T) T { return xs[g.intn(len(xs))] }

func get(path string) Request { return Request{Method: "GET", Path: path} }

func ref(id string) string { return url.QueryEscape("Patient/" + id) }

// need returns a missing func that reports what when pool is empty.
func need(what string, pool func(p *Pools) int) func(p *Pools) string {
	return func(p *Pools) string {
		if pool(p) == 0 {
			return "no " + what + " sampled"
		}
		return ""
	}
}

var (
	needPatients     = need("Patient", func(p *Pools) int { return len(p.Patients) })
	needIdentifiers  = need("Patient identifier", func(p *Pools) int { return len(p.Identifiers) })
	needNames        = need("Patient family name", func(p *Pools) int { return len(p.Names) })
	needEncountered  = need("Encounter with a Patient subject", func(p *Pools) int { return len(p.Encountered) })
	needObservations = need("Observation with a Patient subject, a coded code and an effectiveDateTime",
		func(p *Pools) int { return len(p.Observations) })
	needAppointments = need("Appointment with a Patient participant and a start",
		func(p *Pools) int { return len(p.Appointments) })
	needNothing = func(*Pools) string { return "" }
)

func obsSearch(g *generator) string {
	k := pick(g, g.pools.Observations)
	return "Observation?subject=" + ref(k.Patient) + "&code=" + url.QueryEscape(k.Code) +
		"&date=ge" + k.Since + "&_sort=-date&_count=50"
}

// scenarios are the named scenarios; the names are stable (results use
// them).
var scenarios = []Scenario{
	{Name: "read", missing: needPatients, next: func(g *generator) Request {
		return get("Patient/" + pick(g, g.pools.Patients))
	}},
	{Name: "patient-name", missing: needNames, next: func(g *generator) Request {
		return get("Patient?name=" + url.QueryEscape(pick(g, g.pools.Names)))
	}},
	{Name: "patient-identifier", missing: needIdentifiers, next: func(g *generator) Request {
		return get("Patient?identifier=" + url.QueryEscape(pick(g, g.pools.Identifiers)))
	}},
	{Name: "patient-encounters", missing: needEncountered, next: func(g *generator) Request {
		return get("Encounter?subject=" + ref(pick(g, g.pools.Encountered)) +
			"&_sort=-date&_count=10&_include=Encounter:subject")
	}},
	{Name: "obs-search", missing: needObservations, next: func(g *generator) Request {
		return get(obsSearch(g))
	}},
	{Name: "obs-include", missing: needObservations, next: func(g *generator) Request {
		return get(obsSearch(g) + "&_include=Observation:subject")
	}},
	{Name: "appointments", missing: needAppointments, next: func(g *generator) Request {
		k := pick(g, g.pools.Appointments)
		return get("Appointment?patient=" + ref(k.Patient) + "&date=ge" + k.Since)
	}},
	{Name: "history", missing: needPatients, next: func(g *generator) Request {
		return get("Patient/" + pick(g, g.pools.Patients) + "/_history")
	}},
	{Name: "create", Write: true, missing: needNothing, next: func(g *generator) Request {
		return Request{Method: "POST", Path: "Patient", Body: g.bodies.Patient(int(g.seq.Add(1)))}
	}},
	{Name: "transaction", Write: true, missing: needNothing, next: func(g *generator) Request {
		return Request{Method: "POST", Path: "", Body: g.bodies.Bundle(int(g.seq.Add(1)))}
	}},
}

// The mixed scenario draws from the others, so it joins the list at init
// (a reference in the list's initializer would be an initialization cycle).
func init() {
	scenarios = append(scenarios, Scenario{Name: "mixed", Write: true, missing: func(p *Pools) string {
		if len(newGenerator(p, nil, 0).mixed) == 0 {
			return "no scenario of the mix has data"
		}
		return ""
	}, next: func(g *generator) Request {
		s, _ := Lookup(g.pickMixed())
		return s.next(g)
	}})
}

// Names returns the scenario names in their canonical order.
func Names() []string {
	out := make([]string, len(scenarios))
	for i, s := range scenarios {
		out[i] = s.Name
	}
	return out
}

// Lookup returns the scenario of a name.
func Lookup(name string) (Scenario, bool) {
	i := slices.IndexFunc(scenarios, func(s Scenario) bool { return s.Name == name })
	if i < 0 {
		return Scenario{}, false
	}
	return scenarios[i], true
}

// Weight is one scenario's share of the mixed workload, in percent.
type Weight struct {
	Scenario string
	Percent  int
}

// MixedWeights are the proportions of the design documents: patients 35%,
// appointments 21%, encounters 18%, observations 11%, and 15% of writes and
// other reads. They add up to 100.
var MixedWeights = []Weight{
	{"read", 15}, {"patient-name", 10}, {"patient-identifier", 10},
	{"appointments", 21},
	{"patient-encounters", 18},
	{"obs-search", 8}, {"obs-include", 3},
	{"create", 5}, {"transaction", 5}, {"history", 5},
}

// pickMixed draws a scenario of the mix in proportion to its weight among
// the scenarios the pools support.
func (g *generator) pickMixed() string {
	total := 0
	for _, w := range g.mixed {
		total += w.Percent
	}
	n := g.intn(total)
	for _, w := range g.mixed {
		if n < w.Percent {
			return w.Scenario
		}
		n -= w.Percent
	}
	panic("unreachable: pickMixed ran past the total weight")
}
