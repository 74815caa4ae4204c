package main

import (
	"os"
	"path/filepath"
	"testing"
)

// writeFile writes content to name in a fresh temporary directory and
// returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadProfiles(t *testing.T) {
	path := writeFile(t, profilesFile, `{"resourceType": "Bundle", "entry": [
		{"resource": {"resourceType": "OperationDefinition", "type": true, "kind": "operation"}},
		{"resource": {"resourceType": "StructureDefinition", "url": "u/DomainResource", "type": "DomainResource",
			"kind": "resource", "abstract": true, "snapshot": {"element": [{"path": "DomainResource"}]}}},
		{"resource": {"resourceType": "StructureDefinition", "url": "u/Obs", "type": "Obs", "kind": "resource",
			"abstract": false, "derivation": "specialization", "snapshot": {"element": [
				{"path": "Obs", "min": 0},
				{"path": "Obs.status", "min": 1, "isSummary": true},
				{"path": "Obs.value[x]", "type": [{"code": "Quantity"}, {"code": "string"}]},
				{"path": "Obs.component.value[x]", "type": [{"code": "Period"}]}]}}}
	]}`)
	structs, choices, err := loadProfiles(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(structs) != 1 || structs["Obs"] == nil {
		t.Fatalf("structures = %v, want only Obs", structs)
	}
	els := structs["Obs"].Snapshot.Element
	if len(els) != 4 || els[1].Min != 1 || !els[1].IsSummary || els[2].IsSummary {
		t.Errorf("elements = %+v", els)
	}
	for _, code := range []string{"Quantity", "string", "Period"} {
		if !choices[code] {
			t.Errorf("choice type %s missing from %v", code, choices)
		}
	}
}

func TestLoadProfilesErrors(t *testing.T) {
	cases := map[string]string{
		"not a bundle": `{"resourceType": "StructureDefinition"}`,
		"no resources": `{"resourceType": "Bundle", "entry": []}`,
		"no snapshot": `{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "StructureDefinition",
			"type": "Obs", "kind": "resource", "derivation": "specialization"}}]}`,
		"twice": `{"resourceType": "Bundle", "entry": [
			{"resource": {"resourceType": "StructureDefinition", "url": "a", "type": "Obs", "kind": "resource",
				"derivation": "specialization", "snapshot": {"element": [{"path": "Obs"}]}}},
			{"resource": {"resourceType": "StructureDefinition", "url": "b", "type": "Obs", "kind": "resource",
				"derivation": "specialization", "snapshot": {"element": [{"path": "Obs"}]}}}]}`,
		"bad json": `{"resourceType": "Bundle", "entry": [`,
	}
	for name, content := range cases {
		if _, _, err := loadProfiles(writeFile(t, profilesFile, content)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestLoadCompartment(t *testing.T) {
	path := writeFile(t, "CompartmentDefinition-relatedPerson.json", `{"resourceType": "CompartmentDefinition",
		"url": "http://hl7.org/fhir/CompartmentDefinition/relatedPerson", "code": "RelatedPerson", "resource": [
		{"code": "Account"}, {"code": "Observation", "param": ["performer"]}, {"code": "RelatedPerson", "param": ["{def}"]}]}`)
	c, err := loadCompartment(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.code != "RelatedPerson" || c.url != "http://hl7.org/fhir/CompartmentDefinition/relatedPerson" ||
		len(c.params) != 3 || c.params["Observation"][0] != "performer" {
		t.Errorf("compartment = %+v", c)
	}
	wrong := writeFile(t, "CompartmentDefinition-device.json", `{"resourceType": "CompartmentDefinition",
		"url": "http://hl7.org/fhir/CompartmentDefinition/patient", "code": "Patient"}`)
	if _, err := loadCompartment(wrong); err == nil {
		t.Error("the Patient definition was accepted as the Device one")
	}
}
