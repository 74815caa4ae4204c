package load

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// Pools are the ids and values sampled from the server that scenarios
// draw their requests from, so every request addresses existing rows.
type Pools struct {
	// Patients are Patient ids.
	Patients []string
	// Identifiers are "system|value" tokens of those patients.
	Identifiers []string
	// Names are prefixes of their family names (at most 4 characters).
	Names []string
	// Encountered are ids of patients that are the subject of an Encounter.
	Encountered []string
	// Observations are (patient, code, date) triples of Observations.
	Observations []ObservationKey
	// Appointments are (patient, date) pairs of Appointments.
	Appointments []AppointmentKey
}

// ObservationKey addresses one patient's Observations of one code.
type ObservationKey struct {
	Patient string
	Code    string // system|code
	Since   string // a date lower bound: a year before a sampled effective date
}

// AppointmentKey addresses one patient's Appointments.
type AppointmentKey struct {
	Patient string
	Since   string // a year before a sampled start
}

// Sizes returns how many values each pool holds, for the results.
func (p *Pools) Sizes() map[string]int {
	return map[string]int{
		"patients": len(p.Patients), "identifiers": len(p.Identifiers), "names": len(p.Names),
		"encountered": len(p.Encountered), "observations": len(p.Observations), "appointments": len(p.Appointments),
	}
}

type sampledPatient struct {
	ID         string `json:"id"`
	Identifier []struct {
		System string `json:"system"`
		Value  string `json:"value"`
	} `json:"identifier"`
	Name []struct {
		Family string `json:"family"`
	} `json:"name"`
}

type reference struct {
	Reference string `json:"reference"`
}

type sampledObservation struct {
	Subject reference `json:"subject"`
	Code    struct {
		Coding []struct {
			System string `json:"system"`
			Code   string `json:"code"`
		} `json:"coding"`
	} `json:"code"`
	Effective string `json:"effectiveDateTime"`
}

type sampledAppointment struct {
	Start       string `json:"start"`
	Participant []struct {
		Actor reference `json:"actor"`
	} `json:"participant"`
}

// Sample fills the pools with about n patients spread over the whole
// dataset, and their encounters, observations and appointments, so that
// the runs do not read only the first rows loaded (which a cache would
// favour). Patients are found by birth days drawn at random (seeded, so
// a rerun samples the same); where that finds too few (small or synthetic
// data without birth dates) the first page of each type fills the pools.
// It uses only the FHIR API, so it works against any server.
func Sample(ctx context.Context, a *api, n int) (*Pools, error) {
	p := &Pools{}
	if err := p.spread(ctx, a, n); err != nil {
		return nil, err
	}
	if len(p.Patients) >= n/4 && len(p.Observations) > 0 {
		return p, nil
	}
	return p, p.firstPages(ctx, a, n)
}

// spread samples patients by random birth days (a day holds few patients
// even in a large dataset, so their first rows are spread over the whole
// load order), then up to spreadDepth of each one's encounters,
// observations and appointments.
func (p *Pools) spread(ctx context.Context, a *api, n int) error {
	rng := rand.New(rand.NewPCG(1, 2))
	const perDay, spreadDepth = 2, 5
	for try := 0; try < 8*n && len(p.Patients) < n; try++ {
		day := time.Date(1925, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(100*365)).Format("2006-01-02")
		pats, err := searchPage[sampledPatient](ctx, a, "Patient?birthdate="+day+"&_count="+strconv.Itoa(perDay)+"&_elements=identifier,name")
		if err != nil {
			return fmt.Errorf("sample patients: %w", err)
		}
		p.addPatients(pats)
		if try == 200 && len(p.Patients) == 0 {
			return nil // no birth dates: leave it to firstPages
		}
	}
	depth := "&_count=" + strconv.Itoa(spreadDepth)
	for _, id := range p.Patients[:min(len(p.Patients), n/spreadDepth+1)] {
		encs, err := searchPage[struct {
			Subject reference `json:"subject"`
		}](ctx, a, "Encounter?subject=Patient/"+id+"&_count=1&_elements=subject")
		if err != nil {
			return fmt.Errorf("sample encounters: %w", err)
		}
		if len(encs) > 0 {
			p.Encountered = appendNew(p.Encountered, id)
		}
		obs, err := searchPage[sampledObservation](ctx, a, "Observation?subject=Patient/"+id+depth+"&_elements=subject,code,effective")
		if err != nil {
			return fmt.Errorf("sample observations: %w", err)
		}
		p.addObservations(obs)
		apps, err := searchPage[sampledAppointment](ctx, a, "Appointment?patient=Patient/"+id+depth+"&_elements=participant,start")
		if err != nil {
			return fmt.Errorf("sample appointments: %w", err)
		}
		p.addAppointments(apps)
	}
	return nil
}

// firstPages adds the first page (of n resources) of a search of each type.
func (p *Pools) firstPages(ctx context.Context, a *api, n int) error {
	count := "_count=" + strconv.Itoa(n)
	pats, err := searchPage[sampledPatient](ctx, a, "Patient?"+count+"&_elements=identifier,name")
	if err != nil {
		return fmt.Errorf("sample patients: %w", err)
	}
	p.addPatients(pats)
	encs, err := searchPage[struct {
		Subject reference `json:"subject"`
	}](ctx, a, "Encounter?"+count+"&_elements=subject")
	if err != nil {
		return fmt.Errorf("sample encounters: %w", err)
	}
	for _, e := range encs {
		p.Encountered = appendNew(p.Encountered, patientID(e.Subject.Reference))
	}
	obs, err := searchPage[sampledObservation](ctx, a, "Observation?"+count+"&_elements=subject,code,effective")
	if err != nil {
		return fmt.Errorf("sample observations: %w", err)
	}
	p.addObservations(obs)
	apps, err := searchPage[sampledAppointment](ctx, a, "Appointment?"+count+"&_elements=participant,start")
	if err != nil {
		return fmt.Errorf("sample appointments: %w", err)
	}
	p.addAppointments(apps)
	return nil
}

func (p *Pools) addPatients(pats []sampledPatient) {
	for _, r := range pats {
		p.Patients = appendNew(p.Patients, r.ID)
		for _, id := range r.Identifier {
			if id.System != "" && id.Value != "" {
				p.Identifiers = appendNew(p.Identifiers, id.System+"|"+id.Value)
			}
		}
		for _, n := range r.Name {
			p.Names = appendNew(p.Names, prefix(n.Family, 4))
		}
	}
}

func (p *Pools) addObservations(obs []sampledObservation) {
	for _, o := range obs {
		pat, since := patientID(o.Subject.Reference), yearBefore(o.Effective)
		if pat == "" || since == "" {
			continue
		}
		for _, c := range o.Code.Coding {
			if c.System != "" && c.Code != "" {
				p.Observations = append(p.Observations, ObservationKey{Patient: pat, Code: c.System + "|" + c.Code, Since: since})
				break
			}
		}
	}
}

func (p *Pools) addAppointments(apps []sampledAppointment) {
	for _, a := range apps {
		since := yearBefore(a.Start)
		for _, part := range a.Participant {
			if pat := patientID(part.Actor.Reference); pat != "" && since != "" {
				p.Appointments = append(p.Appointments, AppointmentKey{Patient: pat, Since: since})
			}
		}
	}
}

// yearBefore returns the day a year before the date of a FHIR dateTime or
// instant, as YYYY-MM-DD, or "" when it has no full date.
func yearBefore(dt string) string {
	if len(dt) < 10 {
		return ""
	}
	d, err := time.Parse("2006-01-02", dt[:10])
	if err != nil {
		return ""
	}
	return d.AddDate(-1, 0, 0).Format("2006-01-02")
}

// prefix returns the first n runes of s.
func prefix(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// appendNew appends v unless it is empty or in xs already. The pools
// hold at most a few thousand values, so a scan is cheap enough.
func appendNew(xs []string, v string) []string {
	if v == "" || slices.Contains(xs, v) {
		return xs
	}
	return append(xs, v)
}
