package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// The files read from the definitions directory. Only the core R4 search
// parameters are used, not the Medplum or US Core additions.
const (
	searchParamsFile = "search-parameters.json"
	compartmentFile  = "compartmentdefinition-patient.json"
)

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
	Code         string `json:"code"`
	Resource     []struct {
		Code  string   `json:"code"`
		Param []string `json:"param"`
	} `json:"resource"`
}

// definitions holds everything loaded from the definitions directory.
type definitions struct {
	// params are all SearchParameters of the bundle, in bundle order.
	params []searchParameter
	// compartment maps a resource type to the codes of the parameters that
	// put it into the Patient compartment.
	compartment map[string][]string
}

// loadDefinitions reads the search parameters and the Patient compartment
// definition from dir.
func loadDefinitions(dir string) (*definitions, error) {
	params, err := loadSearchParameters(filepath.Join(dir, searchParamsFile))
	if err != nil {
		return nil, err
	}
	comp, err := loadCompartment(filepath.Join(dir, compartmentFile))
	if err != nil {
		return nil, err
	}
	return &definitions{params: params, compartment: comp}, nil
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

// loadCompartment reads the Patient CompartmentDefinition and returns, per
// resource type, the codes of its compartment parameters.
func loadCompartment(path string) (map[string][]string, error) {
	var cd compartmentDefinition
	if err := readJSON(path, &cd); err != nil {
		return nil, err
	}
	if cd.ResourceType != "CompartmentDefinition" || cd.Code != "Patient" {
		return nil, fmt.Errorf("%s: not the Patient CompartmentDefinition", path)
	}
	out := make(map[string][]string, len(cd.Resource))
	for _, r := range cd.Resource {
		out[r.Code] = r.Param
	}
	return out, nil
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
