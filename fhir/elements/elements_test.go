package elements

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
)

// patientJSON is a stored Patient with summary and non-summary elements,
// primitive extensions, a choice, and a narrative with HTML characters.
const patientJSON = `{
  "resourceType": "Patient",
  "id": "example",
  "meta": {"versionId": "3", "lastUpdated": "2024-05-02T10:11:12.345Z",
    "tag": [{"system": "http://example.org/tags", "code": "import"}]},
  "text": {"status": "generated",
    "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Peter Chalmers &amp; family</div>"},
  "extension": [{"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex", "valueCode": "M"}],
  "identifier": [{"use": "usual", "system": "urn:oid:1.2.36.146.595.217.0.1", "value": "12345"}],
  "active": true,
  "name": [{"use": "official", "family": "Chalmers", "given": ["Peter", "James"]}],
  "telecom": [{"system": "phone", "value": "(03) 5555 6473", "use": "work", "rank": 1}],
  "gender": "male",
  "birthDate": "1974-12-25",
  "_birthDate": {"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/patient-birthTime",
    "valueDateTime": "1974-12-25T14:35:45-05:00"}]},
  "deceasedBoolean": false,
  "address": [{"use": "home", "line": ["534 Erewhon St"], "city": "PleasantVille", "postalCode": "3999"}],
  "maritalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", "code": "M"}]},
  "multipleBirthInteger": 2,
  "contact": [{"relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": "N"}]}],
    "name": {"family": "du Marché", "given": ["Bénédicte"]}, "gender": "female"}],
  "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "en"}]}, "preferred": true}],
  "generalPractitioner": [{"reference": "Practitioner/p1"}],
  "managingOrganization": {"reference": "Organization/1"}
}`

// observationJSON is a stored Observation with a decimal value whose
// precision matters, components, and no meta.
const observationJSON = `{
  "resourceType": "Observation",
  "id": "bp",
  "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">BP 107/60 &lt; normal</div>"},
  "status": "final",
  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}],
  "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}], "text": "Blood pressure"},
  "subject": {"reference": "Patient/example"},
  "effectiveDateTime": "2012-09-17",
  "valueQuantity": {"value": 72.40, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"},
  "_valueQuantity": {"id": "vq"},
  "interpretation": [{"text": "normal"}],
  "note": [{"text": "sitting"}],
  "referenceRange": [{"low": {"value": 0.1000000000000000055511151231257827}}],
  "component": [{"code": {"text": "systolic"}, "valueQuantity": {"value": 107, "unit": "mmHg"}}]
}`

// lookup returns the registry's type of the given name.
func lookup(t testing.TB, name string) *fhir.ResourceType {
	t.Helper()
	rt, ok := fhir.LookupType(name)
	if !ok {
		t.Fatalf("no type %s", name)
	}
	return rt
}

// keysOf returns the top-level keys of the JSON object data, in order.
func keysOf(t *testing.T, data []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", data)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// subsettedCount returns how many meta.tag codings of the resource are the
// SUBSETTED one, and all its tag codes.
func subsettedCount(t *testing.T, data []byte) (int, []string) {
	t.Helper()
	var r struct {
		Meta struct {
			Tag []struct{ System, Code string }
		}
	}
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	n := 0
	var codes []string
	for _, c := range r.Meta.Tag {
		codes = append(codes, c.Code)
		if c.System == SubsettedSystem && c.Code == SubsettedCode {
			n++
		}
	}
	return n, codes
}

func TestFilter(t *testing.T) {
	cases := []struct {
		name string
		typ  string
		in   string
		do   func(*fhir.ResourceType, []byte) ([]byte, error)
		keys []string
		// tagged is whether the output carries SUBSETTED; untagged output
		// must be the input itself.
		tagged bool
	}{
		{
			name: "patient summary true",
			typ:  "Patient", in: patientJSON,
			do:     summaryMode(ModeTrue),
			keys:   []string{"resourceType", "id", "meta", "identifier", "active", "name", "telecom", "gender", "birthDate", "_birthDate", "deceasedBoolean", "address", "managingOrganization"},
			tagged: true,
		},
		{
			name: "patient summary text",
			typ:  "Patient", in: patientJSON,
			do:     summaryMode(ModeText),
			keys:   []string{"resourceType", "id", "meta", "text"},
			tagged: true,
		},
		{
			name: "patient summary data",
			typ:  "Patient", in: patientJSON,
			do: summaryMode(ModeData),
			keys: []string{"resourceType", "id", "meta", "extension", "identifier", "active", "name", "telecom", "gender",
				"birthDate", "_birthDate", "deceasedBoolean", "address", "maritalStatus", "multipleBirthInteger", "contact",
				"communication", "generalPractitioner", "managingOrganization"},
			tagged: true,
		},
		{
			name: "patient elements",
			typ:  "Patient", in: patientJSON,
			do:     elementsOf("birthDate", "multipleBirth", "name.family", "nope", "Patient.gender", ""),
			keys:   []string{"resourceType", "id", "meta", "birthDate", "_birthDate", "multipleBirthInteger"},
			tagged: true,
		},
		{
			name: "patient elements of everything",
			typ:  "Patient", in: patientJSON,
			do: elementsOf("text", "extension", "identifier", "active", "name", "telecom", "gender", "birthDate",
				"deceased", "address", "maritalStatus", "multipleBirth", "contact", "communication",
				"generalPractitioner", "managingOrganization"),
			keys: keysOf(t, []byte(patientJSON)),
		},
		{
			name: "observation summary true",
			typ:  "Observation", in: observationJSON,
			do:     summaryMode(ModeTrue),
			keys:   []string{"resourceType", "id", "meta", "status", "code", "subject", "effectiveDateTime", "valueQuantity", "_valueQuantity", "component"},
			tagged: true,
		},
		{
			name: "observation summary text keeps mandatory",
			typ:  "Observation", in: observationJSON,
			do:     summaryMode(ModeText),
			keys:   []string{"resourceType", "id", "meta", "text", "status", "code"},
			tagged: true,
		},
		{
			name: "observation elements value",
			typ:  "Observation", in: observationJSON,
			do:     elementsOf("value", "note"),
			keys:   []string{"resourceType", "id", "meta", "status", "code", "valueQuantity", "_valueQuantity", "note"},
			tagged: true,
		},
		{
			name: "observation elements none",
			typ:  "Observation", in: observationJSON,
			do:     elementsOf(),
			keys:   []string{"resourceType", "id", "meta", "status", "code"},
			tagged: true,
		},
		{
			name: "data without text removes nothing",
			typ:  "Observation", in: `{"resourceType":"Observation","id":"x","status":"final","code":{"text":"c"}}`,
			do:   summaryMode(ModeData),
			keys: []string{"resourceType", "id", "status", "code"},
		},
		{
			name: "encounter status is no choice of statusHistory",
			typ:  "Encounter",
			in: `{"resourceType":"Encounter","id":"e","status":"finished","statusHistory":[{"status":"arrived"}],
				"class":{"code":"AMB"},"classHistory":[{"class":{"code":"EMER"}}]}`,
			do:     elementsOf("status"),
			keys:   []string{"resourceType", "id", "meta", "status", "class"},
			tagged: true,
		},
		{
			name: "appointment service is no choice of serviceType",
			typ:  "Appointment",
			in: `{"resourceType":"Appointment","id":"a","status":"booked","serviceType":[{"text":"x"}],
				"participant":[{"status":"accepted"}]}`,
			do:     elementsOf("service"),
			keys:   []string{"resourceType", "id", "meta", "status", "participant"},
			tagged: true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := []byte(c.in)
			out, err := c.do(lookup(t, c.typ), in)
			if err != nil {
				t.Fatal(err)
			}
			if got := keysOf(t, out); !slices.Equal(got, c.keys) {
				t.Errorf("keys = %v\nwant   %v", got, c.keys)
			}
			n, _ := subsettedCount(t, out)
			switch {
			case c.tagged && n != 1:
				t.Errorf("SUBSETTED %d times in %s", n, out)
			case !c.tagged && (n != 0 || !bytes.Equal(out, in)):
				t.Errorf("nothing removed, but output differs from input: %s", out)
			}
		})
	}
}

// summaryMode returns a call of Summary in the given mode.
func summaryMode(mode string) func(*fhir.ResourceType, []byte) ([]byte, error) {
	return func(t *fhir.ResourceType, raw []byte) ([]byte, error) { return Summary(t, raw, mode) }
}

// elementsOf returns a call of Elements with the given names.
func elementsOf(names ...string) func(*fhir.ResourceType, []byte) ([]byte, error) {
	return func(t *fhir.ResourceType, raw []byte) ([]byte, error) { return Elements(t, raw, names) }
}

func TestMetaTag(t *testing.T) {
	patient := lookup(t, "Patient")
	out, err := Summary(patient, []byte(patientJSON), ModeTrue)
	if err != nil {
		t.Fatal(err)
	}
	// The existing tag and the other meta members stay, in order.
	want := `"meta":{"versionId":"3","lastUpdated":"2024-05-02T10:11:12.345Z","tag":[` +
		`{"system":"http://example.org/tags","code":"import"},` + subsettedCoding + `]}`
	if !bytes.Contains(out, []byte(want)) {
		t.Errorf("meta not as expected:\n%s\nwant %s", out, want)
	}
	// Filtering again removes nothing more, and an already tagged resource
	// is not tagged twice.
	again, err := Elements(patient, out, []string{"name"})
	if err != nil {
		t.Fatal(err)
	}
	if n, codes := subsettedCount(t, again); n != 1 || !slices.Equal(codes, []string{"import", "SUBSETTED"}) {
		t.Errorf("tags after a second filter = %v: %s", codes, again)
	}

	cases := map[string]string{
		"no meta":  `{"resourceType":"Patient","id":"p","gender":"male","contact":[]}`,
		"no tag":   `{"resourceType":"Patient","id":"p","meta":{"versionId":"1"},"contact":[]}`,
		"null tag": `{"resourceType":"Patient","id":"p","meta":{"tag":null},"contact":[]}`,
		"meta before id": `{"resourceType":"Patient","meta":{"tag":[{"system":"` + SubsettedSystem + `","code":"SUBSETTED"}]},` +
			`"id":"p","contact":[]}`,
	}
	wantOut := map[string]string{
		"no meta":        `{"resourceType":"Patient","id":"p","meta":{"tag":[` + subsettedCoding + `]},"gender":"male"}`,
		"no tag":         `{"resourceType":"Patient","id":"p","meta":{"versionId":"1","tag":[` + subsettedCoding + `]}}`,
		"null tag":       `{"resourceType":"Patient","id":"p","meta":{"tag":[` + subsettedCoding + `]}}`,
		"meta before id": `{"resourceType":"Patient","meta":{"tag":[` + subsettedCoding + `]},"id":"p"}`,
	}
	for name, in := range cases {
		out, err := Summary(patient, []byte(in), ModeTrue)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if string(out) != wantOut[name] {
			t.Errorf("%s:\n got %s\nwant %s", name, out, wantOut[name])
		}
	}
}

func TestValuesKeptVerbatim(t *testing.T) {
	obs := lookup(t, "Observation")
	out, err := Summary(obs, []byte(observationJSON), ModeText)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`<div xmlns=\"http://www.w3.org/1999/xhtml\">BP 107/60 &lt; normal</div>`)) {
		t.Errorf("narrative escaped or altered: %s", out)
	}
	out, err = Summary(obs, []byte(observationJSON), ModeData)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"value":72.40,`, `"value":0.1000000000000000055511151231257827}`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks %s: %s", want, out)
		}
	}
	if bytes.ContainsAny(out, "\n\t") || bytes.Contains(out, []byte(": ")) {
		t.Errorf("output not compact: %s", out)
	}
	if !json.Valid(out) {
		t.Errorf("output not valid JSON: %s", out)
	}
	patient := lookup(t, "Patient")
	out, err = Summary(patient, []byte(patientJSON), ModeData)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`"family":"du Marché","given":["Bénédicte"]`)) {
		t.Errorf("non-ASCII text altered: %s", out)
	}
	out, err = Elements(patient, []byte(`{"resourceType":"Patient","id":"p","a<b":1,"gender":"male"}`), []string{"a<b"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"resourceType":"Patient","id":"p","meta":{"tag":[` + subsettedCoding + `]},"a<b":1}`; string(out) != want {
		t.Errorf("got %s, want %s", out, want)
	}
}

func TestErrors(t *testing.T) {
	patient := lookup(t, "Patient")
	if _, err := Summary(patient, []byte(patientJSON), "count"); !errors.Is(err, ErrMode) {
		t.Errorf("mode count: err = %v, want ErrMode", err)
	}
	if _, err := Summary(patient, []byte(patientJSON), "false"); !errors.Is(err, ErrMode) {
		t.Errorf("mode false: err = %v, want ErrMode", err)
	}
	if _, err := Summary(nil, []byte(patientJSON), ModeTrue); err == nil {
		t.Error("nil type accepted")
	}
	if _, err := Elements(nil, []byte(patientJSON), nil); err == nil {
		t.Error("nil type accepted")
	}
	bad := map[string]string{
		"empty":          ``,
		"array":          `[]`,
		"string":         `"Patient"`,
		"truncated":      `{"resourceType":"Patient","id":"p"`,
		"trailing":       `{"resourceType":"Patient","id":"p"} {}`,
		"trailing comma": `{"resourceType":"Patient","id":"p",}`,
		"bad value":      `{"resourceType":"Patient","id":p}`,
		"no type":        `{"id":"p","contact":[]}`,
		"other type":     `{"resourceType":"Observation","id":"p","contact":[]}`,
		"type not text":  `{"resourceType":1,"id":"p","contact":[]}`,
		"meta array":     `{"resourceType":"Patient","meta":[],"contact":[]}`,
		"meta null":      `{"resourceType":"Patient","meta":null,"contact":[]}`,
		"tag object":     `{"resourceType":"Patient","meta":{"tag":{}},"contact":[]}`,
		"tag of strings": `{"resourceType":"Patient","meta":{"tag":["x"]},"contact":[]}`,
	}
	for name, in := range bad {
		if out, err := Summary(patient, []byte(in), ModeTrue); err == nil {
			t.Errorf("%s: accepted, got %s", name, out)
		} else if !strings.HasPrefix(err.Error(), "elements: ") {
			t.Errorf("%s: error %q lacks the package prefix", name, err)
		}
	}
}

func TestMatchAny(t *testing.T) {
	names := []string{"value[x]", "birthDate", "", "status", "form"}
	for _, key := range []string{"valueQuantity", "_valueString", "valueDateTime", "birthDate", "_birthDate", "status", "form"} {
		if !matchAny(key, names) {
			t.Errorf("%q does not match %v", key, names)
		}
	}
	// formCode is an element of its own (ClaimResponse.formCode beside
	// form), not a choice key of form.
	for _, key := range []string{"", "_", "val", "value", "valueSet", "valuequantity", "value_", "statusHistory", "__status", "text", "formCode"} {
		if matchAny(key, names) {
			t.Errorf("%q matches %v", key, names)
		}
	}
}

// An _elements name asks for a choice by its base name.
func TestMatchRequested(t *testing.T) {
	for _, key := range []string{"valueQuantity", "_valueString", "status"} {
		if !matchRequested(key, []string{"value", "status"}) {
			t.Errorf("%q does not match", key)
		}
	}
	if matchRequested("valueSet", []string{"value"}) {
		t.Error("valueSet matches value")
	}
}

// FuzzSummary checks that any input either fails or gives a valid JSON
// object keeping resourceType.
func FuzzSummary(f *testing.F) {
	f.Add([]byte(patientJSON), "true")
	f.Add([]byte(observationJSON), "text")
	f.Add([]byte(`{"resourceType":"Patient","meta":{"tag":[{}]},"_":1,"a":"\u2028<"}`), "data")
	patient := lookup(f, "Patient")
	f.Fuzz(func(t *testing.T, raw []byte, mode string) {
		out, err := Summary(patient, raw, mode)
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("invalid output %q from %q", out, raw)
		}
		if keys := keysOf(t, out); !slices.Contains(keys, "resourceType") {
			t.Fatalf("output %s lost resourceType", out)
		}
	})
}

func BenchmarkSummaryPatient(b *testing.B) {
	patient := lookup(b, "Patient")
	raw := []byte(patientJSON)
	for _, mode := range []string{ModeTrue, ModeText, ModeData} {
		b.Run(mode, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Summary(patient, raw, mode); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkElementsPatient(b *testing.B) {
	patient := lookup(b, "Patient")
	raw := []byte(patientJSON)
	names := []string{"name", "birthDate", "deceased"}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Elements(patient, raw, names); err != nil {
			b.Fatal(err)
		}
	}
}
