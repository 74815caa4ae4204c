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
	// Compartments maps the code of a compartment (Patient, Encounter,
	// RelatedPerson, Practitioner, Device) to the codes of the reference
	// parameters that put a resource of this type into it, sorted: the
	// resource is in the compartment of each resource one of them points
	// at. A type that a compartment's definition does not list with
	// parameters has no entry (see InCompartment).
	Compartments map[string][]string
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

// InCompartment reports whether resources of this type can be in the
// compartments of the given code: the type has parameters for it, or is its
// focal type (the focal resource is in its own compartment).
func (t *ResourceType) InCompartment(code string) bool {
	return t.Name == code || len(t.Compartments[code]) > 0
}

// CompartmentDef is one CompartmentDefinition of R4: Code is the focal
// resource type, URL the definition's canonical URL.
type CompartmentDef struct {
	Code string
	URL  string
}

// LookupCompartment returns the compartment of the given code.
func LookupCompartment(code string) (*CompartmentDef, bool) {
	for i := range generatedCompartments {
		if generatedCompartments[i].Code == code {
			return &generatedCompartments[i], true
		}
	}
	return nil, false
}

// Compartments returns the compartments of R4, sorted by code, whether or
// not the server stores their focal type.
func Compartments() []*CompartmentDef {
	out := make([]*CompartmentDef, len(generatedCompartments))
	for i := range generatedCompartments {
		out[i] = &generatedCompartments[i]
	}
	return out
}

// Types returns the stored types whose resources can be in the
// compartment, sorted by name.
func (d *CompartmentDef) Types() []*ResourceType {
	var out []*ResourceType
	for _, t := range Types() {
		if t.InCompartment(d.Code) {
			out = append(out, t)
		}
	}
	return out
}

// OperationDef is an instance operation the server implements on one
// resource type, from its R4 OperationDefinition: Code is the name without
// "$", URL the definition's canonical URL, Params its input parameters.
type OperationDef struct {
	Type   string
	Code   string
	URL    string
	Params []OperationParam
}

// OperationParam is one input parameter of an operation: its name and its
// FHIR type (date, instant, code, integer, ...).
type OperationParam struct {
	Name string
	Type string
}

// Param returns the input parameter of the given name.
func (o *OperationDef) Param(name string) (*OperationParam, bool) {
	for i := range o.Params {
		if o.Params[i].Name == name {
			return &o.Params[i], true
		}
	}
	return nil, false
}

// LookupOperation returns the operation code on resources of type typ.
func LookupOperation(typ, code string) (*OperationDef, bool) {
	for i := range generatedOperations {
		if op := &generatedOperations[i]; op.Type == typ && op.Code == code {
			return op, true
		}
	}
	return nil, false
}

// Operations returns the operations of type typ, in generated order.
func Operations(typ string) []*OperationDef {
	var out []*OperationDef
	for i := range generatedOperations {
		if generatedOperations[i].Type == typ {
			out = append(out, &generatedOperations[i])
		}
	}
	return out
}
