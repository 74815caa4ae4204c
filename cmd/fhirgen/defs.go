package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The files read from the definitions directory. Only the core R4 search
// parameters and resource profiles are used, not the Medplum or US Core
// additions.
const (
	searchParamsFile = "search-parameters.json"
	profilesFile     = "profiles-resources.json"
)

// compartmentFiles are the five CompartmentDefinitions of R4, read from the
// official examples package (hl7.fhir.r4.examples), the normative source of
// which references put a resource into which compartment.
var compartmentFiles = []string{
	"CompartmentDefinition-device.json",
	"CompartmentDefinition-encounter.json",
	"CompartmentDefinition-patient.json",
	"CompartmentDefinition-practitioner.json",
	"CompartmentDefinition-relatedPerson.json",
}

// searchParameter is the part of a FHIR SearchParameter the generator uses.
type searchParameter struct {
	ResourceType string        `json:"resourceType"`
	URL          string        `json:"url"`
	Code         string        `json:"code"`
	Base         []string      `json:"base"`
	Type         string        `json:"type"`
	Expression   string        `json:"expression"`
	Target       []string      `json:"target"`
	Component    []spComponent `json:"component"`
}

// spComponent is one component of a composite SearchParameter.
type spComponent struct {
	Definition string `json:"definition"`
	Expression string `json:"expression"`
}

// compartmentDefinition is the part of a FHIR CompartmentDefinition the
// generator uses.
type compartmentDefinition struct {
	ResourceType string `json:"resourceType"`
	URL          string `json:"url"`
	Code         string `json:"code"`
	Resource     []struct {
		Code  string   `json:"code"`
		Param []string `json:"param"`
	} `json:"resource"`
}

// structureDefinition is the part of a FHIR StructureDefinition the
// generator uses.
type structureDefinition struct {
	ResourceType string `json:"resourceType"`
	URL          string `json:"url"`
	Type         string `json:"type"`
	Kind         string `json:"kind"`
	Abstract     bool   `json:"abstract"`
	Derivation   string `json:"derivation"`
	Snapshot     struct {
		Element []elementDefinition `json:"element"`
	} `json:"snapshot"`
}

// elementDefinition is the part of an ElementDefinition the generator
// uses. A missing min or isSummary reads as 0 or false, their FHIR
// defaults.
type elementDefinition struct {
	Path      string `json:"path"`
	Min       int    `json:"min"`
	IsSummary bool   `json:"isSummary"`
	Type      []struct {
		Code string `json:"code"`
	} `json:"type"`
}

// definitions holds everything loaded from the definitions directory.
type definitions struct {
	// params are all SearchParameters of the bundle, in bundle order.
	params []searchParameter
	// compartments are the CompartmentDefinitions, sorted by code.
	compartments []compartment
	// operations are the instance operations the server implements.
	operations []operation
	// structures maps a concrete resource type to its StructureDefinition.
	structures map[string]*structureDefinition
	// choiceTypes are the codes of the types any choice element ("[x]") of
	// any resource profile may take, e.g. "Quantity" and "dateTime".
	choiceTypes map[string]bool
}

// compartment is one CompartmentDefinition: its code (the focal resource
// type), its canonical URL, and per resource type the codes of the
// parameters that put a resource of that type into it.
type compartment struct {
	code   string
	url    string
	params map[string][]string
}

// loadDefinitions reads the search parameters and the resource profiles
// from dir, and the CompartmentDefinitions from examplesDir.
func loadDefinitions(dir, examplesDir string) (*definitions, error) {
	params, err := loadSearchParameters(filepath.Join(dir, searchParamsFile))
	if err != nil {
		return nil, err
	}
	var comp []compartment
	for _, f := range compartmentFiles {
		c, err := loadCompartment(filepath.Join(examplesDir, f))
		if err != nil {
			return nil, err
		}
		comp = append(comp, c)
	}
	structs, choices, err := loadProfiles(filepath.Join(dir, profilesFile))
	if err != nil {
		return nil, err
	}
	ops, err := loadOperations(examplesDir)
	if err != nil {
		return nil, err
	}
	return &definitions{params: params, compartments: comp, operations: ops, structures: structs, choiceTypes: choices}, nil
}

// loadProfiles reads the Bundle of resource StructureDefinitions. It
// returns the definitions of the concrete resource types (kind resource,
// not abstract, a specialization) by type, and the type codes of every
// choice element of every definition. It fails on a type defined twice or
// a definition without a snapshot.
func loadProfiles(path string) (map[string]*structureDefinition, map[string]bool, error) {
	var bundle struct {
		ResourceType string `json:"resourceType"`
		Entry        []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := readJSON(path, &bundle); err != nil {
		return nil, nil, err
	}
	if bundle.ResourceType != "Bundle" {
		return nil, nil, fmt.Errorf("%s: resourceType %q, want Bundle", path, bundle.ResourceType)
	}
	structs := map[string]*structureDefinition{}
	choices := map[string]bool{}
	for i, e := range bundle.Entry {
		// Other resources share field names with other JSON types (an
		// OperationDefinition's type is a boolean), so look first.
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if err := json.Unmarshal(e.Resource, &head); err != nil {
			return nil, nil, fmt.Errorf("%s: entry %d: %w", path, i, err)
		}
		if head.ResourceType != "StructureDefinition" {
			continue
		}
		sd := new(structureDefinition)
		if err := json.Unmarshal(e.Resource, sd); err != nil {
			return nil, nil, fmt.Errorf("%s: entry %d: %w", path, i, err)
		}
		for _, el := range sd.Snapshot.Element {
			if strings.HasSuffix(el.Path, "[x]") {
				for _, t := range el.Type {
					choices[t.Code] = true
				}
			}
		}
		if sd.Kind != "resource" || sd.Abstract || sd.Derivation != "specialization" {
			continue
		}
		if len(sd.Snapshot.Element) == 0 {
			return nil, nil, fmt.Errorf("%s: %s has no snapshot", path, sd.URL)
		}
		if prev, dup := structs[sd.Type]; dup {
			return nil, nil, fmt.Errorf("%s: type %s defined by both %s and %s", path, sd.Type, prev.URL, sd.URL)
		}
		structs[sd.Type] = sd
	}
	if len(structs) == 0 {
		return nil, nil, fmt.Errorf("%s: no resource StructureDefinitions", path)
	}
	return structs, choices, nil
}

// loadSearchParameters reads a Bundle and returns its SearchParameter
// entries.
func loadSearchParameters(path string) ([]searchParameter, error) {
	var bundle struct {
		ResourceType string `json:"resourceType"`
		Entry        []struct {
			Resource searchParameter `json:"resource"`
		} `json:"entry"`
	}
	if err := readJSON(path, &bundle); err != nil {
		return nil, err
	}
	if bundle.ResourceType != "Bundle" {
		return nil, fmt.Errorf("%s: resourceType %q, want Bundle", path, bundle.ResourceType)
	}
	var out []searchParameter
	for _, e := range bundle.Entry {
		if e.Resource.ResourceType == "SearchParameter" {
			out = append(out, e.Resource)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no SearchParameter entries", path)
	}
	return out, nil
}

// loadCompartment reads one CompartmentDefinition. Its code must be the
// name the file promises (the file's name is the code with a lower-case
// initial), so that a swapped file cannot go unnoticed.
func loadCompartment(path string) (compartment, error) {
	var cd compartmentDefinition
	if err := readJSON(path, &cd); err != nil {
		return compartment{}, err
	}
	want := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "CompartmentDefinition-"), ".json")
	if cd.ResourceType != "CompartmentDefinition" || !strings.EqualFold(cd.Code, want) || cd.URL == "" {
		return compartment{}, fmt.Errorf("%s: not the %s CompartmentDefinition", path, want)
	}
	c := compartment{code: cd.Code, url: cd.URL, params: make(map[string][]string, len(cd.Resource))}
	for _, r := range cd.Resource {
		c.params[r.Code] = r.Param
	}
	return c, nil
}

// readJSON decodes the JSON file at path into v.
func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// operationFiles are the OperationDefinitions of the operations the server
// implements, read from the official examples package.
var operationFiles = []string{
	"OperationDefinition-Encounter-everything.json",
	"OperationDefinition-Patient-everything.json",
}

// operationDefinition is the part of a FHIR OperationDefinition the
// generator uses.
type operationDefinition struct {
	ResourceType string   `json:"resourceType"`
	URL          string   `json:"url"`
	Code         string   `json:"code"`
	Resource     []string `json:"resource"`
	Instance     bool     `json:"instance"`
	Parameter    []struct {
		Name string `json:"name"`
		Use  string `json:"use"`
		Type string `json:"type"`
	} `json:"parameter"`
}

// operation is one instance operation of one resource type: its code, its
// canonical URL, and its input parameters with their FHIR types.
type operation struct {
	typ, code, url string
	params         [][2]string
}

// loadOperations reads the OperationDefinitions of operationFiles from dir,
// one operation per resource type each names.
func loadOperations(dir string) ([]operation, error) {
	var out []operation
	for _, f := range operationFiles {
		var od operationDefinition
		path := filepath.Join(dir, f)
		if err := readJSON(path, &od); err != nil {
			return nil, err
		}
		if od.ResourceType != "OperationDefinition" || od.URL == "" || od.Code == "" || !od.Instance {
			return nil, fmt.Errorf("%s: not an instance OperationDefinition", path)
		}
		var params [][2]string
		for _, p := range od.Parameter {
			if p.Use == "in" {
				params = append(params, [2]string{p.Name, p.Type})
			}
		}
		for _, r := range od.Resource {
			out = append(out, operation{typ: r, code: od.Code, url: od.URL, params: params})
		}
	}
	return out, nil
}
