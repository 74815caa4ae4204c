package patch

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
)

// The large patches of an outside probe (issue 11, finding 10).

// jsonOps is a JSON Patch of n operations: tests of the gender, then, when
// fail is set, one more that fails.
func jsonOps(n int, fail bool) []byte {
	ops := make([]string, n)
	for i := range ops {
		ops[i] = `{"op":"test","path":"/gender","value":"male"}`
	}
	if fail {
		ops[n-1] = `{"op":"test","path":"/gender","value":"female"}`
	}
	return []byte("[" + strings.Join(ops, ",") + "]")
}

// fhirPathOps is a FHIRPath Patch of n operations replacing the gender.
func fhirPathOps(n int) map[string]any {
	ops := make([]map[string]any, n)
	for i := range ops {
		ops[i] = op(typ("replace"), path("Patient.gender"), value("valueCode", "male"))
	}
	return params(ops...)
}

// largePatient is a Patient of about 1 MB: n names.
func largePatient(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"resourceType":"Patient","id":"p1","gender":"male","name":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"family":"Family%d","given":["Given%d","Middle"]}`, i, i)
	}
	b.WriteString("]}")
	return []byte(b.String())
}

// BenchmarkJSONLarge applies the probe's JSON Patch of 100,000 operations,
// and a patch of MaxOperations whose last one fails on a Patient of 1 MB
// (the error names the failing operation).
func BenchmarkJSONLarge(b *testing.B) {
	big := largePatient(17_000)
	for _, tc := range []struct {
		name       string
		doc, patch []byte
	}{
		{"100k-ops", []byte(patientJSON), jsonOps(100_000, false)},
		{"last-fails-1MB", big, jsonOps(1000, true)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = JSON(tc.doc, tc.patch)
			}
		})
	}
}

// BenchmarkFHIRPathLarge applies the FHIRPath Patch of 100,000 operations.
func BenchmarkFHIRPathLarge(b *testing.B) {
	p := fhirPathOps(100_000)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = FHIRPath(MustObject(b, patientJSON), p)
	}
}

// TestMaxOperations: a patch of MaxOperations operations is applied, one of
// more is refused as too costly, naming the limit, in both formats.
func TestMaxOperations(t *testing.T) {
	if _, err := JSON([]byte(patientJSON), jsonOps(MaxOperations, false)); err != nil {
		t.Errorf("JSON Patch of %d operations: %v", MaxOperations, err)
	}
	_, err := JSON([]byte(patientJSON), jsonOps(MaxOperations+1, false))
	assertError(t, err, fhir.KindTooCostly, fhir.IssueTooCostly,
		fmt.Sprintf("the JSON Patch has %d operations; this server applies at most %d", MaxOperations+1, MaxOperations), "")
	_, err = JSON([]byte(patientJSON), jsonOps(100_000, false))
	assertError(t, err, fhir.KindTooCostly, fhir.IssueTooCostly, "has 100000 operations", "")

	if _, err := FHIRPath(MustObject(t, patientJSON), fhirPathOps(MaxOperations)); err != nil {
		t.Errorf("FHIRPath Patch of %d operations: %v", MaxOperations, err)
	}
	_, err = FHIRPath(MustObject(t, patientJSON), fhirPathOps(MaxOperations+1))
	assertError(t, err, fhir.KindTooCostly, fhir.IssueTooCostly,
		fmt.Sprintf("the FHIRPath Patch has %d operations; this server applies at most %d", MaxOperations+1, MaxOperations),
		"Parameters.parameter")
}
