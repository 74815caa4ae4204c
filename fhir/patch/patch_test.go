package patch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
)

// patientJSON is the resource most tests patch.
const patientJSON = `{"resourceType":"Patient","id":"p1",
  "name":[{"family":"Chalmers","given":["Peter","James"]},{"given":["Jim"]}],
  "telecom":[{"system":"phone","value":"555-1"},{"system":"email","value":"a@example.org"}],
  "gender":"male","birthDate":"1974-12-25","deceasedBoolean":false}`

// MustDecode decodes the JSON text s as the server does, with UseNumber.
func MustDecode(tb testing.TB, s string) any {
	tb.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		tb.Fatalf("decoding %s: %v", s, err)
	}
	return v
}

// MustObject decodes the JSON object s.
func MustObject(tb testing.TB, s string) map[string]any {
	tb.Helper()
	m, ok := MustDecode(tb, s).(map[string]any)
	if !ok {
		tb.Fatalf("%s is not a JSON object", s)
	}
	return m
}

// assertJSON fails unless got, a JSON text or tree, is the same tree as the
// JSON text want.
func assertJSON(tb testing.TB, got any, want string) {
	tb.Helper()
	b, ok := got.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(got); err != nil {
			tb.Fatalf("marshaling the result: %v", err)
		}
	}
	if g, w := MustDecode(tb, string(b)), MustDecode(tb, want); !reflect.DeepEqual(g, w) {
		wb, _ := json.Marshal(w)
		tb.Errorf("result differs\n got: %s\nwant: %s", b, wb)
	}
}

// assertError fails unless err is a *fhir.Error of the given kind and code
// whose diagnostics contain diag and, when at is set, whose expression is
// at.
func assertError(tb testing.TB, err error, kind fhir.Kind, code fhir.IssueType, diag, at string) {
	tb.Helper()
	fe, ok := fhir.AsError(err)
	if !ok {
		tb.Fatalf("error = %v (%T), want a *fhir.Error", err, err)
	}
	if fe.Kind != kind {
		tb.Errorf("kind = %d, want %d (error: %v)", fe.Kind, kind, err)
	}
	is := fe.Issues[len(fe.Issues)-1]
	if is.Code != code {
		tb.Errorf("issue code = %q, want %q (error: %v)", is.Code, code, err)
	}
	if !strings.Contains(is.Diagnostics, diag) {
		tb.Errorf("diagnostics = %q, want them to contain %q", is.Diagnostics, diag)
	}
	if at != "" && !reflect.DeepEqual(is.Expression, []string{at}) {
		tb.Errorf("expression = %q, want [%q]", is.Expression, at)
	}
}

func TestJSON(t *testing.T) {
	tests := []struct {
		name, patch, want string
	}{
		{"add a single element", `[{"op":"add","path":"/active","value":true}]`,
			`{"resourceType":"Patient","id":"p1","active":true,
			  "name":[{"family":"Chalmers","given":["Peter","James"]},{"given":["Jim"]}],
			  "telecom":[{"system":"phone","value":"555-1"},{"system":"email","value":"a@example.org"}],
			  "gender":"male","birthDate":"1974-12-25","deceasedBoolean":false}`},
		{"append to a list", `[{"op":"add","path":"/name/1/given/-","value":"Jimmy"}]`,
			`{"resourceType":"Patient","id":"p1",
			  "name":[{"family":"Chalmers","given":["Peter","James"]},{"given":["Jim","Jimmy"]}],
			  "telecom":[{"system":"phone","value":"555-1"},{"system":"email","value":"a@example.org"}],
			  "gender":"male","birthDate":"1974-12-25","deceasedBoolean":false}`},
		{"test then replace", `[{"op":"test","path":"/gender","value":"male"},{"op":"replace","path":"/gender","value":"female"}]`,
			`{"resourceType":"Patient","id":"p1",
			  "name":[{"family":"Chalmers","given":["Peter","James"]},{"given":["Jim"]}],
			  "telecom":[{"system":"phone","value":"555-1"},{"system":"email","value":"a@example.org"}],
			  "gender":"female","birthDate":"1974-12-25","deceasedBoolean":false}`},
		{"remove", `[{"op":"remove","path":"/telecom/0"},{"op":"remove","path":"/deceasedBoolean"}]`,
			`{"resourceType":"Patient","id":"p1",
			  "name":[{"family":"Chalmers","given":["Peter","James"]},{"given":["Jim"]}],
			  "telecom":[{"system":"email","value":"a@example.org"}],
			  "gender":"male","birthDate":"1974-12-25"}`},
		{"move and copy", `[{"op":"move","from":"/name/1","path":"/name/0"},{"op":"copy","from":"/birthDate","path":"/deceasedDateTime"}]`,
			`{"resourceType":"Patient","id":"p1",
			  "name":[{"given":["Jim"]},{"family":"Chalmers","given":["Peter","James"]}],
			  "telecom":[{"system":"phone","value":"555-1"},{"system":"email","value":"a@example.org"}],
			  "gender":"male","birthDate":"1974-12-25","deceasedBoolean":false,"deceasedDateTime":"1974-12-25"}`},
		{"empty patch", `[]`, patientJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := JSON([]byte(patientJSON), []byte(tt.patch))
			if err != nil {
				t.Fatalf("JSON: %v", err)
			}
			assertJSON(t, got, tt.want)
		})
	}
}

func TestJSONErrors(t *testing.T) {
	tests := []struct {
		name, patch string
		kind        fhir.Kind
		code        fhir.IssueType
		diag, at    string
	}{
		{"failing test", `[{"op":"add","path":"/active","value":true},{"op":"test","path":"/gender","value":"female"}]`,
			fhir.KindUnprocessable, fhir.IssueProcessing, "JSON Patch operation 2 (test /gender): value differs", "Patient.gender"},
		{"test of a missing element", `[{"op":"test","path":"/address/0/city","value":"Paris"}]`,
			fhir.KindUnprocessable, fhir.IssueProcessing, "operation 1 (test /address/0/city): the path does not exist", "Patient.address[0].city"},
		{"remove of a missing element", `[{"op":"remove","path":"/address"}]`,
			fhir.KindUnprocessable, fhir.IssueProcessing, "operation 1 (remove /address): the path does not exist", "Patient.address"},
		{"replace of a missing element", `[{"op":"replace","path":"/maritalStatus","value":{"text":"M"}}]`,
			fhir.KindUnprocessable, fhir.IssueProcessing, "the path does not exist", "Patient.maritalStatus"},
		{"index out of range", `[{"op":"add","path":"/telecom/5","value":{"system":"fax"}}]`,
			fhir.KindUnprocessable, fhir.IssueProcessing, "(add /telecom/5): the array index is out of range", "Patient.telecom[5]"},
		{"negative index", `[{"op":"remove","path":"/telecom/-1"}]`,
			fhir.KindUnprocessable, fhir.IssueProcessing, "operation 1 (remove /telecom/-1)", ""},
		{"move from a missing element", `[{"op":"move","from":"/address","path":"/contact"}]`,
			fhir.KindUnprocessable, fhir.IssueProcessing, "(move from /address to /contact)", ""},
		{"not JSON", `[{"op":`, fhir.KindInvalid, fhir.IssueStructure, "not valid JSON", ""},
		{"not an array", `{"op":"remove","path":"/gender"}`, fhir.KindInvalid, fhir.IssueStructure, "must be a JSON array", ""},
		{"null", `null`, fhir.KindInvalid, fhir.IssueStructure, "must be a JSON array", ""},
		{"operation not an object", `["remove"]`, fhir.KindInvalid, fhir.IssueStructure, "operation 1: not a JSON object", ""},
		{"unknown op", `[{"op":"remove","path":"/gender"},{"op":"delete","path":"/gender"}]`,
			fhir.KindInvalid, fhir.IssueStructure, `operation 2: unknown op "delete"`, ""},
		{"missing path", `[{"op":"remove"}]`, fhir.KindInvalid, fhir.IssueStructure, `"path" is missing`, ""},
		{"path without a slash", `[{"op":"remove","path":"gender"}]`, fhir.KindInvalid, fhir.IssueStructure, `does not start with "/"`, ""},
		{"add without value", `[{"op":"add","path":"/active"}]`, fhir.KindInvalid, fhir.IssueStructure, `add needs a "value"`, ""},
		{"move without from", `[{"op":"move","path":"/name/0"}]`, fhir.KindInvalid, fhir.IssueStructure, `"from" is missing`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := JSON([]byte(patientJSON), []byte(tt.patch))
			if err == nil {
				t.Fatalf("JSON succeeded with %s, want an error", got)
			}
			assertError(t, err, tt.kind, tt.code, tt.diag, tt.at)
		})
	}
}

// TestJSONKeepsText checks that a JSON Patch leaves the rest of the
// resource as written: decimals keep their digits and narratives their
// markup.
func TestJSONKeepsText(t *testing.T) {
	doc := `{"resourceType":"Observation","status":"final","valueQuantity":{"value":1.50},
	  "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">a &amp; b</div>"}}`
	got, err := JSON([]byte(doc), []byte(`[{"op":"replace","path":"/status","value":"amended"}]`))
	if err != nil {
		t.Fatalf("JSON: %v", err)
	}
	for _, want := range []string{`"value":1.50`, `"div":"<div xmlns=`, `"status":"amended"`} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("result %s does not contain %s", got, want)
		}
	}
}

// TestJSONCopyLimit checks that copies cannot grow a resource without
// bound.
func TestJSONCopyLimit(t *testing.T) {
	doc := fmt.Sprintf(`{"resourceType":"Basic","a":"%s"}`, strings.Repeat("x", 1<<20))
	ops := make([]string, 10)
	for i := range ops {
		ops[i] = fmt.Sprintf(`{"op":"copy","from":"/a","path":"/b%d"}`, i)
	}
	_, err := JSON([]byte(doc), []byte("["+strings.Join(ops, ",")+"]"))
	assertError(t, err, fhir.KindTooCostly, fhir.IssueTooCostly, "grow the resource", "")

	if _, err := JSON([]byte(doc), []byte("["+strings.Join(ops[:2], ",")+"]")); err != nil {
		t.Errorf("two copies: %v, want success", err)
	}
}

func TestJSONBadResource(t *testing.T) {
	for _, doc := range []string{``, `[]`, `{"resourceType":`} {
		_, err := JSON([]byte(doc), []byte(`[]`))
		assertError(t, err, fhir.KindInternal, fhir.IssueException, "not a JSON object", "")
	}
}

// TestJSONErrorNamesOperation: whichever operation of a patch fails, the
// error names it and its path, and the operations before it count (each
// adds the member the next one tests).
func TestJSONErrorNamesOperation(t *testing.T) {
	for _, n := range []int{1, 2, 3, 8, 33} {
		for f := range n {
			ops := make([]string, n)
			for i := range ops {
				ops[i] = fmt.Sprintf(`{"op":"add","path":"/x%d","value":[%d]}`, i, i)
				if i > 0 {
					ops[i] = fmt.Sprintf(`{"op":"test","path":"/x%d/0","value":%d},`, i-1, i-1) + ops[i]
				}
			}
			if f > 0 {
				ops[f] = fmt.Sprintf(`{"op":"test","path":"/x%d/0","value":"not %d"}`, f-1, f-1)
			} else {
				ops[f] = `{"op":"remove","path":"/x0"}`
			}
			_, err := JSON([]byte(patientJSON), []byte("["+strings.Join(ops, ",")+"]"))
			// Operation f of the list is operation 2f of the patch, or 2f+1
			// counted from 1, since every item past the first holds two.
			diag, at := fmt.Sprintf("JSON Patch operation %d (test /x%d/0): value differs", 2*f, f-1), fmt.Sprintf("Patient.x%d[0]", f-1)
			if f == 0 {
				diag, at = "JSON Patch operation 1 (remove /x0): the path does not exist", "Patient.x0"
			}
			assertError(t, err, fhir.KindUnprocessable, fhir.IssueProcessing, diag, at)
		}
	}
}
