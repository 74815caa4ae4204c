package index

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/fhirbase-go/fhird/fhir"
)

// load decodes a testdata resource the way the server does, with UseNumber.
func load(t testing.TB, name string) (*fhir.ResourceType, map[string]any) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	res, err := decodeJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	rt, ok := fhir.LookupType(res["resourceType"].(string))
	if !ok {
		t.Fatalf("type %v not in the registry", res["resourceType"])
	}
	return rt, res
}

func decodeJSON(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	err := d.Decode(&m)
	return m, err
}

func extractFile(t *testing.T, name string) Rows {
	t.Helper()
	rt, res := load(t, name)
	rows, err := Extract(rt, res)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func utc(s string) time.Time {
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return v
}

func stringsOf(r Rows, param string) []String {
	var out []String
	for _, s := range r.Strings {
		if s.Hash == ParamHash(param) {
			out = append(out, String{Norm: s.Norm, Exact: s.Exact})
		}
	}
	return out
}

func refsOf(r Rows, param string) []Ref {
	var out []Ref
	for _, s := range r.Refs {
		if s.Hash == ParamHash(param) {
			out = append(out, Ref{TargetType: s.TargetType, TargetID: s.TargetID})
		}
	}
	return out
}

func datesOf(r Rows, hash int64) []Date {
	var out []Date
	for _, d := range r.Dates {
		if d.Hash == hash {
			out = append(out, Date{Lo: d.Lo, Hi: d.Hi})
		}
	}
	return out
}

func numbersOf(r Rows, hash int64) []float64 {
	var out []float64
	for _, n := range r.Numbers {
		if n.Hash == hash {
			out = append(out, n.Value)
		}
	}
	return out
}

// checkTokens asserts which token hashes are present and absent.
func checkTokens(t *testing.T, r Rows, present, absent map[string]int64) {
	t.Helper()
	for name, h := range present {
		if _, ok := slices.BinarySearch(r.Tokens, h); !ok {
			t.Errorf("token %s missing", name)
		}
	}
	for name, h := range absent {
		if _, ok := slices.BinarySearch(r.Tokens, h); ok {
			t.Errorf("token %s present", name)
		}
	}
}

func TestExtractPatient(t *testing.T) {
	r := extractFile(t, "patient.json")
	mrn := "urn:oid:1.2.36.146.595.217.0.1"
	checkTokens(t, r, map[string]int64{
		"identifier 12345":         TokenAny("identifier", "12345"),
		"identifier sys|12345":     TokenSystemCode("identifier", mrn, "12345"),
		"identifier sys|":          TokenSystem("identifier", mrn),
		"identifier |X-9":          TokenNoSystem("identifier", "X-9"),
		"identifier X-9":           TokenAny("identifier", "X-9"),
		"identifier:of-type":       TokenOfType("identifier", "http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "12345"),
		"telecom phone":            TokenAny("telecom", "+34 555 1234"),
		"telecom |email":           TokenNoSystem("telecom", "jose@example.org"),
		"email":                    TokenAny("email", "jose@example.org"),
		"phone":                    TokenAny("phone", "+34 555 1234"),
		"gender male":              TokenAny("gender", "male"),
		"gender |male":             TokenNoSystem("gender", "male"),
		"active true":              TokenAny("active", "true"),
		"deceased false":           TokenAny("deceased", "false"),
		"_tag":                     TokenSystemCode("_tag", "http://example.org/tags", "vip"),
		"gp:identifier":            TokenSystemCode("general-practitioner:identifier", "http://npi", "999"),
		"present name":             Present("name"),
		"present birthdate":        Present("birthdate"),
		"present general-practit.": Present("general-practitioner"),
		"present deceased":         Present("deceased"),
	}, map[string]int64{
		"identifier |12345":   TokenNoSystem("identifier", "12345"),
		"email phone":         TokenAny("email", "+34 555 1234"),
		"phone email":         TokenAny("phone", "jose@example.org"),
		"gender Male":         TokenAny("gender", "Male"),
		"deceased true":       TokenAny("deceased", "true"),
		"telecom phone|value": TokenSystemCode("telecom", "phone", "+34 555 1234"),
		"present death-date":  Present("death-date"),
		"present link":        Present("link"),
	})
	assertEqual(t, "given", stringsOf(r, "given"), []String{{Norm: "jose", Exact: "José"}, {Norm: "luis", Exact: "Luis"}})
	assertEqual(t, "family", stringsOf(r, "family"), []String{{Norm: "garcia", Exact: "García"}})
	assertEqual(t, "name", stringsOf(r, "name"), []String{
		{Norm: "dr", Exact: "Dr."}, {Norm: "garcia", Exact: "García"}, {Norm: "jose", Exact: "José"},
		{Norm: "luis", Exact: "Luis"}, {Norm: "pepe garcia", Exact: "Pepe  Garcia"},
	})
	assertEqual(t, "address-city", stringsOf(r, "address-city"), []String{{Norm: "malaga", Exact: "Málaga"}})
	assertEqual(t, "identifier:text", stringsOf(r, "identifier:text"),
		[]String{{Norm: "medical record number", Exact: "Medical Record Number"}})
	assertEqual(t, "_tag:text", stringsOf(r, "_tag:text"), []String{{Norm: "very important", Exact: "Very important"}})
	profile := "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"
	assertEqual(t, "_profile", stringsOf(r, "_profile"), []String{{Norm: profile, Exact: profile}})
	assertEqual(t, "general-practitioner", refsOf(r, "general-practitioner"), []Ref{
		{TargetID: "https://other.example.org/fhir/Organization/o5"},
		{TargetType: "Practitioner", TargetID: "dr-1"},
	})
	assertEqual(t, "organization", refsOf(r, "organization"),
		[]Ref{{TargetID: "urn:uuid:8f2c2e9e-0000-4000-8000-000000000001"}})
	assertEqual(t, "birthdate", datesOf(r, ParamHash("birthdate")),
		[]Date{{Lo: utc("1974-01-01T00:00:00Z"), Hi: utc("1974-12-31T23:59:59.999999Z")}})
	// A primitive token is its own text, which _sort uses.
	assertEqual(t, "gender:text", stringsOf(r, "gender:text"), []String{{Norm: "male", Exact: "male"}})
	// _id and _lastUpdated are read from the resource table, not indexed.
	if got := datesOf(r, ParamHash("_lastUpdated")); len(got) != 0 {
		t.Errorf("_lastUpdated indexed: %v", got)
	}
	if _, ok := slices.BinarySearch(r.Tokens, TokenAny("_id", "p1")); ok {
		t.Error("_id indexed")
	}
}

func TestExtractDeceasedDateTime(t *testing.T) {
	rt, res := load(t, "patient.json")
	delete(res, "deceasedBoolean")
	res["deceasedDateTime"] = "2023-02-03T04:05:06+01:00"
	r, err := Extract(rt, res)
	if err != nil {
		t.Fatal(err)
	}
	checkTokens(t, r, map[string]int64{"deceased true": TokenAny("deceased", "true")},
		map[string]int64{"deceased false": TokenAny("deceased", "false")})
	assertEqual(t, "death-date", datesOf(r, ParamHash("death-date")),
		[]Date{{Lo: utc("2023-02-03T03:05:06Z"), Hi: utc("2023-02-03T03:05:06.999999Z")}})
}

func TestExtractObservation(t *testing.T) {
	r := extractFile(t, "observation-glucose.json")
	ucum := "http://unitsofmeasure.org"
	assertEqual(t, "value-quantity", r.numbers(map[string]int64{
		"ucum|mg/dL": QuantityHash("value-quantity", ucum, "mg/dL"),
		"|mg/dL":     QuantityHash("value-quantity", "", "mg/dL"),
		"any":        QuantityHash("value-quantity", "", ""),
	}), map[string][]float64{"ucum|mg/dL": {5.4}, "|mg/dL": {5.4}, "any": {5.4}})
	n := 0
	for _, x := range r.Numbers {
		if x.Value == 5.4 {
			n++
		}
	}
	// Only value-quantity's 3 unit forms: combo-value-quantity is a union
	// (of value-quantity and component-value-quantity), code-value-quantity
	// a conjunction (of code and value-quantity) and combo-code-value-quantity
	// a union of composites, none with rows of its own.
	if n != 3 {
		t.Errorf("%d number rows with the value, want 3", n)
	}
	loinc := TokenForm{Kind: FormSystemCode, System: "http://loinc.org", Code: "2339-0"}
	assertEqual(t, "code-value-quantity", numbersOf(r, CompositeTokenQuantity("code-value-quantity", loinc, ucum, "mg/dL")), []float64(nil))
	assertEqual(t, "date", datesOf(r, ParamHash("date")), []Date{{Lo: utc("2021-03-04T09:00:00Z"), Hi: MaxTime}})
	assertEqual(t, "subject", refsOf(r, "subject"), []Ref{{TargetType: "Patient", TargetID: "123"}})
	assertEqual(t, "patient", refsOf(r, "patient"), []Ref{{TargetType: "Patient", TargetID: "123"}})
	assertEqual(t, "code:text", stringsOf(r, "code:text"), []String{
		{Norm: "glucose", Exact: "Glucose"}, {Norm: "glucose massvolume in blood", Exact: "Glucose [Mass/volume] in Blood"}})
	checkTokens(t, r, map[string]int64{
		"code loinc|2339-0": TokenSystemCode("code", "http://loinc.org", "2339-0"),
		"status":            TokenAny("status", "final"),
		"present patient":   Present("patient"),
	}, map[string]int64{
		"present component-code": Present("component-code"),
		"combo-code":             TokenAny("combo-code", "2339-0"),
		"present combo-code":     Present("combo-code"),
	})
}

func TestExtractBloodPressure(t *testing.T) {
	r := extractFile(t, "observation-bp.json")
	sys := TokenForm{Kind: FormSystemCode, System: "http://loinc.org", Code: "8480-6"}
	dia := TokenForm{Kind: FormAny, Code: "8462-4"}
	ccvq := "component-code-value-quantity"
	assertEqual(t, "systolic", numbersOf(r, CompositeTokenQuantity(ccvq, sys, "http://unitsofmeasure.org", "mm[Hg]")), []float64{120})
	assertEqual(t, "systolic mmHg", numbersOf(r, CompositeTokenQuantity(ccvq, sys, "", "mmHg")), []float64{120})
	assertEqual(t, "diastolic", numbersOf(r, CompositeTokenQuantity(ccvq, dia, "", "")), []float64{80})
	assertEqual(t, "combo diastolic", numbersOf(r, CompositeTokenQuantity("combo-code-value-quantity", dia, "", "")), []float64(nil))
	assertEqual(t, "component-value-quantity", numbersOf(r, QuantityHash("component-value-quantity", "", "mm[Hg]")), []float64{80, 120})
	// The subject is a Group: "patient" (subject.where(resolve() is
	// Patient)) must not index it.
	assertEqual(t, "subject", refsOf(r, "subject"), []Ref{{TargetType: "Group", TargetID: "1"}})
	assertEqual(t, "patient", refsOf(r, "patient"), []Ref(nil))
	checkTokens(t, r, map[string]int64{"component-code": TokenAny("component-code", "8480-6")},
		map[string]int64{"present patient": Present("patient"), "present value-quantity": Present("value-quantity")})
	assertEqual(t, "date", datesOf(r, ParamHash("date")),
		[]Date{{Lo: utc("2021-03-04T00:00:00Z"), Hi: utc("2021-03-04T23:59:59.999999Z")}})
}

func TestExtractEncounter(t *testing.T) {
	r := extractFile(t, "encounter.json")
	assertEqual(t, "date", datesOf(r, ParamHash("date")),
		[]Date{{Lo: utc("2020-05-01T00:00:00Z"), Hi: utc("2020-05-03T12:00:00.999999Z")}})
	assertEqual(t, "location-period", datesOf(r, ParamHash("location-period")),
		[]Date{{Lo: MinTime, Hi: utc("2020-05-02T23:59:59.999999Z")}})
	assertEqual(t, "practitioner", refsOf(r, "practitioner"), []Ref{{TargetType: "Practitioner", TargetID: "dr-1"}})
	assertEqual(t, "participant", refsOf(r, "participant"), []Ref{
		{TargetType: "Practitioner", TargetID: "dr-1"}, {TargetType: "RelatedPerson", TargetID: "r1"}})
	assertEqual(t, "length", numbersOf(r, QuantityHash("length", "", "days")), []float64{2.5})
	assertEqual(t, "type:text", stringsOf(r, "type:text"), []String{{Norm: "checkup", Exact: "Check-up"}})
	checkTokens(t, r, map[string]int64{
		"class": TokenSystemCode("class", "http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB"),
		// A CodeableConcept with only a text is a value for :missing.
		"present type": Present("type"),
	}, map[string]int64{"present diagnosis": Present("diagnosis")})
}

func TestExtractGroupComposite(t *testing.T) {
	r := extractFile(t, "group.json")
	snomed := TokenForm{Kind: FormSystemCode, System: "http://snomed.info/sct", Code: "263495000"}
	checkTokens(t, r, map[string]int64{
		"characteristic-value": CompositeTokenToken("characteristic-value", snomed, TokenForm{Kind: FormAny, Code: "true"}),
		"value true":           TokenAny("value", "true"),
		"actual":               TokenAny("actual", "true"),
		"exclude":              TokenNoSystem("exclude", "false"),
	}, map[string]int64{
		"characteristic-value false": CompositeTokenToken("characteristic-value", snomed, TokenForm{Kind: FormAny, Code: "false"}),
	})
}

func TestExtractCompositeDateString(t *testing.T) {
	rt, res := load(t, "observation-glucose.json")
	delete(res, "valueQuantity")
	res["valueDateTime"] = "2022-01-02"
	r, err := Extract(rt, res)
	if err != nil {
		t.Fatal(err)
	}
	loinc := TokenForm{Kind: FormSystem, System: "http://loinc.org"}
	// code-value-date is the conjunction of code and value-date.
	assertEqual(t, "code-value-date", datesOf(r, CompositeTokenDate("code-value-date", loinc)), []Date(nil))
	assertEqual(t, "value-date", datesOf(r, ParamHash("value-date")),
		[]Date{{Lo: utc("2022-01-02T00:00:00Z"), Hi: utc("2022-01-02T23:59:59.999999Z")}})
	delete(res, "valueDateTime")
	res["valueString"] = "Très  Élevé"
	if r, err = Extract(rt, res); err != nil {
		t.Fatal(err)
	}
	var got []String
	for _, s := range r.Strings {
		if s.Hash == CompositeTokenString("code-value-string", loinc) {
			got = append(got, String{Norm: s.Norm, Exact: s.Exact})
		}
	}
	assertEqual(t, "code-value-string", got, []String{{Norm: "tres eleve", Exact: "Très  Élevé"}})
	assertEqual(t, "value-string", stringsOf(r, "value-string"), []String{{Norm: "tres eleve", Exact: "Très  Élevé"}})
}

func TestExtractErrors(t *testing.T) {
	rt, res := load(t, "patient.json")
	res["birthDate"] = "1974-13"
	if _, err := Extract(rt, res); err == nil {
		t.Error("invalid birthDate accepted")
	}
	obs, _ := fhir.LookupType("Observation")
	if _, err := Extract(obs, map[string]any{"resourceType": "Patient"}); err == nil {
		t.Error("a Patient extracted as an Observation")
	}
	if _, err := Extract(nil, nil); err == nil {
		t.Error("nil accepted")
	}
	bad := &fhir.ResourceType{Name: "Patient", Params: []fhir.SearchParam{{Code: "x", Type: fhir.ParamToken, Expression: "Patient.name.memberOf('http://x')"}}}
	if _, err := Extract(bad, map[string]any{"resourceType": "Patient"}); err == nil {
		t.Error("an uncompilable expression was ignored")
	}
}

// TestExtractRegistry extracts a minimal resource of every stored type,
// which compiles every parameter and composite of the registry.
func TestExtractRegistry(t *testing.T) {
	for _, rt := range fhir.Types() {
		r, err := Extract(rt, map[string]any{"resourceType": rt.Name, "id": "x"})
		if err != nil {
			t.Errorf("%s: %v", rt.Name, err)
			continue
		}
		if len(r.Tokens) != 0 && rt.Name != "Patient" { // Patient's deceased is false when absent
			t.Errorf("%s: tokens %v", rt.Name, r.Tokens)
		}
	}
}

func sortedTokens(h ...int64) []int64 {
	slices.Sort(h)
	return h
}

// numbers returns the values of the number rows with each named hash.
func (r Rows) numbers(hashes map[string]int64) map[string][]float64 {
	out := map[string][]float64{}
	for name, h := range hashes {
		out[name] = numbersOf(r, h)
	}
	return out
}

func assertEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// FuzzExtract feeds arbitrary JSON to Extract under every stored type:
// whatever the tree, Extract returns rows or an error and never panics.
func FuzzExtract(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	full, _ := filepath.Glob("testdata/full/*.json")
	for _, name := range append(files, full...) {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"name": [{"given": [1, null, {"x": []}]}], "birthDate": "2020-02-30"}`))
	f.Add([]byte(`{"valueQuantity": {"value": 1e999}, "component": [{"code": "x", "valueString": 5}]}`))
	f.Add([]byte(`{"subject": {"reference": "Patient/1/_history/"}, "effectiveTiming": {"event": ["2020"], "repeat": {"boundsPeriod": {"end": "2021-01"}}}}`))
	f.Add([]byte(`{"meta": {"lastUpdated": ["2020"]}, "characteristic": {"valueCodeableConcept": {"coding": "no"}}}`))
	types := fhir.Types()
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := decodeJSON(data)
		if err != nil || res == nil {
			return
		}
		for _, rt := range types {
			res["resourceType"] = rt.Name
			rows, err := Extract(rt, res)
			if err != nil {
				continue
			}
			for i := 1; i < len(rows.Tokens); i++ {
				if rows.Tokens[i-1] >= rows.Tokens[i] {
					t.Fatalf("%s: tokens not sorted and unique", rt.Name)
				}
			}
			for _, d := range rows.Dates {
				if d.Lo.Before(MinTime) || d.Hi.After(MaxTime) {
					t.Fatalf("%s: date out of bounds %v", rt.Name, d)
				}
			}
		}
	})
}

// BenchmarkExtract measures the extraction of a Patient and an Observation
// (with the compiled expressions cached).
func BenchmarkExtract(b *testing.B) {
	for _, name := range []string{"patient.json", "observation-glucose.json", "observation-bp.json"} {
		rt, res := load(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Extract(rt, res); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkExtractParallel measures concurrent extraction.
func BenchmarkExtractParallel(b *testing.B) {
	rt, res := load(b, "patient.json")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := Extract(rt, res); err != nil {
				b.Error(err)
			}
		}
	})
}

// TestExtractCoverage extracts the fixtures in testdata/full, which fill
// every search parameter of the eleven types the server stored first
// between them, and checks that each indexed parameter yields a value (its
// Present token): this catches expressions that compile but read nothing,
// or values whose type the extractor does not recognize. The other types
// are covered by the official examples (server's corpus test).
func TestExtractCoverage(t *testing.T) {
	files, _ := filepath.Glob("testdata/full/*.json")
	present := map[string]map[int64]bool{}
	for _, name := range files {
		rt, res := load(t, "full/"+filepath.Base(name))
		r, err := Extract(rt, res)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if present[rt.Name] == nil {
			present[rt.Name] = map[int64]bool{}
		}
		for _, h := range r.Tokens {
			present[rt.Name][h] = true
		}
	}
	if len(present) < 11 {
		t.Errorf("fixtures of %d types, want the 11 first types", len(present))
	}
	for _, rt := range fhir.Types() {
		if present[rt.Name] == nil {
			continue
		}
		for _, p := range rt.Params {
			derived := ShapeOf(rt, p.Code).Derived()
			if p.Type != fhir.ParamSpecial && p.Expression != "" && !onMainTable(p.Code) && !derived && !present[rt.Name][Present(p.Code)] {
				t.Errorf("%s %s (%s): no value", rt.Name, p.Code, p.Expression)
			}
		}
	}
}

// TestExtractConcurrent runs Extract from several goroutines on a type
// that has not been compiled yet (run it with -race): every result equals
// the sequential one.
func TestExtractConcurrent(t *testing.T) {
	base, res := load(t, "observation-bp.json")
	rt := *base // a fresh pointer, so compilation happens under contention
	want, err := Extract(base, res)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for range 20 {
				got, err := Extract(&rt, res)
				if err == nil && !reflect.DeepEqual(got, want) {
					err = errors.New("rows differ")
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// Under a base, an absolute reference below it is the relative reference
// (a version dropped); one elsewhere, and every one without a base, stays
// the URL.
func TestExtractUnderBase(t *testing.T) {
	obs, _ := fhir.LookupType("Observation")
	res := func() map[string]any {
		return map[string]any{"resourceType": "Observation", "id": "o", "status": "final", "code": map[string]any{"text": "x"},
			"subject":   map[string]any{"reference": "http://fhir.test/fhir/Patient/p3/_history/2"},
			"performer": []any{map[string]any{"reference": "http://other.test/fhir/Practitioner/d1"}, map[string]any{"reference": "http://fhir.test/fhirx/Practitioner/d2"}}}
	}
	r, err := ExtractUnder(obs, res(), "http://fhir.test/fhir/")
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "subject", refsOf(r, "subject"), []Ref{{TargetType: "Patient", TargetID: "p3"}})
	assertEqual(t, "performer", refsOf(r, "performer"), []Ref{{TargetID: "http://fhir.test/fhirx/Practitioner/d2"}, {TargetID: "http://other.test/fhir/Practitioner/d1"}})
	r, err = Extract(obs, res())
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "subject without a base", refsOf(r, "subject"), []Ref{{TargetID: "http://fhir.test/fhir/Patient/p3"}})
}

// TestExtractDateChoiceString: a date parameter whose expression reaches a
// choice of string type (Immunization.occurrence[x] is a dateTime or a
// string) indexes the dateTime and skips the string, which is no date
// (the official example Immunization-historical has "January 2012").
func TestExtractDateChoiceString(t *testing.T) {
	rt, _ := fhir.LookupType("Immunization")
	res := map[string]any{"resourceType": "Immunization", "id": "i1", "status": "completed",
		"vaccineCode": map[string]any{"text": "DTP"}, "patient": map[string]any{"reference": "Patient/p1"},
		"occurrenceString": "January 2012"}
	r, err := Extract(rt, res)
	if err != nil {
		t.Fatalf("occurrenceString: %v", err)
	}
	assertEqual(t, "date", datesOf(r, ParamHash("date")), []Date(nil))
	delete(res, "occurrenceString")
	res["occurrenceDateTime"] = "2012-01"
	if r, err = Extract(rt, res); err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "date", datesOf(r, ParamHash("date")),
		[]Date{{Lo: utc("2012-01-01T00:00:00Z"), Hi: utc("2012-01-31T23:59:59.999999Z")}})
}
