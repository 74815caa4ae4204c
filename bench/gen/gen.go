package gen

import (
	"iter"
	"math/rand/v2"
	"runtime"
	"time"
)

// DefaultRef is the reference date all generated times are relative to
// when Config.Ref is zero.
var DefaultRef = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Config is everything the output depends on, apart from Workers, which
// only changes how fast it comes.
type Config struct {
	// Seed selects the dataset.
	Seed uint64
	// Patients is how many patients streaming writes. Patient and Bundle
	// accept any index, beyond it too.
	Patients int
	// Ref is the "now" of the dataset: past encounters end before it,
	// booked appointments start after it. Zero means DefaultRef.
	Ref time.Time
	// Organizations and Practitioners default to Patients/100 (at least 5)
	// and Patients/20 (at least 10).
	Organizations, Practitioners int
	// Workers is how many goroutines render patients; 0 means GOMAXPROCS.
	Workers int
}

// ForTenant returns the configuration of tenant k (1, 2, …) of a
// multi-tenant dataset: the same sizes under a seed derived from Seed and k,
// so that tenants hold independent data.
func (c Config) ForTenant(k int) Config {
	c.Seed = mix64(c.Seed ^ mix64(uint64(k)*0x9e3779b97f4a7c15+0x632be59bd9b4e019))
	return c
}

// Resource is one generated resource.
type Resource struct {
	Type string
	ID   string
	JSON []byte
}

// Generator renders the dataset of one Config. It is safe for concurrent
// use: every method derives what it needs from the configuration.
type Generator struct {
	cfg   Config
	ref   int64 // Config.Ref in Unix seconds
	orgs  int
	pracs int
	salt  [nKinds + 1]uint64 // per kind; salt[nKinds] seeds patient streams
}

// New returns the generator of cfg with its defaults filled in.
func New(cfg Config) *Generator {
	if cfg.Ref.IsZero() {
		cfg.Ref = DefaultRef
	}
	if cfg.Organizations <= 0 {
		cfg.Organizations = max(5, cfg.Patients/100)
	}
	if cfg.Practitioners <= 0 {
		cfg.Practitioners = max(10, cfg.Patients/20)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	g := &Generator{cfg: cfg, ref: cfg.Ref.Unix(), orgs: cfg.Organizations, pracs: cfg.Practitioners}
	for k := range g.salt {
		g.salt[k] = mix64(cfg.Seed ^ mix64(uint64(k+1)*0xd6e8feb86659fd93))
	}
	return g
}

// Config returns the configuration with its defaults filled in.
func (g *Generator) Config() Config { return g.cfg }

// Shared yields the resources every patient refers to: the organizations,
// then the practitioners, then one schedule per practitioner. A loader
// stores them before any patient.
func (g *Generator) Shared() iter.Seq[Resource] {
	return func(yield func(Resource) bool) {
		var b batch
		for k, n := range g.sharedCounts() {
			for j := range n {
				b.reset(true)
				g.shared(&b, k, j)
				if !yield(b.resources()[0]) {
					return
				}
			}
		}
	}
}

// sharedCounts returns how many resources of each shared kind there are.
func (g *Generator) sharedCounts() iter.Seq2[kind, int] {
	return func(yield func(kind, int) bool) {
		_ = yield(kOrganization, g.orgs) && yield(kPractitioner, g.pracs) && yield(kSchedule, g.pracs)
	}
}

// shared renders shared resource j of kind k into b.
func (g *Generator) shared(b *batch, k kind, j int) {
	var pcg rand.PCG
	g.rng(&pcg, k, j, true)
	r := rand.New(&pcg)
	switch k {
	case kOrganization:
		g.organization(b, r, j)
	case kPractitioner:
		g.practitioner(b, r, j)
	case kSchedule:
		g.schedule(b, r, j)
	}
}

// Patient returns patient i and everything that belongs to it, in the
// order Patient, Encounter, Observation, Condition, Slot, Appointment. Ids
// are set and references are literal ("Encounter/<id>").
func (g *Generator) Patient(i int) []Resource {
	var b batch
	b.reset(true)
	newPatientGen(g).run(&b, i, false)
	return b.resources()
}

// Bundle returns patient i and everything that belongs to it as a FHIR
// transaction Bundle: each entry is a POST with a urn:uuid fullUrl, the
// resources carry no id, references between them are the urn:uuids, and
// references to shared resources stay literal.
func (g *Generator) Bundle(i int) []byte {
	var b batch
	b.reset(true)
	newPatientGen(g).run(&b, i, true)
	return b.bundle(nil)
}
