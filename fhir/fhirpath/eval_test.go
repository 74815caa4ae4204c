package fhirpath

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
)

// decode parses JSON the way the server does, with UseNumber.
func decode(t testing.TB, src string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(src))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

const patientJSON = `{
  "resourceType": "Patient", "id": "p1",
  "meta": {"lastUpdated": "2024-01-02T03:04:05.123456Z", "tag": [{"system": "s", "code": "t"}]},
  "extension": [{"url": "http://x/race", "valueCoding": {"code": "2106-3"}}],
  "name": [{"family": "García", "given": ["José", "Luis"]}, {"text": "Pepe"}],
  "telecom": [{"system": "phone", "value": "555"}, {"system": "email", "value": "j@x.org"}],
  "deceasedBoolean": false,
  "generalPractitioner": [{"reference": "Practitioner/7"}, {"reference": "Organization/8"}]
}`

const observationJSON = `{
  "resourceType": "Observation", "id": "o1", "status": "final",
  "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
  "subject": {"reference": "Group/1"},
  "effectivePeriod": {"start": "2020-01-01"},
  "component": [
    {"code": {"text": "sys"}, "valueQuantity": {"value": 120, "unit": "mmHg"}},
    {"code": {"text": "dia"}, "valueQuantity": {"value": 80.5, "unit": "mmHg"}},
    {"code": {"text": "note"}, "valueString": "ok"}
  ]
}`

// show renders a collection as "Type:value" items for comparison.
func show(nodes []Node) string {
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		v := n.Value
		if m, ok := v.(map[string]any); ok {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			v = fmt.Sprintf("{%d keys}", len(keys))
		}
		parts[i] = fmt.Sprintf("%s:%v", n.Type, v)
	}
	return strings.Join(parts, " ")
}

func TestEval(t *testing.T) {
	pat := decode(t, patientJSON)
	obs := decode(t, observationJSON)
	tests := []struct {
		res  map[string]any
		expr string
		want string
	}{
		{pat, "Patient.name.family", "string:García"},
		{pat, "Patient.name.given", "string:José string:Luis"},
		{pat, "Patient.name", "HumanName:{2 keys} HumanName:{1 keys}"},
		{pat, "Observation.code", ""},
		// The R4 definitions type Resource.id as a string (System.String).
		{pat, "Resource.id", "string:p1"},
		{pat, "Patient.id | Patient.meta.lastUpdated", "string:p1 instant:2024-01-02T03:04:05.123456Z"},
		{pat, "Patient.meta.tag.code", "code:t"},
		{pat, "Patient.telecom.where(system='email').value", "string:j@x.org"},
		{pat, "Patient.telecom.where(system!='email').value", "string:555"},
		{pat, "Patient.deceased.exists() and Patient.deceased != false", "boolean:false"},
		{pat, "(Patient.deceased as boolean)", "boolean:false"},
		{pat, "(Patient.deceased as dateTime)", ""},
		{pat, "Patient.generalPractitioner.where(resolve() is Practitioner)", "Reference:{1 keys}"},
		{pat, "Patient.generalPractitioner.resolve()", "Practitioner:Practitioner/7 Organization:Organization/8"},
		{pat, "Patient.extension('http://x/race').value.code", "code:2106-3"},
		{pat, "Patient.extension.where(url = 'http://x/race').valueCoding.system", ""},
		{pat, "Patient.name.given.first()", "string:José"},
		{pat, "Patient.name.given.last()", "string:Luis"},
		{pat, "Patient.name[1].text", "string:Pepe"},
		{pat, "Patient.name.where(family.exists()).given.empty()", "boolean:false"},
		{pat, "Patient.active.exists().not()", "boolean:true"},
		{pat, "Patient.active or true", "boolean:true"},
		{pat, "Patient.active and true", ""},
		{obs, "Observation.effective", "Period:{1 keys}"},
		{obs, "Observation.effective.start", "dateTime:2020-01-01"},
		{obs, "Observation.subject.where(resolve() is Patient)", ""},
		{obs, "Observation.subject.where(resolve() is Group)", "Reference:{1 keys}"},
		{obs, "(Observation.component.value as Quantity).value", "decimal:120 decimal:80.5"},
		{obs, "Observation.component.value.ofType(string)", "string:ok"},
		{obs, "Observation.component.value.as(FHIR.Quantity).unit", "string:mmHg string:mmHg"},
		{obs, "(Observation.value as Quantity) | (Observation.component.value as Quantity)", "Quantity:{2 keys} Quantity:{2 keys}"},
		{obs, "Observation.component.where(code.text = 'dia').value.value = 80.50", "boolean:true"},
		{obs, "Observation | Observation.component", "Observation:{7 keys} Observation.component:{2 keys} Observation.component:{2 keys} Observation.component:{2 keys}"},
		{obs, "Observation.status = 'final' and Observation.code.coding.code = '85354-9'", "boolean:true"},
		{obs, "$this.status", "code:final"},
	}
	for _, tt := range tests {
		x, err := Compile(tt.expr)
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.expr, err)
			continue
		}
		if got := show(x.Eval(tt.res)); got != tt.want {
			t.Errorf("%s\n got %s\nwant %s", tt.expr, got, tt.want)
		}
	}
}

func TestEvalNodeComponents(t *testing.T) {
	obs := decode(t, observationJSON)
	items := MustCompile("Observation.component").Eval(obs)
	code := MustCompile("code.text")
	value := MustCompile("value.as(Quantity)")
	date := MustCompile("value.as(DateTime) | value.as(Period)")
	var got []string
	for _, it := range items {
		got = append(got, show(code.EvalNode(it))+"="+show(value.EvalNode(it))+show(date.EvalNode(it)))
	}
	want := "string:sys=Quantity:{2 keys},string:dia=Quantity:{2 keys},string:note="
	if strings.Join(got, ",") != want {
		t.Errorf("got %s, want %s", strings.Join(got, ","), want)
	}
}

func TestCompileErrors(t *testing.T) {
	bad := []string{
		"", "Patient.", "Patient.name(", "(Patient.name", "Patient.name.where()",
		"Patient.birthDate < @2020-13-45", "@", "1 +", "%unknown.id", "$parent",
		"Patient.name.extension(1)", "Patient.name.memberOf('http://vs')", "conformsTo('x')",
		"'unterminated", "Patient.name[1", "Patient.name as", "iif(true)",
		"Patient.extension(url)", "Patient.extension()", "Patient.name.exists(a, b)", "'\\q'",
		"Patient.name.first(1)", "ofType('x')", "99999999999999999999", "a.is()",
		strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300),
	}
	for _, src := range bad {
		if _, err := Compile(src); err == nil {
			t.Errorf("Compile(%q) succeeded, want an error", src)
		}
	}
}

func TestParseReference(t *testing.T) {
	tests := []struct{ ref, typ, id string }{
		{"Patient/123", "Patient", "123"},
		{"Patient/123/_history/2", "Patient", "123"},
		{"http://example.org/fhir/Patient/a.b-c", "Patient", "a.b-c"},
		{"https://x/fhir/Observation/1/_history/7", "Observation", "1"},
		{"#contained", "", ""},
		{"urn:uuid:5f3c", "", ""},
		{"Patient?identifier=x", "", ""},
		{"Patient", "", ""},
		{"patient/1", "", ""},
		{"Patient/1/_history/", "", ""},
		{"Patient/" + strings.Repeat("a", 65), "", ""},
		{"/1", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		typ, id := ParseReference(tt.ref)
		if typ != tt.typ || id != tt.id {
			t.Errorf("ParseReference(%q) = %q, %q, want %q, %q", tt.ref, typ, id, tt.typ, tt.id)
		}
	}
}

func TestIsType(t *testing.T) {
	tests := []struct {
		n    Node
		typ  string
		want bool
	}{
		{Node{Value: map[string]any{}, Type: "Age"}, "Quantity", true},
		{Node{Value: map[string]any{}, Type: "Quantity"}, "Age", false},
		{Node{Value: "x", Type: "code"}, "string", true},
		{Node{Value: "x", Type: "dateTime"}, "DateTime", true},
		{Node{Value: "x", Type: "canonical"}, "uri", true},
		{Node{Value: "x"}, "String", true},
		{Node{Value: json.Number("1.5")}, "decimal", true},
		{Node{Value: json.Number("1")}, "integer", true},
		{Node{Value: map[string]any{"resourceType": "Patient"}}, "Resource", true},
		{Node{Value: true}, "string", false},
	}
	for _, tt := range tests {
		if got := IsType(tt.n, tt.typ); got != tt.want {
			t.Errorf("IsType(%v, %s) = %v", tt.n, tt.typ, got)
		}
	}
}

// TestEvalNeverPanics evaluates every construct on trees of the wrong
// shape.
func TestEvalNeverPanics(t *testing.T) {
	trees := []string{
		`{"resourceType": "Patient", "name": "x", "telecom": [null, 1, [2], {"system": ["email"]}]}`,
		`{"resourceType": "Patient", "name": [{"given": [null, {"a": 1}]}], "deceasedBoolean": "no"}`,
		`{"resourceType": "Observation", "valueQuantity": [], "component": {"valueQuantity": 1}}`,
		`{"resourceType": 7, "generalPractitioner": [{"reference": 5, "type": 3}, "Patient/1"]}`,
	}
	exprs := []string{
		"Patient.name.given", "Patient.telecom.where(system='email')",
		"Patient.deceased.exists() and Patient.deceased != false",
		"Patient.generalPractitioner.where(resolve() is Patient)",
		"(Observation.value as Quantity) | Observation.component.value.as(Quantity)",
		"Resource.id", "Patient.extension('x').value", "Patient.name[3].first().not()",
	}
	for _, src := range trees {
		res := decode(t, src)
		for _, e := range exprs {
			MustCompile(e).Eval(res)
		}
	}
}

// TestCompileRegistry compiles the expression of every search parameter of
// every stored type, and of every composite component.
func TestCompileRegistry(t *testing.T) {
	n := 0
	for _, rt := range fhir.Types() {
		for _, p := range rt.Params {
			if p.Expression != "" {
				n++
				if _, err := Compile(p.Expression); err != nil {
					t.Errorf("%s %s (%s): %v", rt.Name, p.Code, p.Type, err)
				}
			}
			for _, c := range p.Components {
				n++
				if _, err := Compile(c.Expression); err != nil {
					t.Errorf("%s %s component %s: %v", rt.Name, p.Code, c.Code, err)
				}
			}
		}
	}
	t.Logf("compiled %d expressions", n)
}

// TestCompileDefinitions compiles the expressions of the published R4 and
// US Core search parameters of the stored types (testdata, restricted to
// each type) and evaluates each on a minimal resource of that type.
func TestCompileDefinitions(t *testing.T) {
	f, err := os.Open("testdata/r4-expressions.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		cols := strings.SplitN(line, "\t", 4)
		if len(cols) != 4 {
			t.Fatalf("bad line %q", line)
		}
		x, err := Compile(cols[3])
		if err != nil {
			t.Errorf("%s %s: %v", cols[0], cols[2], err)
			continue
		}
		x.Eval(map[string]any{"resourceType": cols[0], "id": "1"})
		n++
	}
	if n < 200 {
		t.Errorf("only %d expressions in testdata", n)
	}
}

// FuzzCompile checks that compiling and evaluating arbitrary text never
// panics.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{"Patient.name.where(given = 'x').exists() and Patient.active != false",
		"(Observation.value as Quantity) | Observation.component.value.ofType(FHIR.Quantity)",
		"Patient.extension('u').value[0].resolve() is Patient", "`div`.x", "'a\\'b'"} {
		f.Add(s)
	}
	pat := decode(f, patientJSON)
	f.Fuzz(func(t *testing.T, src string) {
		if x, err := Compile(src); err == nil {
			x.Eval(pat)
		}
	})
}
