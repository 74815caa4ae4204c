package fhir

import (
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
)

// mustType returns the named type or stops the test.
func mustType(t *testing.T, name string) *ResourceType {
	t.Helper()
	rt, ok := LookupType(name)
	if !ok {
		t.Fatalf("LookupType(%q) failed", name)
	}
	return rt
}

// mustParam returns the named parameter of rt or stops the test.
func mustParam(t *testing.T, rt *ResourceType, code string) *SearchParam {
	t.Helper()
	p, ok := rt.Param(code)
	if !ok {
		t.Fatalf("%s has no search parameter %q", rt.Name, code)
	}
	return p
}

// The registry holds the types of resourcetypes.txt: every concrete R4
// resource type but Parameters, 145 of them.
func TestTypesAreTheConfiguredOnes(t *testing.T) {
	src, err := os.ReadFile("resourcetypes.txt")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, line := range strings.Split(string(src), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			want = append(want, line)
		}
	}
	if len(want) != 145 || slices.Contains(want, "Parameters") {
		t.Errorf("resourcetypes.txt lists %d types (Parameters: %v), want the 145 of R4 but Parameters", len(want), slices.Contains(want, "Parameters"))
	}
	for _, name := range []string{"MedicationRequest", "AllergyIntolerance", "RiskAssessment", "Binary", "Bundle", "VisionPrescription"} {
		if _, ok := LookupType(name); !ok {
			t.Errorf("%s is not a type", name)
		}
	}
	var got []string
	for _, rt := range Types() {
		got = append(got, rt.Name)
		if rt.Table != strings.ToLower(rt.Name) {
			t.Errorf("%s: Table = %q, want %q", rt.Name, rt.Table, strings.ToLower(rt.Name))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("Types() = %v, want %v", got, want)
	}
}

func TestPatientParams(t *testing.T) {
	patient := mustType(t, "Patient")
	cases := []struct {
		code string
		typ  ParamType
		expr string
	}{
		{"_id", ParamToken, "Patient.id"},
		{"_lastUpdated", ParamDate, "Patient.meta.lastUpdated"},
		{"name", ParamString, "Patient.name"},
		{"identifier", ParamToken, "Patient.identifier"},
		{"birthdate", ParamDate, "Patient.birthDate"},
		{"death-date", ParamDate, "(Patient.deceased as dateTime)"},
		{"phone", ParamToken, "Patient.telecom.where(system='phone')"},
	}
	for _, c := range cases {
		p := mustParam(t, patient, c.code)
		if p.Type != c.typ || p.Expression != c.expr {
			t.Errorf("%s: got (%s, %q), want (%s, %q)", c.code, p.Type, p.Expression, c.typ, c.expr)
		}
	}
	gp := mustParam(t, patient, "general-practitioner")
	wantTargets := []string{"Organization", "Practitioner", "PractitionerRole"}
	if gp.Type != ParamReference || !slices.Equal(gp.Targets, wantTargets) {
		t.Errorf("general-practitioner: type %s targets %v, want reference %v", gp.Type, gp.Targets, wantTargets)
	}
}

func TestParamsWithoutExpressionAreLeftOut(t *testing.T) {
	for _, rt := range Types() {
		for _, code := range []string{"_text", "_content", "_query"} {
			if _, ok := rt.Param(code); ok {
				t.Errorf("%s has %s, which has no expression", rt.Name, code)
			}
		}
	}
}

func TestObservationComposite(t *testing.T) {
	p := mustParam(t, mustType(t, "Observation"), "code-value-quantity")
	if p.Type != ParamComposite {
		t.Fatalf("code-value-quantity: type %s, want composite", p.Type)
	}
	var codes []string
	for _, c := range p.Components {
		codes = append(codes, c.Code)
		if c.Expression == "" {
			t.Errorf("component %s has no expression", c.Code)
		}
	}
	if want := []string{"code", "value-quantity"}; !slices.Equal(codes, want) {
		t.Errorf("components = %v, want %v", codes, want)
	}
}

func TestSharedParamIsRestrictedToType(t *testing.T) {
	obs := mustType(t, "Observation")
	if got := mustParam(t, obs, "subject").Expression; got != "Observation.subject" {
		t.Errorf("subject = %q", got)
	}
	cases := map[string]string{
		"code":    "Observation.code",
		"date":    "Observation.effective",
		"patient": "Observation.subject.where(resolve() is Patient)",
	}
	for code, want := range cases {
		if got := mustParam(t, obs, code).Expression; got != want {
			t.Errorf("Observation %s = %q, want %q", code, got, want)
		}
	}
	// Practitioner must not pick up the PractitionerRole part of phone.
	prac := mustType(t, "Practitioner")
	if got := mustParam(t, prac, "phone").Expression; got != "Practitioner.telecom.where(system='phone')" {
		t.Errorf("Practitioner phone = %q", got)
	}
}

func TestObservationCompartments(t *testing.T) {
	obs := mustType(t, "Observation")
	want := map[string][]string{
		"Device":        {"device", "subject"},
		"Encounter":     {"encounter"},
		"Patient":       {"performer", "subject"},
		"Practitioner":  {"performer"},
		"RelatedPerson": {"performer"},
	}
	for code, params := range want {
		if got := obs.Compartments[code]; !slices.Equal(got, params) {
			t.Errorf("Observation in the %s compartment through %v, want %v", code, got, params)
		}
	}
}

func TestCompartments(t *testing.T) {
	var codes []string
	for _, d := range Compartments() {
		codes = append(codes, d.Code)
		if d.URL != "http://hl7.org/fhir/CompartmentDefinition/"+strings.ToLower(d.Code[:1])+d.Code[1:] {
			t.Errorf("%s compartment URL %q", d.Code, d.URL)
		}
		if got, ok := LookupCompartment(d.Code); !ok || got != d {
			t.Errorf("LookupCompartment(%s) = %v, %v", d.Code, got, ok)
		}
		for _, rt := range d.Types() {
			if !rt.InCompartment(d.Code) {
				t.Errorf("%s listed in the %s compartment", rt.Name, d.Code)
			}
		}
	}
	if want := []string{"Device", "Encounter", "Patient", "Practitioner", "RelatedPerson"}; !slices.Equal(codes, want) {
		t.Errorf("compartments %v, want %v", codes, want)
	}
	if _, ok := LookupCompartment("Observation"); ok {
		t.Error("Observation is a compartment")
	}
	if enc := mustType(t, "Encounter"); !enc.InCompartment("Encounter") || len(enc.Compartments["Encounter"]) != 0 {
		t.Error("Encounter is not in its own compartment (only as the focal resource)")
	}
}

// TestCompartmentParamsAreReferences checks every generated compartment
// parameter: a reference parameter of the type, whatever the type list.
func TestCompartmentParamsAreReferences(t *testing.T) {
	for _, rt := range Types() {
		for comp, codes := range rt.Compartments {
			for _, code := range codes {
				if p, ok := rt.Param(code); !ok || p.Type != ParamReference {
					t.Errorf("%s: %s compartment param %q is not a reference search param", rt.Name, comp, code)
				}
			}
		}
	}
}

func TestEveryExpressionIsAboutItsType(t *testing.T) {
	for _, rt := range Types() {
		for _, p := range rt.Params {
			if p.Expression == "" {
				t.Errorf("%s.%s has no expression", rt.Name, p.Code)
			}
			for _, part := range strings.Split(p.Expression, " | ") {
				if !startsWithType(part, rt.Name) {
					t.Errorf("%s.%s: union part %q is not about %s", rt.Name, p.Code, part, rt.Name)
				}
			}
		}
	}
}

// startsWithType reports whether a union part starts with the type name,
// possibly after an opening parenthesis, as a whole path segment.
func startsWithType(part, name string) bool {
	rest, ok := strings.CutPrefix(strings.TrimPrefix(part, "("), name)
	return ok && (rest == "" || rest[0] == '.' || rest[0] == ' ' || rest[0] == ')')
}

func TestParamsSortedAndUnique(t *testing.T) {
	for _, rt := range Types() {
		ok := sort.SliceIsSorted(rt.Params, func(i, j int) bool {
			return rt.Params[i].Code < rt.Params[j].Code
		})
		if !ok {
			t.Errorf("%s: params not sorted by code", rt.Name)
		}
		for i := 1; i < len(rt.Params); i++ {
			if rt.Params[i].Code == rt.Params[i-1].Code {
				t.Errorf("%s: code %q repeated", rt.Name, rt.Params[i].Code)
			}
		}
	}
}

func TestLookupTypeMisses(t *testing.T) {
	if _, ok := LookupType("Nope"); ok {
		t.Error(`LookupType("Nope") succeeded`)
	}
	if _, ok := LookupType("patient"); ok {
		t.Error(`LookupType("patient") succeeded; names are case-sensitive`)
	}
}

func TestParamFindsAndMisses(t *testing.T) {
	patient := mustType(t, "Patient")
	for _, code := range []string{"_id", "active", "telecom"} {
		if p, ok := patient.Param(code); !ok || p.Code != code {
			t.Errorf("Param(%q) = %v, %v", code, p, ok)
		}
	}
	for _, code := range []string{"", "_a", "nope", "zzz", "Name", "value-quantity"} {
		if p, ok := patient.Param(code); ok {
			t.Errorf("Param(%q) found %v", code, p)
		}
	}
}

func TestPatientSummary(t *testing.T) {
	summary := mustType(t, "Patient").Summary
	for _, name := range []string{"id", "meta", "implicitRules", "identifier", "active", "name", "telecom",
		"gender", "birthDate", "deceased[x]", "address", "managingOrganization", "link"} {
		if !slices.Contains(summary, name) {
			t.Errorf("Patient Summary %v lacks %q", summary, name)
		}
	}
	for _, name := range []string{"text", "contained", "extension", "modifierExtension", "language",
		"contact", "communication", "photo", "maritalStatus", "multipleBirth[x]", "generalPractitioner", "deceased"} {
		if slices.Contains(summary, name) {
			t.Errorf("Patient Summary %v holds %q", summary, name)
		}
	}
}

func TestObservationSummaryAndMandatory(t *testing.T) {
	obs := mustType(t, "Observation")
	if want := []string{"status", "code"}; !slices.Equal(obs.Mandatory, want) {
		t.Errorf("Observation Mandatory = %v, want %v", obs.Mandatory, want)
	}
	for _, name := range []string{"status", "code", "subject", "effective[x]", "value[x]", "component"} {
		if !slices.Contains(obs.Summary, name) {
			t.Errorf("Observation Summary %v lacks %q", obs.Summary, name)
		}
	}
	for _, name := range []string{"note", "referenceRange", "interpretation", "dataAbsentReason", "category"} {
		if slices.Contains(obs.Summary, name) {
			t.Errorf("Observation Summary %v holds %q", obs.Summary, name)
		}
	}
}

func TestMandatory(t *testing.T) {
	cases := map[string][]string{
		"Appointment":  {"status", "participant"},
		"Condition":    {"subject"},
		"Encounter":    {"status", "class"},
		"Group":        {"type", "actual"},
		"Location":     nil,
		"Organization": nil,
		"Patient":      nil,
		"Practitioner": nil,
		"Schedule":     {"actor"},
		"Slot":         {"schedule", "status", "start", "end"},
	}
	for name, want := range cases {
		if got := mustType(t, name).Mandatory; !slices.Equal(got, want) {
			t.Errorf("%s Mandatory = %v, want %v", name, got, want)
		}
	}
}

func TestElementNames(t *testing.T) {
	for _, rt := range Types() {
		if len(rt.Summary) < 2 || rt.Summary[0] != "id" || rt.Summary[1] != "meta" {
			t.Errorf("%s: Summary %v does not start with id, meta", rt.Name, rt.Summary)
		}
		for field, names := range map[string][]string{"Summary": rt.Summary, "Mandatory": rt.Mandatory} {
			seen := map[string]bool{}
			for _, n := range names {
				if base := strings.TrimSuffix(n, "[x]"); base == "" || strings.ContainsAny(base, ".[]_ ") || seen[base] {
					t.Errorf("%s %s: bad or repeated name %q", rt.Name, field, n)
				}
				seen[strings.TrimSuffix(n, "[x]")] = true
			}
		}
		for _, n := range []string{"text", "contained", "extension", "modifierExtension", "resourceType"} {
			if slices.Contains(rt.Summary, n) || slices.Contains(rt.Mandatory, n) {
				t.Errorf("%s: %q is listed", rt.Name, n)
			}
		}
	}
}
