package main

import (
	"slices"
	"strings"
	"testing"
)

// fixture returns a small set of definitions covering the cases the
// generator distinguishes.
func fixture() *definitions {
	const base = "http://example.org/SearchParameter/"
	return &definitions{
		params: []searchParameter{
			{URL: base + "text", Code: "_text", Base: []string{"DomainResource"}, Type: "string"},
			{URL: base + "id", Code: "_id", Base: []string{"Resource"}, Type: "token", Expression: "Resource.id"},
			{URL: base + "code", Code: "code", Base: []string{"Obs", "Cond"}, Type: "token",
				Expression: "Cond.code | Obs.code"},
			{URL: base + "subject", Code: "subject", Base: []string{"Obs"}, Type: "reference",
				Expression: "Obs.subject", Target: []string{"Patient", "Group"}},
			{URL: base + "value", Code: "value", Base: []string{"Obs"}, Type: "quantity",
				Expression: "(Obs.value as Quantity)"},
			{URL: base + "cv", Code: "code-value", Base: []string{"Obs"}, Type: "composite",
				Expression: "Obs", Component: []spComponent{
					{Definition: base + "code", Expression: "code"},
					{Definition: base + "value", Expression: "value.as(Quantity)"},
				}},
		},
		compartments: []compartment{
			{code: "Encounter", url: "http://example.org/CompartmentDefinition/encounter", params: map[string][]string{}},
			{code: "Patient", url: "http://example.org/CompartmentDefinition/patient",
				params: map[string][]string{"Obs": {"subject"}, "Patient": {"{def}"}}},
		},
		structures: map[string]*structureDefinition{"Obs": structure("Obs",
			elementDefinition{Path: "Obs"},
			elementDefinition{Path: "Obs.id", IsSummary: true},
			elementDefinition{Path: "Obs.meta"},
			elementDefinition{Path: "Obs.text"},
			elementDefinition{Path: "Obs.status", Min: 1, IsSummary: true},
			elementDefinition{Path: "Obs.code", Min: 1, IsSummary: true},
			elementDefinition{Path: "Obs.code.text", Min: 1, IsSummary: true},
			elementDefinition{Path: "Obs.value[x]", IsSummary: true},
			elementDefinition{Path: "Obs.note"},
			elementDefinition{Path: "Obs.component", IsSummary: true},
			elementDefinition{Path: "Obs.component.code", Min: 1, IsSummary: true},
		)},
		choiceTypes: map[string]bool{"Quantity": true, "string": true, "date": true},
	}
}

// structure returns a resource StructureDefinition of type name with the
// given snapshot elements.
func structure(name string, els ...elementDefinition) *structureDefinition {
	sd := &structureDefinition{
		ResourceType: "StructureDefinition",
		URL:          "http://example.org/StructureDefinition/" + name,
		Type:         name,
		Kind:         "resource",
		Derivation:   "specialization",
	}
	sd.Snapshot.Element = els
	return sd
}

func TestBuildRegistry(t *testing.T) {
	types, err := buildRegistry(fixture(), []string{"Obs"})
	if err != nil {
		t.Fatal(err)
	}
	obs := types[0]
	var codes []string
	for _, p := range obs.Params {
		codes = append(codes, p.Code)
	}
	if want := []string{"_id", "code", "code-value", "subject", "value"}; !slices.Equal(codes, want) {
		t.Fatalf("codes = %v, want %v", codes, want)
	}
	if obs.Table != "obs" || obs.Params[0].Expression != "Obs.id" || obs.Params[1].Expression != "Obs.code" {
		t.Errorf("unexpected entry %+v", obs)
	}
	if got := obs.Params[3].Targets; !slices.Equal(got, []string{"Group", "Patient"}) {
		t.Errorf("targets = %v, want sorted", got)
	}
	want := []genComponent{{"code", "code"}, {"value", "value.as(Quantity)"}}
	if got := obs.Params[2].Components; !slices.Equal(got, want) {
		t.Errorf("components = %v, want %v", got, want)
	}
	if len(obs.Compartments) != 1 || !slices.Equal(obs.Compartments["Patient"], []string{"subject"}) {
		t.Errorf("compartments = %v", obs.Compartments)
	}
	// meta is not marked but always in the summary; nested elements and
	// the type's own root element are not top-level names.
	if want := []string{"id", "meta", "status", "code", "value[x]", "component"}; !slices.Equal(obs.Summary, want) {
		t.Errorf("summary = %v, want %v", obs.Summary, want)
	}
	if want := []string{"status", "code"}; !slices.Equal(obs.Mandatory, want) {
		t.Errorf("mandatory = %v, want %v", obs.Mandatory, want)
	}
}

func TestSummaryNamesAlwaysHoldIDAndMeta(t *testing.T) {
	got := summaryNames([]topElement{{name: "id"}, {name: "meta"}, {name: "status", summary: true}})
	if want := []string{"id", "meta", "status"}; !slices.Equal(got, want) {
		t.Errorf("summaryNames = %v, want %v", got, want)
	}
	got = summaryNames([]topElement{{name: "status", summary: true}, {name: "note"}})
	if want := []string{"id", "meta", "status"}; !slices.Equal(got, want) {
		t.Errorf("summaryNames without id and meta = %v, want %v", got, want)
	}
}

func TestTopElementsErrors(t *testing.T) {
	cases := map[string]*structureDefinition{
		"foreign path": structure("Obs", elementDefinition{Path: "Obs"}, elementDefinition{Path: "Other.id"}),
		"prefix only":  structure("Obs", elementDefinition{Path: "Obs"}, elementDefinition{Path: "Obsx.id"}),
		"empty name":   structure("Obs", elementDefinition{Path: "Obs."}),
		"repeated":     structure("Obs", elementDefinition{Path: "Obs.value"}, elementDefinition{Path: "Obs.value[x]"}),
		"no elements":  structure("Obs", elementDefinition{Path: "Obs"}),
	}
	for name, sd := range cases {
		if _, err := topElements(sd, "Obs"); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestRegistryKeys(t *testing.T) {
	elems := []topElement{{name: "form"}, {name: "formCode"}, {name: "value", choice: true, min: 1, summary: true}}
	if got, want := mandatoryNames(elems), []string{"value[x]"}; !slices.Equal(got, want) {
		t.Errorf("mandatory = %q, want %q", got, want)
	}
	if got, want := summaryNames(elems), []string{"id", "meta", "value[x]"}; !slices.Equal(got, want) {
		t.Errorf("summary = %q, want %q", got, want)
	}
}

func TestBuildRegistryErrors(t *testing.T) {
	defs := fixture()
	if _, err := buildRegistry(defs, []string{"Patient"}); err == nil {
		t.Error("a type without a StructureDefinition was accepted")
	}
	defs.compartments[1].params["Obs"] = []string{"performer"}
	if _, err := buildRegistry(defs, []string{"Obs"}); err == nil {
		t.Error("an unknown compartment param was accepted")
	}
	defs = fixture()
	defs.compartments[1].params["Obs"] = []string{"value"}
	if _, err := buildRegistry(defs, []string{"Obs"}); err == nil {
		t.Error("a compartment param that is no reference was accepted")
	}
	defs = fixture()
	defs.params[5].Component[0].Definition = "http://example.org/missing"
	if _, err := buildRegistry(defs, []string{"Obs"}); err == nil {
		t.Error("a dangling component definition was accepted")
	}
	defs = fixture()
	defs.params = append(defs.params, defs.params[3])
	if _, err := buildRegistry(defs, []string{"Obs"}); err == nil {
		t.Error("a repeated code was accepted")
	}
	defs = fixture()
	delete(defs.structures, "Obs")
	if _, err := buildRegistry(defs, []string{"Obs"}); err == nil {
		t.Error("a type without a StructureDefinition was accepted")
	}
}

func TestRenderRegistry(t *testing.T) {
	types, err := buildRegistry(fixture(), []string{"Obs"})
	if err != nil {
		t.Fatal(err)
	}
	ops := []operation{{typ: "Obs", code: "everything", url: "http://example.org/OperationDefinition/Obs-everything",
		params: [][2]string{{"_since", "instant"}}}, {typ: "Other", code: "everything", url: "u"}}
	src, err := renderRegistry(types, fixture().compartments, ops)
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	if strings.Contains(s, `"Other"`) {
		t.Error("the operation of a type not generated was rendered")
	}
	for _, want := range []string{
		"// Code generated by fhirgen from " + definitionsSource + "; DO NOT EDIT.\n",
		"package fhir\n",
		"var generatedTypes = []ResourceType{",
		"Type:       ParamComposite,",
		`{Code: "value", Expression: "value.as(Quantity)"},`,
		"Compartments: map[string][]string{\n\t\t\t\"Patient\": {\"subject\"},\n\t\t},",
		"var generatedCompartments = []CompartmentDef{",
		`{Code: "Patient", URL: "http://example.org/CompartmentDefinition/patient"},`,
		`{Type: "Obs", Code: "everything", URL: "http://example.org/OperationDefinition/Obs-everything", Params: []OperationParam{`,
		`{Name: "_since", Type: "instant"},`,
		`Summary:   []string{"id", "meta", "status", "code", "value[x]", "component"},`,
		`Mandatory: []string{"status", "code"},`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("generated source lacks %q:\n%s", want, s)
		}
	}
}

// R4's DocumentReference relationship gives its component expressions in
// each other's place; the generator puts them back.
func TestUnswapComponents(t *testing.T) {
	params := []genParam{
		{Code: "relatesto", Expression: "DocumentReference.relatesTo.target"},
		{Code: "relation", Expression: "DocumentReference.relatesTo.code"},
		{Code: "relationship", Expression: "DocumentReference.relatesTo",
			Components: []genComponent{{Code: "relatesto", Expression: "code"}, {Code: "relation", Expression: "target"}}},
	}
	unswapComponents(&params[2], params)
	if c := params[2].Components; c[0].Expression != "target" || c[1].Expression != "code" {
		t.Errorf("components %+v, want relatesto target and relation code", c)
	}
	right := []genComponent{{Code: "relatesto", Expression: "target"}, {Code: "relation", Expression: "code"}}
	params[2].Components = slices.Clone(right)
	unswapComponents(&params[2], params)
	if !slices.Equal(params[2].Components, right) {
		t.Errorf("right components changed: %+v", params[2].Components)
	}
}
