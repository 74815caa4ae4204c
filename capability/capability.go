package capability

import (
	"encoding/json"

	"github.com/fhirbase-go/fhird/fhir"
)

// Options are the facts of the running server that the statement states.
type Options struct {
	BaseURL     string
	Software    string
	Version     string
	ReleaseDate string // the date of the statement, YYYY-MM-DD
}

// typeInteractions are the interactions every stored type supports.
var typeInteractions = []string{"read", "vread", "update", "delete", "history-instance", "history-type", "create"}

// Build returns the CapabilityStatement as JSON.
func Build(o Options) ([]byte, error) {
	resources := make([]map[string]any, 0, len(fhir.Types()))
	for _, t := range fhir.Types() {
		resources = append(resources, resource(t))
	}
	cs := map[string]any{
		"resourceType": "CapabilityStatement",
		"status":       "active",
		"date":         o.ReleaseDate,
		"kind":         "instance",
		"software":     map[string]any{"name": o.Software, "version": o.Version},
		"implementation": map[string]any{
			"description": o.Software + " FHIR R4 server",
			"url":         o.BaseURL,
		},
		"fhirVersion": "4.0.1",
		"format":      []string{"application/fhir+json", "json"},
		"rest": []any{map[string]any{
			"mode":          "server",
			"documentation": "Dates without a time zone are taken as UTC.",
			"resource":      resources,
			"interaction":   []any{map[string]any{"code": "history-system"}},
		}},
	}
	return json.Marshal(cs)
}

func resource(t *fhir.ResourceType) map[string]any {
	in := make([]any, 0, len(typeInteractions))
	for _, code := range typeInteractions {
		in = append(in, map[string]any{"code": code})
	}
	return map[string]any{
		"type":              t.Name,
		"profile":           "http://hl7.org/fhir/StructureDefinition/" + t.Name,
		"interaction":       in,
		"versioning":        "versioned-update",
		"readHistory":       true,
		"updateCreate":      true,
		"conditionalCreate": false,
		"conditionalRead":   "full-support",
		"conditionalUpdate": false,
		"conditionalDelete": "not-supported",
	}
}
