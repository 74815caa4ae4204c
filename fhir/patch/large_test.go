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

// BenchmarkFHIRPathLarge applies the FHIRPath Patch of 100,000 operations
// to a small Patient, and, to a Patient of 1 MB (17,000 names), 1,000
// deletes of Patient.name.suffix (each reaches every name) and 1,000
// replaces of Patient.name[16999].family.
func BenchmarkFHIRPathLarge(b *testing.B) {
	big := string(largePatient(17_000))
	repeat := func(o map[string]any) map[string]any {
		ops := make([]map[string]any, MaxOperations)
		for i := range ops {
			ops[i] = o
		}
		return params(ops...)
	}
	for _, tc := range []struct {
		name, doc string
		patch     map[string]any
	}{
		{"100k-ops", patientJSON, fhirPathOps(100_000)},
		{"fan-out-1MB", big, repeat(op(typ("delete"), path("Patient.name.suffix")))},
		{"indexed-1MB", big, repeat(op(typ("replace"), path("Patient.name[16999].family"), value("valueString", "F")))},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				res := MustObject(b, tc.doc)
				b.StartTimer()
				_, _ = FHIRPath(res, tc.patch)
			}
		})
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

// TestMaxElementsReached: the paths of one FHIRPath Patch reach at most
// MaxElementsReached elements, all operations counted. On a Patient of
// 1,000 names, a delete of Patient.name.suffix reaches the resource and
// each name: 1,001 elements; 999 of them reach 999,999, and a 1,000th is
// refused.
func TestMaxElementsReached(t *testing.T) {
	doc := string(largePatient(1000))
	deletes := func(n int) map[string]any {
		ops := make([]map[string]any, n)
		for i := range ops {
			ops[i] = op(typ("delete"), path("Patient.name.suffix"))
		}
		return params(ops...)
	}
	if _, err := FHIRPath(MustObject(t, doc), deletes(999)); err != nil {
		t.Fatalf("999 deletes: %v", err)
	}
	_, err := FHIRPath(MustObject(t, doc), deletes(1000))
	assertError(t, err, fhir.KindTooCostly, fhir.IssueTooCostly,
		"FHIRPath Patch operation 1000 (delete Patient.name.suffix): the paths of the patch reach more than 1000000 elements",
		"Patient.name.suffix")
	// An operation that reaches one element (through an index) costs as
	// much as its path is long.
	ops := make([]map[string]any, MaxOperations)
	for i := range ops {
		ops[i] = op(typ("replace"), path("Patient.name[999].family"), value("valueString", "F"))
	}
	if _, err := FHIRPath(MustObject(t, doc), params(ops...)); err != nil {
		t.Errorf("%d replaces through an index: %v", MaxOperations, err)
	}
}

// TestResolveIndex: a name followed by an indexer reaches the node that
// collecting every child and then indexing the flattened list reaches.
func TestResolveIndex(t *testing.T) {
	ref := func(res map[string]any, steps []step) []*node {
		cur := []*node{rootNode(res)}
		for i, s := range steps {
			var next []*node
			switch {
			case s.name == "":
				if s.index < len(cur) {
					next = cur[s.index : s.index+1]
				}
			case i == 0 && isTypeName(s.name):
				next = cur
			default:
				for _, n := range cur {
					next = appendChildren(next, n, s.name)
				}
			}
			cur = next
		}
		return cur
	}
	doc := `{"resourceType":"Patient","name":[{"family":"A","given":["a","b"]},{"given":["c"]},{"family":"C"}],
	  "telecom":[{"value":"1"},{"value":"2"}],"gender":"male","deceasedBoolean":false}`
	for _, p := range []string{
		"Patient.name[0]", "Patient.name[2].family", "Patient.name[3]", "Patient.name.given[2]", "Patient.name.given[3]",
		"Patient.name.family[1]", "Patient.name.family[2]", "Patient.telecom[1].value", "Patient.deceased[0]",
		"Patient.gender[0]", "Patient.gender[1]", "Patient.name[0][0]", "Patient.name[0][1]", "Patient.name[1].given[0]",
		"Patient.nothing[0]", "Patient.name.given",
	} {
		steps, perr := parsePath(p)
		if perr != nil {
			t.Fatalf("%s: %s", p, perr.msg)
		}
		res := MustObject(t, doc)
		budget := MaxElementsReached
		got, ok := resolve(res, steps, &budget)
		want := ref(res, steps)
		if !ok || len(got) != len(want) {
			t.Fatalf("%s: %d nodes (%v), want %d", p, len(got), ok, len(want))
		}
		for i := range got {
			if g, w := got[i], want[i]; g.key != w.key || g.idx != w.idx || g.base != w.base ||
				fmt.Sprint(g.value) != fmt.Sprint(w.value) || fmt.Sprint(g.obj) != fmt.Sprint(w.obj) {
				t.Errorf("%s: node %d = %s[%d] %v, want %s[%d] %v", p, i, g.key, g.idx, g.value, w.key, w.idx, w.value)
			}
		}
	}
}
