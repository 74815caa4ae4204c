package validate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
)

// want is an expected issue: its code and its expression ("" for none).
type want struct {
	code fhir.IssueType
	expr string
}

// fixture returns a file of testdata/validate.
func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "validate", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// checkIssues asserts that err is a KindInvalid *fhir.Error with exactly the
// wanted issues, in order.
func checkIssues(t *testing.T, err error, wants []want) {
	t.Helper()
	var fe *fhir.Error
	if !errors.As(err, &fe) {
		t.Fatalf("error = %v (%T), want a *fhir.Error", err, err)
	}
	if fe.Kind != fhir.KindInvalid {
		t.Errorf("kind = %v, want KindInvalid", fe.Kind)
	}
	var got []want
	for _, is := range fe.Issues {
		w := want{code: is.Code}
		if len(is.Expression) > 1 {
			t.Errorf("issue %q has %d expressions, want at most 1", is.Diagnostics, len(is.Expression))
		}
		if len(is.Expression) == 1 {
			w.expr = is.Expression[0]
		}
		if is.Severity != fhir.SeverityError || is.Diagnostics == "" {
			t.Errorf("issue %+v: want severity error and diagnostics", is)
		}
		got = append(got, w)
	}
	if len(got) != len(wants) {
		t.Fatalf("got %d issues, want %d:\n got  %v\n want %v\n (%v)", len(got), len(wants), got, wants, err)
	}
	for i := range got {
		if got[i] != wants[i] {
			t.Errorf("issue %d = %v, want %v (%s)", i, got[i], wants[i], fe.Issues[i].Diagnostics)
		}
	}
}

func TestResourceValid(t *testing.T) {
	for _, tc := range []struct {
		file, typ string
		numbers   map[string]string // path through the tree → number text
	}{
		{"patient.json", "Patient", nil},
		{"observation.json", "Observation", map[string]string{
			"valueQuantity.value":         "1.50",
			"referenceRange.0.low.value":  "36.10",
			"referenceRange.0.high.value": "37.2e0",
		}},
		{"encounter.json", "Encounter", map[string]string{"length.value": "30"}},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			tree, err := Resource(fixture(t, tc.file), tc.typ)
			if err != nil {
				t.Fatalf("Resource: %v", err)
			}
			if tree["resourceType"] != tc.typ {
				t.Errorf("resourceType = %v, want %s", tree["resourceType"], tc.typ)
			}
			for at, text := range tc.numbers {
				if got := lookup(tree, at); got != json.Number(text) {
					t.Errorf("%s = %#v, want json.Number(%q)", at, got, text)
				}
			}
		})
	}
}

// lookup follows a dotted path of keys and array indexes through a tree.
func lookup(v any, at string) any {
	for _, k := range strings.Split(at, ".") {
		switch t := v.(type) {
		case map[string]any:
			v = t[k]
		case []any:
			i := int(k[0] - '0')
			if i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

func TestResourceValidNested(t *testing.T) {
	for name, body := range map[string]string{
		"parameters with resources": `{"resourceType":"Parameters","parameter":[
			{"name":"resource","resource":{"resourceType":"Patient","id":"p1","gender":"male"}},
			{"name":"nested","part":[{"name":"r","resource":{"resourceType":"Observation","status":"final","code":{"text":"t"}}}]}]}`,
		"fhirpath patch": `{"resourceType":"Parameters","parameter":[{"name":"operation","part":[
			{"name":"type","valueCode":"add"},{"name":"path","valueString":"Patient"},
			{"name":"name","valueString":"name"},{"name":"value","valueHumanName":{"family":"Doe"}}]}]}`,
		"transaction bundle": `{"resourceType":"Bundle","type":"transaction","entry":[
			{"fullUrl":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a","resource":{"resourceType":"Patient","active":true},
			 "request":{"method":"POST","url":"Patient"}},
			{"resource":{"resourceType":"Observation","status":"final","code":{"text":"t"},
			  "subject":{"reference":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"},
			  "hasMember":[{"reference":"Observation?identifier=http://x|1"}]},
			 "request":{"method":"POST","url":"Observation"}}]}`,
		"parameters in parameters": `{"resourceType":"Parameters","parameter":[
			{"name":"a","resource":{"resourceType":"Parameters","parameter":[
				{"name":"b","resource":{"resourceType":"Patient"}},
				{"name":"c","part":[{"name":"d","resource":{"resourceType":"Parameters","parameter":[
					{"name":"e","resource":{"resourceType":"Basic","code":{"text":"t"}}}]}}]}]}},
			{"name":"f","resource":{"resourceType":"Patient"}},
			{"name":"g","resource":{"resourceType":"Bundle","type":"collection","entry":[
				{"resource":{"resourceType":"Parameters","parameter":[{"name":"h","resource":{"resourceType":"Patient"}}]}}]}}]}`,
		"contained and local refs": `{"resourceType":"Observation","status":"final","code":{"text":"t"},
			"contained":[{"resourceType":"Patient","id":"p","link":[{"other":{"reference":"#"},"type":"seealso"}]}],
			"subject":{"reference":"#p"},"specimen":{"reference":"urn:oid:1.2.840.10008"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Resource([]byte(body), ""); err != nil {
				t.Fatalf("Resource: %v", err)
			}
		})
	}
}

func TestResourceInvalid(t *testing.T) {
	for _, tc := range []struct {
		name, typ, body string
		want            []want
	}{
		{"wrong primitive type", "Patient", `{"resourceType":"Patient","birthDate":12}`,
			[]want{{fhir.IssueValue, "Patient.birthDate"}}},
		{"bad date", "Patient", `{"resourceType":"Patient","birthDate":"2020-13-45"}`,
			[]want{{fhir.IssueValue, "Patient.birthDate"}}},
		{"unknown element", "Patient", `{"resourceType":"Patient","colour":"blue"}`,
			[]want{{fhir.IssueStructure, "Patient.colour"}}},
		{"unknown element quoted", "Patient", `{"resourceType":"Patient","a b":1}`,
			[]want{{fhir.IssueStructure, "Patient.`a b`"}}},
		{"upper camel element", "Patient", `{"resourceType":"Patient","Gender":"male"}`,
			[]want{{fhir.IssueStructure, "Patient.Gender"}}},
		{"bad code", "Patient", `{"resourceType":"Patient","gender":"robot"}`,
			[]want{{fhir.IssueValue, "Patient.gender"}}},
		{"missing status", "Observation", `{"resourceType":"Observation","code":{"text":"t"}}`,
			[]want{{fhir.IssueRequired, "Observation.status"}}},
		{"missing code", "Observation", `{"resourceType":"Observation","status":"final"}`,
			[]want{{fhir.IssueRequired, "Observation.code"}}},
		{"missing status and code", "", `{"resourceType":"Observation"}`,
			[]want{{fhir.IssueRequired, "Observation.code"}, {fhir.IssueRequired, "Observation.status"}}},
		{"bad reference string", "", `{"resourceType":"Observation","status":"final","code":{"text":"t"},"subject":{"reference":"Patient/a b"}}`,
			[]want{{fhir.IssueValue, "Observation.subject.reference"}}},
		{"bad history reference", "", `{"resourceType":"Observation","status":"final","code":{"text":"t"},"subject":{"reference":"Patient/1/_history/x y"}}`,
			[]want{{fhir.IssueValue, "Observation.subject.reference"}}},
		{"wrong reference target", "", `{"resourceType":"Observation","status":"final","code":{"text":"t"},"subject":{"reference":"Medication/1"}}`,
			[]want{{fhir.IssueValue, "Observation.subject.reference"}}},
		{"missing contained", "Patient", `{"resourceType":"Patient","managingOrganization":{"reference":"#org"}}`,
			[]want{{fhir.IssueInvariant, "Patient.managingOrganization.reference"}}},
		{"duplicate key", "Patient", `{"resourceType":"Patient","gender":"male","gender":"female"}`,
			[]want{{fhir.IssueStructure, "Patient.gender"}}},
		{"two problems", "Patient", `{"resourceType":"Patient","birthDate":"2020-13-45","colour":"blue"}`,
			[]want{{fhir.IssueValue, "Patient.birthDate"}, {fhir.IssueStructure, "Patient.colour"}}},
		{"structure and required", "", `{"resourceType":"Observation","status":"nope","colour":1}`,
			[]want{{fhir.IssueValue, "Observation.status"}, {fhir.IssueStructure, "Observation.colour"},
				{fhir.IssueRequired, "Observation.code"}}},
		{"type mismatch", "Patient", `{"resourceType":"Observation","status":"final","code":{"text":"t"}}`,
			[]want{{fhir.IssueInvalid, "Observation.resourceType"}}},
		{"unknown type", "", `{"resourceType":"Starship"}`,
			[]want{{fhir.IssueNotSupported, "Starship.resourceType"}}},
		{"missing resourceType", "Patient", `{"id":"p1"}`,
			[]want{{fhir.IssueRequired, "Patient.resourceType"}}},
		{"missing resourceType no type", "", `{"id":"p1"}`,
			[]want{{fhir.IssueRequired, "Resource.resourceType"}}},
		{"resourceType not a string", "", `{"resourceType":7}`,
			[]want{{fhir.IssueValue, "Resource.resourceType"}}},
		{"invalid id", "Patient", `{"resourceType":"Patient","id":"a/b"}`,
			[]want{{fhir.IssueValue, "Patient.id"}}},
		{"empty string", "Patient", `{"resourceType":"Patient","name":[{"given":["Ada",""]}]}`,
			[]want{{fhir.IssueValue, "Patient.name[0].given[1]"}}},
		{"null member", "Patient", `{"resourceType":"Patient","active":null}`,
			[]want{{fhir.IssueStructure, "Patient.active"}}},
		{"empty array and object", "Patient", `{"resourceType":"Patient","name":[],"maritalStatus":{}}`,
			[]want{{fhir.IssueStructure, "Patient.name"}, {fhir.IssueStructure, "Patient.maritalStatus"}}},
		{"whitespace in uri", "Patient", `{"resourceType":"Patient","identifier":[{"system":" http://x","value":"1"}],"managingOrganization":{"reference":"Organization/1 "}}`,
			[]want{{fhir.IssueValue, "Patient.identifier[0].system"}, {fhir.IssueValue, "Patient.managingOrganization.reference"}}},
		{"contained required", "Patient", `{"resourceType":"Patient","contained":[{"resourceType":"Observation","id":"o"}],"extension":[{"url":"http://e/x","valueReference":{"reference":"#o"}}]}`,
			[]want{{fhir.IssueRequired, "Patient.contained[0].ofType(Observation).code"},
				{fhir.IssueRequired, "Patient.contained[0].ofType(Observation).status"}}},
		{"contained in contained", "Patient", `{"resourceType":"Patient","managingOrganization":{"reference":"#o"},"contained":[{"resourceType":"Organization","id":"o","name":"x","contained":[{"resourceType":"Organization","id":"p","name":"y"}]}]}`,
			[]want{{fhir.IssueInvariant, "Patient.contained[0].ofType(Organization).contained"}}},
		{"bundle entry", "Bundle", `{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","colour":1}}]}`,
			[]want{{fhir.IssueStructure, "Bundle.entry[0].resource.ofType(Patient).colour"}}},
		{"parameters resource", "Parameters", `{"resourceType":"Parameters","parameter":[{"name":"x","resource":{"resourceType":"Observation","status":"final"}},{"valueString":"v"}]}`,
			[]want{{fhir.IssueRequired, "Parameters.parameter[0].resource.ofType(Observation).code"},
				{fhir.IssueRequired, "Parameters.parameter[1].name"}}},
		{"parameters in parameters", "Parameters", `{"resourceType":"Parameters","parameter":[
			{"name":"a","resource":{"resourceType":"Parameters","parameter":[
				{"name":"b","resource":{"resourceType":"Patient","foo":1}},
				{"name":"c","part":[{"name":"d","resource":{"resourceType":"Parameters","parameter":[
					{"name":"e","resource":{"resourceType":"Basic"}}]}}]}]}},
			{"name":"f","resource":{"resourceType":"Observation","status":"final"}}]}`,
			[]want{{fhir.IssueStructure, "Parameters.parameter[0].resource.ofType(Parameters).parameter[0].resource.ofType(Patient).foo"},
				{fhir.IssueRequired, "Parameters.parameter[0].resource.ofType(Parameters).parameter[1].part[0].resource.ofType(Parameters).parameter[0].resource.ofType(Basic).code"},
				{fhir.IssueRequired, "Parameters.parameter[1].resource.ofType(Observation).code"}}},
		{"parameters resource not an object", "Parameters", `{"resourceType":"Parameters","parameter":[{"name":"x","resource":"Patient/1"}]}`,
			[]want{{fhir.IssueStructure, "Parameters.parameter[0].resource"}}},
		{"empty body", "Patient", ``, []want{{fhir.IssueStructure, ""}}},
		{"blank body", "Patient", " \n\t", []want{{fhir.IssueStructure, ""}}},
		{"array body", "Patient", `[{"resourceType":"Patient"}]`, []want{{fhir.IssueStructure, ""}}},
		{"string body", "Patient", `"Patient"`, []want{{fhir.IssueStructure, ""}}},
		{"not JSON", "Patient", `{"resourceType":"Patient",}`, []want{{fhir.IssueStructure, ""}}},
		{"truncated", "Patient", `{"resourceType":"Patient","name":[{`, []want{{fhir.IssueStructure, ""}}},
		{"trailing data", "Patient", `{"resourceType":"Patient"} {}`, []want{{fhir.IssueStructure, ""}}},
		{"too deep", "Patient", `{"resourceType":"Patient","extension":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`,
			[]want{{fhir.IssueStructure, ""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tree, err := Resource([]byte(tc.body), tc.typ)
			if tree != nil {
				t.Errorf("tree = %v, want nil with an error", tree)
			}
			checkIssues(t, err, tc.want)
		})
	}
}

func TestCheckReference(t *testing.T) {
	ids := map[string]string{"c1": "Patient"}
	for ref, code := range map[string]fhir.IssueType{
		"Patient/123":                       "",
		"Patient/A-b.9/_history/2":          "",
		"Patient?identifier=x|1":            "",
		"#":                                 "",
		"#c1":                               "",
		"http://example.org/fhir/Patient/1": "",
		"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a": "",
		"urn:oid:2.16.840.1.113883":                     "",
		"#c2":                                           fhir.IssueInvariant,
		"#bad id":                                       fhir.IssueValue,
		"Patient/":                                      fhir.IssueValue,
		"Patient":                                       fhir.IssueValue,
		"patient/1":                                     fhir.IssueValue,
		"Patient/1/foo":                                 fhir.IssueValue,
		"Patient/1/_history/":                           fhir.IssueValue,
		"Patient/" + strings.Repeat("x", 65):            fhir.IssueValue,
		"Patient?":                                      fhir.IssueValue,
		"ftp://example.org/x":                           fhir.IssueValue,
		"http:///nohost":                                fhir.IssueValue,
		"http://example.org/a b":                        fhir.IssueValue,
		"urn:uuid:1234":                                 fhir.IssueValue,
		"urn:oid:3.1":                                   fhir.IssueValue,
		"urn:oid:1.02":                                  fhir.IssueValue,
		"foo bar":                                       fhir.IssueValue,
	} {
		if got, msg := checkReference(ref, ids, model().resources); got != code {
			t.Errorf("checkReference(%q) = %q (%s), want %q", ref, got, msg, code)
		}
	}
}

// TestLibraryErrorShape guards the reflection in libErrors, with which the
// differential test reads google/fhir's findings.
func TestLibraryErrorShape(t *testing.T) {
	out := unmarshal([]byte(`{"resourceType":"Patient","colour":1}`))
	if out.err != nil || len(out.parse) != 1 {
		t.Fatalf("unmarshal = %+v, want one structural error", out)
	}
	want := libError{path: "Patient", details: "unknown field", diagnostics: `"colour"`}
	if out.parse[0] != want {
		t.Errorf("parse error = %+v, want %+v", out.parse[0], want)
	}
}

func TestParseExprRoundTrip(t *testing.T) {
	for _, expr := range []string{
		"Patient", "Patient.name[0].given[1]", "Bundle.entry[3].resource.ofType(Patient).id",
		"Patient.`a b`", "Patient.`we\\`ird.key`[2]",
	} {
		root, p, ok := parseExpr(expr)
		if !ok || p.expr(root) != expr {
			t.Errorf("parseExpr(%q) = %q, %v, %v; round trip %q", expr, root, p, ok, p.expr(root))
		}
	}
	for _, bad := range []string{"", "Patient.", "Patient[x]", "Patient.`open", "Patient.ofType(X"} {
		if _, _, ok := parseExpr(bad); ok {
			t.Errorf("parseExpr(%q) succeeded, want failure", bad)
		}
	}
}

// Narratives (txt-1, txt-2) and extensions (ext-1) are checked where they
// are; the good forms pass.
func TestNarrativeAndExtensionRules(t *testing.T) {
	patient := func(text string) string {
		return `{"resourceType":"Patient","text":{"status":"generated","div":` + text + `}}`
	}
	div := func(inner string) string {
		b, _ := json.Marshal(`<div xmlns="http://www.w3.org/1999/xhtml">` + inner + `</div>`)
		return patient(string(b))
	}
	for name, body := range map[string]string{
		"formatting":      div(`<p>Ada <b>Example</b>&#160;&amp; co</p><table><tr><td style="color:red">1</td></tr></table><a href="Patient/1">x</a>`),
		"image only":      div(`<img src="#pic" alt=""/>`),
		"with xml header": patient(`"<?xml version=\"1.0\"?><div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"`),
		"value extension": `{"resourceType":"Patient","extension":[{"url":"http://e/x","valueString":"v"}]}`,
		"nested":          `{"resourceType":"Patient","_birthDate":{"extension":[{"url":"http://e/x","extension":[{"url":"a","valueCode":"b"}]}]},"birthDate":"2000"}`,
	} {
		if _, err := Resource([]byte(body), "Patient"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, tc := range map[string]struct{ body, expr string }{
		"script":           {div(`<script>alert(1)</script>x`), "Patient.text.div"},
		"event attribute":  {div(`<img src="x" onerror="alert(1)"/>`), "Patient.text.div"},
		"script url":       {div(`<a href=" JavaScript:alert(1)">x</a>`), "Patient.text.div"},
		"form":             {div(`<form><input/></form>`), "Patient.text.div"},
		"iframe":           {div(`<iframe src="http://x"></iframe>`), "Patient.text.div"},
		"not xhtml":        {patient(`"hello"`), "Patient.text.div"},
		"no namespace":     {patient(`"<div>hello</div>"`), "Patient.text.div"},
		"not well-formed":  {div(`<p>x`), "Patient.text.div"},
		"html entity":      {div(`a&nbsp;b`), "Patient.text.div"},
		"two roots":        {patient(`"<div xmlns=\"http://www.w3.org/1999/xhtml\">a</div><div xmlns=\"http://www.w3.org/1999/xhtml\">b</div>"`), "Patient.text.div"},
		"empty":            {div(`  <p> </p> `), "Patient.text.div"},
		"no value":         {`{"resourceType":"Patient","extension":[{"url":"http://e/x"}]}`, "Patient.extension[0]"},
		"value and nested": {`{"resourceType":"Patient","modifierExtension":[{"url":"http://e/x","valueString":"v","extension":[{"url":"a","valueCode":"b"}]}]}`, "Patient.modifierExtension[0]"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Resource([]byte(tc.body), "Patient")
			checkIssues(t, err, []want{{fhir.IssueInvariant, tc.expr}})
		})
	}
}

// A body that encoding/json would store altered (U+FFFD for a lone
// surrogate or an invalid byte) is refused; escaped pairs and escaped
// backslashes are fine.
func TestUnrepresentableText(t *testing.T) {
	for _, s := range []string{`\ud83d\ude00`, `\\ud800`, `\u00e9`, `\"\\`} {
		if _, err := Resource([]byte(`{"resourceType":"Patient","name":[{"family":"`+s+`"}]}`), "Patient"); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{`\ud800`, `\udc00x`, `\ud800\u0041`, `a\uDBFF`, "\xff"} {
		_, err := Resource([]byte(`{"resourceType":"Patient","name":[{"family":"`+s+`"}]}`), "Patient")
		checkIssues(t, err, []want{{fhir.IssueStructure, ""}})
	}
}

// Nulls keep a repeating primitive aligned with its _name twin (json.html);
// a null with no partner is still an error.
func TestNullsAlignPrimitiveArrays(t *testing.T) {
	ext := `{"extension":[{"url":"http://x","valueString":"a"}]}`
	for _, body := range []string{
		`{"resourceType":"Patient","name":[{"given":[null,"b"],"_given":[` + ext + `,null]}]}`,
		`{"resourceType":"Patient","name":[{"given":[null],"_given":[` + ext + `]}]}`,
		`{"resourceType":"Patient","name":[{"given":["a","b"],"_given":[null,` + ext + `]}]}`,
	} {
		tree, err := Resource([]byte(body), "Patient")
		if err != nil {
			t.Errorf("%s: %v", body, err)
			continue
		}
		if given := tree["name"].([]any)[0].(map[string]any)["given"].([]any); given[0] != nil && given[0] != "a" {
			t.Errorf("%s: stored given %v", body, given)
		}
	}
	for name, tc := range map[string]struct{ body, expr string }{
		"null without twin": {`{"resourceType":"Patient","name":[{"given":[null,"b"]}]}`, "Patient.name[0].given[0]"},
		"both null":         {`{"resourceType":"Patient","name":[{"given":[null,"b"],"_given":[null,` + ext + `]}]}`, "Patient.name[0].given[0]"},
		"null complex":      {`{"resourceType":"Patient","name":[null,{"family":"x"}]}`, "Patient.name[0]"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Resource([]byte(tc.body), "Patient")
			fe, ok := fhir.AsError(err)
			if !ok || len(fe.Issues) == 0 {
				t.Fatalf("accepted: %v", err)
			}
			if fe.Issues[0].Expression[0] != tc.expr {
				t.Errorf("issues %v, want the first at %s", fe.Issues, tc.expr)
			}
		})
	}
}

// Codes are case-sensitive: "FINAL" and "in_progress" are not final and
// in-progress (google/fhir, which validated writes before, read them so).
func TestCodesAreCaseSensitive(t *testing.T) {
	for name, tc := range map[string]struct{ typ, body, expr string }{
		"upper case": {"Observation", `{"resourceType":"Observation","status":"FINAL","code":{"text":"x"}}`, "Observation.status"},
		"mixed case": {"Observation", `{"resourceType":"Observation","status":"Entered-In-Error","code":{"text":"x"}}`, "Observation.status"},
		"underscore": {"Encounter", `{"resourceType":"Encounter","status":"in_progress","class":{"code":"AMB"}}`, "Encounter.status"},
		"gender":     {"Patient", `{"resourceType":"Patient","gender":"Male"}`, "Patient.gender"},
		"nested":     {"Patient", `{"resourceType":"Patient","telecom":[{"system":"PHONE","value":"1"}]}`, "Patient.telecom[0].system"},
		"contained":  {"Patient", `{"resourceType":"Patient","contained":[{"resourceType":"Patient","id":"c","gender":"FEMALE"}],"link":[{"other":{"reference":"#c"},"type":"seealso"}]}`, "Patient.contained[0].ofType(Patient).gender"},
		"narrative":  {"Patient", `{"resourceType":"Patient","text":{"status":"GENERATED","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"}}`, "Patient.text.status"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Resource([]byte(tc.body), tc.typ)
			checkIssues(t, err, []want{{fhir.IssueValue, tc.expr}})
		})
	}
	// Strings that look like codes elsewhere are no codes: names, Coding codes.
	for _, body := range []string{
		`{"resourceType":"Patient","gender":"male","name":[{"text":"MALE","family":"Final"}]}`,
		`{"resourceType":"Encounter","status":"in-progress","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"FINAL"}}`,
	} {
		if _, err := Resource([]byte(body), ""); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
}

// dom-3, dom-5, unique contained ids, ele-1, per-1 and qty-3.
func TestBaseInvariants(t *testing.T) {
	enc := func(period string) string {
		return `{"resourceType":"Encounter","status":"finished","class":{"code":"AMB"},"period":` + period + `}`
	}
	obs := func(q string) string {
		return `{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":` + q + `}`
	}
	for name, tc := range map[string]struct{ typ, body, expr string }{
		"unreferenced contained": {"Patient", `{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o1","name":"x"}]}`, "Patient.contained[0]"},
		"contained without id":   {"Patient", `{"resourceType":"Patient","contained":[{"resourceType":"Organization","name":"x"}]}`, "Patient.contained[0]"},
		"duplicate contained id": {"Patient", `{"resourceType":"Patient","managingOrganization":{"reference":"#o1"},"contained":[{"resourceType":"Organization","id":"o1","name":"x"},{"resourceType":"Organization","id":"o1","name":"y"}]}`, "Patient.contained[1]"},
		"contained security":     {"Patient", `{"resourceType":"Patient","managingOrganization":{"reference":"#o1"},"contained":[{"resourceType":"Organization","id":"o1","name":"x","meta":{"security":[{"code":"R"}]}}]}`, "Patient.contained[0].ofType(Organization).meta.security"},
		"id-only element":        {"Patient", `{"resourceType":"Patient","_gender":{"id":"a"}}`, "Patient._gender"},
		"period backwards":       {"Encounter", enc(`{"start":"2020-02-01T00:00:00Z","end":"2020-01-01T00:00:00Z"}`), "Encounter.period"},
		"nested period":          {"Patient", `{"resourceType":"Patient","name":[{"family":"x","period":{"start":"2021","end":"2020"}}]}`, "Patient.name[0].period"},
		"code without system":    {"Observation", obs(`{"value":1,"code":"mg"}`), "Observation.valueQuantity"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Resource([]byte(tc.body), tc.typ)
			checkIssues(t, err, []want{{fhir.IssueInvariant, tc.expr}})
		})
	}
	for name, body := range map[string]string{
		"referenced contained":   `{"resourceType":"Patient","managingOrganization":{"reference":"#o1"},"contained":[{"resourceType":"Organization","id":"o1","name":"x"}]}`,
		"contained refers back":  `{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o1","name":"x","partOf":{"reference":"#"}}]}`,
		"id with value":          `{"resourceType":"Patient","gender":"male","_gender":{"id":"a"}}`,
		"period in order":        enc(`{"start":"2020-01-01","end":"2020-01-01T10:00:00Z"}`),
		"open period":            enc(`{"start":"2020-01-01"}`),
		"ucum quantity":          obs(`{"value":1,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"}`),
		"unit only":              obs(`{"value":1,"unit":"mg"}`),
		"coding without system":  `{"resourceType":"Observation","status":"final","code":{"coding":[{"code":"x"}]}}`,
		"appointment start, end": `{"resourceType":"Appointment","status":"booked","start":"2020-02-01T00:00:00Z","end":"2020-02-01T01:00:00Z","participant":[{"status":"accepted","actor":{"reference":"Patient/p"}}]}`,
	} {
		if _, err := Resource([]byte(body), ""); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The error-level invariants of the stored types that read plain members.
func TestResourceRules(t *testing.T) {
	obs := `"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]}`
	for name, tc := range map[string]struct{ typ, body, expr string }{
		"obs-6": {"Observation", `{` + obs + `,"valueString":"x","dataAbsentReason":{"text":"gone"}}`, "Observation"},
		"obs-7": {"Observation", `{` + obs + `,"valueString":"x","component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueString":"y"}]}`, "Observation"},
		"obs-3": {"Observation", `{` + obs + `,"referenceRange":[{"appliesTo":[{"text":"adults"}]}]}`, "Observation.referenceRange[0]"},
		"pat-1": {"Patient", `{"resourceType":"Patient","contact":[{"gender":"male"}]}`, "Patient.contact[0]"},
		"org-1": {"Organization", `{"resourceType":"Organization","active":true}`, "Organization"},
		"grp-1": {"Group", `{"resourceType":"Group","type":"person","actual":false,"member":[{"entity":{"reference":"Patient/p"}}]}`, "Group"},
		"con-4": {"Condition", `{"resourceType":"Condition","subject":{"reference":"Patient/p"},"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},"abatementDateTime":"2020"}`, "Condition"},
		"con-5": {"Condition", `{"resourceType":"Condition","subject":{"reference":"Patient/p"},"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"entered-in-error"}]}}`, "Condition"},
		"app-2": {"Appointment", `{"resourceType":"Appointment","status":"proposed","start":"2020-01-01T10:00:00Z","participant":[{"status":"accepted","actor":{"reference":"Patient/p"}}]}`, "Appointment"},
		"app-3": {"Appointment", `{"resourceType":"Appointment","status":"booked","participant":[{"status":"accepted","actor":{"reference":"Patient/p"}}]}`, "Appointment"},
		"app-1": {"Appointment", `{"resourceType":"Appointment","status":"proposed","participant":[{"status":"accepted"}]}`, "Appointment.participant[0]"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Resource([]byte(tc.body), tc.typ)
			checkIssues(t, err, []want{{fhir.IssueInvariant, tc.expr}})
		})
	}
	for name, body := range map[string]string{
		"absent value":         `{` + obs + `,"dataAbsentReason":{"text":"gone"}}`,
		"panel":                `{` + obs + `,"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueString":"y"}]}`,
		"resolved condition":   `{"resourceType":"Condition","subject":{"reference":"Patient/p"},"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"resolved"}]},"abatementDateTime":"2020"}`,
		"proposed appointment": `{"resourceType":"Appointment","status":"proposed","participant":[{"status":"needs-action","type":[{"text":"doctor"}]}]}`,
		"identified org":       `{"resourceType":"Organization","identifier":[{"value":"1"}]}`,
	} {
		if _, err := Resource([]byte(body), ""); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The year 0000 is no date; a reference's type agrees with its target.
func TestZeroYearAndReferenceType(t *testing.T) {
	for name, tc := range map[string]struct{ typ, body string }{
		"birth date 0000": {"Patient", `{"resourceType":"Patient","birthDate":"0000"}`},
		"issued 0000":     {"Observation", `{"resourceType":"Observation","status":"final","code":{"text":"x"},"issued":"0000-01-01T00:00:00Z"}`},
		"extension date":  {"Patient", `{"resourceType":"Patient","extension":[{"url":"http://e/x","valueDate":"0000-01-01"}]}`},
		"reference type":  {"Patient", `{"resourceType":"Patient","managingOrganization":{"reference":"Organization/1","type":"Patient"}}`},
	} {
		if _, err := Resource([]byte(tc.body), tc.typ); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for name, body := range map[string]string{
		"postal code 0000": `{"resourceType":"Patient","address":[{"postalCode":"0000"}]}`,
		"typed reference":  `{"resourceType":"Patient","managingOrganization":{"reference":"http://x.org/fhir/Organization/1/_history/2","type":"http://hl7.org/fhir/StructureDefinition/Organization"}}`,
	} {
		if _, err := Resource([]byte(body), ""); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Datatype invariants known by their members: cpt-2, tim-*, att-1, rat-1,
// rng-2, and org-2/3.
func TestDatatypeInvariants(t *testing.T) {
	obs := func(rest string) string {
		return `{"resourceType":"Observation","status":"final","code":{"text":"x"},` + rest + `}`
	}
	for name, tc := range map[string]struct{ typ, body, expr string }{
		"cpt-2": {"Patient", `{"resourceType":"Patient","telecom":[{"value":"555"}]}`, "Patient.telecom[0]"},
		"tim-1": {"Observation", obs(`"effectiveTiming":{"repeat":{"duration":1}}`), "Observation.effectiveTiming.repeat"},
		"tim-8": {"Observation", obs(`"effectiveTiming":{"repeat":{"countMax":3}}`), "Observation.effectiveTiming.repeat"},
		"att-1": {"Patient", `{"resourceType":"Patient","photo":[{"data":"aGk="}]}`, "Patient.photo[0]"},
		"rat-1": {"Observation", obs(`"valueRatio":{"numerator":{"value":1}}`), "Observation.valueRatio"},
		"rng-2": {"Observation", obs(`"valueRange":{"low":{"value":5},"high":{"value":1}}`), "Observation.valueRange"},
		"org-2": {"Organization", `{"resourceType":"Organization","name":"x","address":[{"use":"home","city":"y"}]}`, "Organization.address[0]"},
		"org-3": {"Organization", `{"resourceType":"Organization","name":"x","telecom":[{"system":"phone","value":"1","use":"home"}]}`, "Organization.telecom[0]"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Resource([]byte(tc.body), tc.typ)
			checkIssues(t, err, []want{{fhir.IssueInvariant, tc.expr}})
		})
	}
	for name, body := range map[string]string{
		"contact point":   `{"resourceType":"Patient","telecom":[{"system":"phone","value":"555","rank":1}]}`,
		"identifier":      `{"resourceType":"Patient","identifier":[{"value":"555"}]}`,
		"timing":          obs(`"effectiveTiming":{"repeat":{"duration":1,"durationUnit":"h","count":1,"countMax":2}}`),
		"attachment":      `{"resourceType":"Patient","photo":[{"contentType":"image/png","data":"aGk="}]}`,
		"sampled data":    obs(`"valueSampledData":{"origin":{"value":0},"period":1,"dimensions":1,"data":"1 2"}`),
		"ratio":           obs(`"valueRatio":{"numerator":{"value":1},"denominator":{"value":2}}`),
		"range":           obs(`"valueRange":{"low":{"value":1},"high":{"value":5}}`),
		"reference range": obs(`"referenceRange":[{"low":{"value":5},"high":{"value":1}}]`),
	} {
		if _, err := Resource([]byte(body), ""); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Condition's status CodeableConcepts are bound (required): some coding is
// from the value set.
func TestConditionStatusBindings(t *testing.T) {
	cond := func(status string) string {
		return `{"resourceType":"Condition","subject":{"reference":"Patient/p"},"clinicalStatus":` + status + `}`
	}
	for name, cc := range map[string]string{
		"unknown code": `{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"bogus"}]}`,
		"other system": `{"coding":[{"system":"http://example.org","code":"active"}]}`,
		"text only":    `{"text":"active"}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Resource([]byte(cond(cc)), "Condition")
			checkIssues(t, err, []want{{fhir.IssueValue, "Condition.clinicalStatus"}})
		})
	}
	ok := cond(`{"coding":[{"system":"http://example.org","code":"x"},{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}],"text":"Active"}`)
	if _, err := Resource([]byte(ok), ""); err != nil {
		t.Errorf("a bound coding among others: %v", err)
	}
}

// Datatype invariants hold for elements of arrays too, not only for
// members of objects.
func TestInvariantsInArrays(t *testing.T) {
	for name, tc := range map[string]struct{ typ, body, expr string }{
		"period in an array": {"Appointment", `{"resourceType":"Appointment","status":"proposed","participant":[{"status":"accepted","actor":{"reference":"Patient/p"}}],
			"requestedPeriod":[{"start":"2021-01-02","end":"2021-01-01"}]}`, "Appointment.requestedPeriod[0]"},
		"reference in an array": {"Observation", `{"resourceType":"Observation","status":"final","code":{"text":"x"},
			"performer":[{"reference":"Practitioner/d","type":"Organization"}]}`, "Observation.performer[0]"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Resource([]byte(tc.body), tc.typ)
			checkIssues(t, err, []want{{fhir.IssueInvariant, tc.expr}})
		})
	}
}
