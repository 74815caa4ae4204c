package load

import (
	"encoding/json"
	"fmt"
)

// Bodies makes the request bodies of the write scenarios: a Patient to
// create and a transaction Bundle. i numbers the request within a run, so a
// seeded generator can make each body distinct and reproducible.
type Bodies interface {
	Patient(i int) []byte
	Bundle(i int) []byte
}

// BuiltinBodies is a small Bodies of its own: a minimal valid Patient, and a
// transaction of that Patient with 2 Encounters and 5 Observations that
// refer to it (and the Observations to an Encounter) by urn:uuid.
type BuiltinBodies struct {
	// Run tells the runs apart in identifiers, so identifiers stay unique
	// across runs; any text will do.
	Run string
}

var _ Bodies = BuiltinBodies{}

// Patient returns a Patient numbered i.
func (b BuiltinBodies) Patient(i int) []byte {
	return mustJSON(b.patient(i))
}

func (b BuiltinBodies) patient(i int) map[string]any {
	return map[string]any{
		"resourceType": "Patient",
		"identifier":   []any{map[string]any{"system": "urn:fhird:bench", "value": fmt.Sprintf("%s-%d", b.Run, i)}},
		"name":         []any{map[string]any{"family": fmt.Sprintf("Bench%03d", i%1000), "given": []any{"Load"}}},
		"gender":       []string{"female", "male"}[i%2],
		"birthDate":    fmt.Sprintf("%d-%02d-%02d", 1940+i%70, 1+i%12, 1+i%28),
	}
}

// Bundle returns a transaction Bundle numbered i.
func (b BuiltinBodies) Bundle(i int) []byte {
	pat := urn(i, 0)
	entries := []any{entry(pat, "Patient", b.patient(i))}
	var encs []string
	for k := 1; k <= 2; k++ {
		e := urn(i, k)
		encs = append(encs, e)
		entries = append(entries, entry(e, "Encounter", map[string]any{
			"resourceType": "Encounter", "status": "finished",
			"class":   map[string]any{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
			"subject": map[string]any{"reference": pat},
			"period":  map[string]any{"start": fmt.Sprintf("2024-%02d-%02dT09:00:00Z", k, 1+i%28)},
		}))
	}
	for k := 0; k < 5; k++ {
		entries = append(entries, entry(urn(i, 3+k), "Observation", map[string]any{
			"resourceType": "Observation", "status": "final",
			"code": map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": "8867-4",
				"display": "Heart rate"}}},
			"subject":           map[string]any{"reference": pat},
			"encounter":         map[string]any{"reference": encs[k%2]},
			"effectiveDateTime": fmt.Sprintf("2024-%02d-%02dT09:%02d:00Z", 1+k%2, 1+i%28, 10+k),
			"valueQuantity": map[string]any{"value": 60 + (i+k)%40, "unit": "/min",
				"system": "http://unitsofmeasure.org", "code": "/min"},
		}))
	}
	return mustJSON(map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": entries})
}

// urn is a urn:uuid unique to resource k of bundle i.
func urn(i, k int) string {
	return fmt.Sprintf("urn:uuid:%08x-0000-4000-8000-%012x", uint32(i), k)
}

func entry(fullURL, typ string, res map[string]any) map[string]any {
	return map[string]any{"fullUrl": fullURL, "resource": res,
		"request": map[string]any{"method": "POST", "url": typ}}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of strings and numbers always marshal
	}
	return b
}
