package fhir

import "sort"

// ParamType is the type of a search parameter.
type ParamType string

// The search parameter types of R4.
const (
	ParamNumber    ParamType = "number"
	ParamDate      ParamType = "date"
	ParamString    ParamType = "string"
	ParamToken     ParamType = "token"
	ParamReference ParamType = "reference"
	ParamComposite ParamType = "composite"
	ParamQuantity  ParamType = "quantity"
	ParamURI       ParamType = "uri"
	ParamSpecial   ParamType = "special"
)

// SearchParam is one search parameter of one resource type.
type SearchParam struct {
	Code string
	Type ParamType
	// Expression is the FHIRPath expression restricted to this resource
	// type (the parts of a multi-type expression that start with it).
	// Empty when the parameter has no expression (e.g. _content).
	Expression string
	// Targets are the resource types a reference parameter may point at.
	Targets []string
	// Components are the parts of a composite parameter.
	Components []Component
	// URL is the canonical URL of the SearchParameter definition.
	URL string
}

// Component is one part of a composite search parameter: the code of the
// parameter it reuses and the expression relative to the composite's
// expression.
type Component struct {
	Code       string
	Expression string
}

// ResourceType is a resource type the server stores.
type ResourceType struct {
	Name string
	// Table is the name of the type's table; the history and index tables
	// add suffixes to it. It comes from the registry, never from a request.
	Table string
	// Params are the type's search parameters, sorted by code, the common
	// ones (_id, _lastUpdated, ...) included.
	Params []SearchParam
	// CompartmentParams are the codes of the parameters that put a
	// resource of this type into a Patient's compartment.
	CompartmentParams []string
	// Summary are the names of the top-level elements of the type's
	// summary (_summary=true): those its definition marks isSummary, id
	// and meta always included. Names are in definition order.
	//
	// Here and in Mandatory, a choice element is named by its base name
	// without "[x]": "value" stands for Observation.value[x], and matches
	// every JSON key of the choice, "valueQuantity", "valueString" and so
	// on (the base name followed by a capitalized type name). The generator
	// checks that no other element of the type is named like such a key.
	Summary []string
	// Mandatory are the names of the top-level elements with a minimum
	// cardinality of at least one, in definition order; nil when there are
	// none.
	Mandatory []string
}

// Param returns the search parameter with the given code.
func (t *ResourceType) Param(code string) (*SearchParam, bool) {
	i := sort.Search(len(t.Params), func(i int) bool { return t.Params[i].Code >= code })
	if i < len(t.Params) && t.Params[i].Code == code {
		return &t.Params[i], true
	}
	return nil, false
}

var typesByName = func() map[string]*ResourceType {
	m := make(map[string]*ResourceType, len(generatedTypes))
	for i := range generatedTypes {
		m[generatedTypes[i].Name] = &generatedTypes[i]
	}
	return m
}()

// LookupType returns the resource type of the given name, if the server
// stores it.
func LookupType(name string) (*ResourceType, bool) {
	t, ok := typesByName[name]
	return t, ok
}

// Types returns every resource type the server stores, sorted by name.
func Types() []*ResourceType {
	out := make([]*ResourceType, len(generatedTypes))
	for i := range generatedTypes {
		out[i] = &generatedTypes[i]
	}
	return out
}
