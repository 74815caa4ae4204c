package bulk_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// patientLine is a valid Patient of the given id, one NDJSON line.
func patientLine(id string, i int) string {
	return fmt.Sprintf(`{"resourceType":"Patient","id":%q,"identifier":[{"system":"http://clinic.example.org/mrn","value":"%06d"}],`+
		`"name":[{"family":"Family%d","given":["Given%d"]}],"gender":%q,"birthDate":"19%02d-%02d-%02d"}`,
		id, i, i%97, i%89, []string{"female", "male", "other"}[i%3], 30+i%70, 1+i%12, 1+i%28)
}

// observationLine is a valid body-weight Observation of a patient.
func observationLine(id, patient string, i int) string {
	return fmt.Sprintf(`{"resourceType":"Observation","id":%q,"status":"final",`+
		`"code":{"coding":[{"system":"http://loinc.org","code":"29463-7","display":"Body weight"}]},`+
		`"subject":{"reference":"Patient/%s"},"effectiveDateTime":"2024-%02d-%02dT10:30:00Z",`+
		`"valueQuantity":{"value":%d.%d,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}}`,
		id, patient, 1+i%12, 1+i%28, 40+i%80, i%10)
}

// writeFile writes lines, one per line, to dir/name and returns its path.
func writeFile(t testing.TB, dir, name string, lines ...string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// synthetic writes n Patients and n Observations (one per patient) into
// dir as Patient.ndjson and Observation.ndjson.
func synthetic(t testing.TB, dir string, n int) {
	t.Helper()
	pats, obs := make([]string, n), make([]string, n)
	for i := range n {
		pats[i] = patientLine(fmt.Sprintf("p%d", i), i)
		obs[i] = observationLine(fmt.Sprintf("o%d", i), fmt.Sprintf("p%d", i), i)
	}
	writeFile(t, dir, "Patient.ndjson", pats...)
	writeFile(t, dir, "Observation.ndjson", obs...)
}
