package gen

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/index"
	"github.com/fhirbase-go/fhird/fhir/validate"
)

// dataset is a streamed output parsed back: every resource by "Type/id".
type dataset struct {
	byRef  map[string]map[string]any
	byType map[string][]map[string]any
}

// mustValidate validates and index-extracts every line of o, as the
// server's write path does, and returns the parsed resources.
func mustValidate(t *testing.T, o output) dataset {
	t.Helper()
	d := dataset{byRef: map[string]map[string]any{}, byType: map[string][]map[string]any{}}
	for typ := range o.files {
		rt, ok := fhir.LookupType(typ)
		if !ok {
			t.Fatalf("the server does not know %s", typ)
		}
		for _, line := range o.lines(typ) {
			tree, err := validate.Resource(line, typ)
			if err != nil {
				t.Fatalf("%s is invalid: %v\n%s", typ, err, line)
			}
			if _, err := index.Extract(rt, tree); err != nil {
				t.Fatalf("%s: index extraction: %v\n%s", typ, err, line)
			}
			d.byRef[typ+"/"+tree["id"].(string)] = tree
			d.byType[typ] = append(d.byType[typ], tree)
		}
	}
	return d
}

// references calls fn with every Reference.reference string under v.
func references(v any, fn func(string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "reference" {
				fn(s)
			}
			references(x, fn)
		}
	case []any:
		for _, x := range v {
			references(x, fn)
		}
	}
}

// get walks a path of keys and array indexes through a JSON tree.
func get(v any, path ...any) any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[p]
		case int:
			a, _ := v.([]any)
			if p >= len(a) {
				return nil
			}
			v = a[p]
		}
	}
	return v
}

func str(v any, path ...any) string { s, _ := get(v, path...).(string); return s }

func TestResourcesValidAndLinked(t *testing.T) {
	const patients = 30
	d := mustValidate(t, mustWrite(t, Config{Seed: 3, Patients: patients}, false))
	for ref, res := range d.byRef {
		references(res, func(s string) {
			if d.byRef[s] == nil {
				t.Errorf("%s refers to %s, which is not in the output", ref, s)
			}
		})
	}
	for typ, lo := range map[string]int{"Organization": 5, "Practitioner": 10, "Schedule": 10, "Patient": patients, "Condition": patients} {
		if n := len(d.byType[typ]); n < lo {
			t.Errorf("%d %s resources, want at least %d", n, typ, lo)
		}
	}
	perPatient := func(typ string) float64 { return float64(len(d.byType[typ])) / patients }
	if e := perPatient("Encounter"); e < 7 || e > 14 {
		t.Errorf("%.1f encounters per patient, want about 10", e)
	}
	if o := perPatient("Observation"); o < 35 || o > 70 {
		t.Errorf("%.1f observations per patient, want about 50", o)
	}
	if a := perPatient("Appointment"); a < 1.5 || a > 2.5 || len(d.byType["Slot"]) != len(d.byType["Appointment"]) {
		t.Errorf("%.1f appointments per patient and %d slots, want about 2 and one slot each", a, len(d.byType["Slot"]))
	}
}

func TestObservationShape(t *testing.T) {
	d := mustValidate(t, mustWrite(t, Config{Seed: 4, Patients: 30}, false))
	var panels, periods, labs int
	for _, o := range d.byType["Observation"] {
		if str(o, "valueQuantity", "system") != "" && str(o, "valueQuantity", "system") != ucum {
			t.Errorf("value not in UCUM: %v", o["valueQuantity"])
		}
		if str(o, "category", 0, "coding", 0, "code") == "laboratory" {
			labs++
		}
		if str(o, "code", "coding", 0, "code") == "85354-9" {
			panels++
			checkPanel(t, o)
		}
		if o["effectivePeriod"] != nil {
			periods++
		}
		checkEffective(t, o, d.byRef[str(o, "encounter", "reference")])
	}
	n := len(d.byType["Observation"])
	if panels == 0 || labs == 0 || labs == n {
		t.Errorf("%d blood pressure panels and %d labs among %d observations", panels, labs, n)
	}
	if share := float64(periods) / float64(n); share < 0.02 || share > 0.1 {
		t.Errorf("%.1f%% of observations have effectivePeriod, want about 5%%", 100*share)
	}
}

// checkPanel checks a blood pressure panel: no value of its own, a
// systolic and a diastolic component in mm[Hg], systolic the higher.
func checkPanel(t *testing.T, o map[string]any) {
	t.Helper()
	comps, _ := o["component"].([]any)
	if o["valueQuantity"] != nil || len(comps) != 2 {
		t.Fatalf("blood pressure panel with a value or without two components: %v", o)
	}
	var v [2]float64
	for k, want := range []string{"8480-6", "8462-4"} {
		if str(comps[k], "code", "coding", 0, "code") != want || str(comps[k], "valueQuantity", "code") != "mm[Hg]" {
			t.Fatalf("component %d is not %s in mm[Hg]: %v", k, want, comps[k])
		}
		v[k], _ = get(comps[k], "valueQuantity", "value").(json.Number).Float64()
	}
	if v[0] <= v[1] || v[1] < 40 || v[0] > 220 {
		t.Errorf("implausible blood pressure %v/%v", v[0], v[1])
	}
}

// checkEffective checks that an observation was taken during its
// encounter; an open encounter ends at the reference date.
func checkEffective(t *testing.T, o, enc map[string]any) {
	t.Helper()
	at := str(o, "effectiveDateTime")
	if at == "" {
		at = str(o, "effectivePeriod", "start")
	}
	end := str(enc, "period", "end")
	if end == "" {
		end = DefaultRef.Format(time.RFC3339)
	}
	if at < str(enc, "period", "start") || at > end {
		t.Errorf("observation at %s outside its encounter %v", at, enc["period"])
	}
}

func TestPatientsAndEncountersLookReal(t *testing.T) {
	d := mustValidate(t, mustWrite(t, Config{Seed: 6, Patients: 40}, false))
	var nonASCII, twoGiven, open int
	genders, births := map[string]int{}, map[string]bool{}
	for _, p := range d.byType["Patient"] {
		name := str(p, "name", 0, "text")
		if utf8.RuneCountInString(name) != len(name) {
			nonASCII++
		}
		if g, _ := get(p, "name", 0, "given").([]any); len(g) > 1 {
			twoGiven++
		}
		genders[str(p, "gender")]++
		births[str(p, "birthDate")[:3]] = true // decades
		if str(p, "identifier", 0, "system") != mrnSystem || str(p, "identifier", 1, "system") != ssnSystem ||
			str(p, "identifier", 0, "type", "coding", 0, "code") != "MR" {
			t.Errorf("patient identifiers: %v", p["identifier"])
		}
	}
	if nonASCII == 0 || twoGiven == 0 || len(genders) < 2 || len(births) < 5 {
		t.Errorf("%d accented names, %d with two given names, genders %v, %d decades of birth",
			nonASCII, twoGiven, genders, len(births))
	}
	classes := map[string]bool{}
	for _, e := range d.byType["Encounter"] {
		classes[str(e, "class", "code")] = true
		if str(e, "status") == "in-progress" {
			open++
			if get(e, "period", "end") != nil {
				t.Errorf("an in-progress encounter has an end: %v", e["period"])
			}
		} else if str(e, "period", "end") <= str(e, "period", "start") {
			t.Errorf("a finished encounter does not end after it starts: %v", e["period"])
		}
	}
	if open == 0 || open > len(d.byType["Encounter"])/10 || len(classes) < 4 {
		t.Errorf("%d open encounters of %d, classes %v", open, len(d.byType["Encounter"]), classes)
	}
}

func TestAppointmentsBookTheirSlots(t *testing.T) {
	d := mustValidate(t, mustWrite(t, Config{Seed: 7, Patients: 30}, false))
	statuses := map[string]int{}
	for _, a := range d.byType["Appointment"] {
		statuses[str(a, "status")]++
		slot := d.byRef[str(a, "slot", 0, "reference")]
		sched := d.byRef[str(slot, "schedule", "reference")]
		if str(slot, "start") != str(a, "start") || str(sched, "actor", 0, "reference") != str(a, "participant", 1, "actor", "reference") {
			t.Errorf("appointment %s: slot %v in schedule %v", a["id"], slot, sched)
		}
		if !strings.HasPrefix(str(a, "participant", 0, "actor", "reference"), "Patient/") ||
			str(a, "participant", 0, "status") != "accepted" {
			t.Errorf("appointment participants: %v", a["participant"])
		}
	}
	if statuses["booked"] == 0 || statuses["fulfilled"] == 0 || statuses["cancelled"] == 0 {
		t.Errorf("appointment statuses %v", statuses)
	}
}

func TestBundle(t *testing.T) {
	g := New(Config{Seed: 8, Patients: 10})
	for _, i := range []int{0, 3, 1_000_000} { // beyond Patients too: the load driver's fresh bodies
		body := g.Bundle(i)
		tree, err := validate.Resource(body, "Bundle")
		if err != nil {
			t.Fatalf("Bundle(%d) is invalid: %v", i, err)
		}
		entries, _ := tree["entry"].([]any)
		if tree["type"] != "transaction" || len(entries) != len(g.Patient(i)) {
			t.Fatalf("Bundle(%d): type %v with %d entries, want a transaction of %d", i, tree["type"], len(entries), len(g.Patient(i)))
		}
		full := map[string]bool{}
		for _, e := range entries {
			full[str(e, "fullUrl")] = true
			if typ := str(e, "resource", "resourceType"); str(e, "request", "method") != "POST" || str(e, "request", "url") != typ {
				t.Errorf("entry request %v for a %s", get(e, "request"), typ)
			}
			if get(e, "resource", "id") != nil {
				t.Errorf("a POST entry carries an id: %v", get(e, "resource", "id"))
			}
		}
		var local int
		references(tree, func(s string) {
			if strings.HasPrefix(s, "urn:uuid:") {
				local++
				if !full[s] {
					t.Errorf("Bundle(%d): %s names no entry", i, s)
				}
			} else if !strings.HasPrefix(s, "Practitioner/") && !strings.HasPrefix(s, "Organization/") && !strings.HasPrefix(s, "Schedule/") {
				t.Errorf("Bundle(%d): %s is neither an entry nor a shared resource", i, s)
			}
		})
		if local < len(entries) {
			t.Errorf("Bundle(%d): only %d urn:uuid references among %d entries", i, local, len(entries))
		}
	}
}
