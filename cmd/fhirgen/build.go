package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// genType is one resource type of the generated registry; it mirrors
// fhir.ResourceType.
type genType struct {
	Name   string
	Table  string
	Params []genParam
	// Compartments maps the code of each compartment the type is listed
	// in with parameters to their codes, sorted; see
	// fhir.ResourceType.Compartments.
	Compartments map[string][]string
	// Summary and Mandatory are top-level element names, in definition
	// order; see fhir.ResourceType.
	Summary   []string
	Mandatory []string
}

// genParam is one search parameter of one type; it mirrors fhir.SearchParam.
type genParam struct {
	Code       string
	Type       string
	Expression string
	Targets    []string
	Components []genComponent
	URL        string
}

// genComponent is one part of a composite parameter; it mirrors
// fhir.Component.
type genComponent struct {
	Code       string
	Expression string
}

// buildRegistry builds the registry entries of the named types, in the
// order given.
func buildRegistry(defs *definitions, names []string) ([]genType, error) {
	codes := codesByURL(defs.params)
	out := make([]genType, 0, len(names))
	for _, name := range names {
		t, err := buildType(defs, name, codes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// codesByURL maps the canonical URL of every search parameter to its code,
// so that composite components can name the parameters they reuse.
func codesByURL(params []searchParameter) map[string]string {
	m := make(map[string]string, len(params))
	for _, sp := range params {
		m[sp.URL] = sp.Code
	}
	return m
}

// buildType builds the registry entry of one resource type.
func buildType(defs *definitions, name string, codes map[string]string) (genType, error) {
	params, err := typeParams(defs.params, name, codes)
	if err != nil {
		return genType{}, err
	}
	comp := map[string][]string{}
	for _, c := range defs.compartments {
		codes, err := compartmentParams(c.params[name], params)
		if err != nil {
			return genType{}, fmt.Errorf("%s compartment: %w", c.code, err)
		}
		if len(codes) > 0 {
			comp[c.code] = codes
		}
	}
	sd, ok := defs.structures[name]
	if !ok {
		return genType{}, fmt.Errorf("no resource StructureDefinition in %s", profilesFile)
	}
	elems, err := topElements(sd, name)
	if err != nil {
		return genType{}, err
	}
	return genType{
		Name:         name,
		Table:        strings.ToLower(name),
		Params:       params,
		Compartments: comp,
		Summary:      summaryNames(elems),
		Mandatory:    mandatoryNames(elems),
	}, nil
}

// typeParams returns the search parameters that apply to type name, sorted
// by code (Binary has only those of Resource). It fails on a repeated code.
func typeParams(all []searchParameter, name string, codes map[string]string) ([]genParam, error) {
	var out []genParam
	seen := map[string]string{}
	for _, sp := range all {
		p, ok, err := paramFor(sp, name, codes)
		if err != nil {
			return nil, fmt.Errorf("search parameter %s: %w", sp.URL, err)
		}
		if !ok {
			continue
		}
		if prev, dup := seen[p.Code]; dup {
			return nil, fmt.Errorf("code %q defined by both %s and %s", p.Code, prev, p.URL)
		}
		seen[p.Code] = p.URL
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	for i := range out {
		unswapComponents(&out[i], out)
	}
	return out, nil
}

// unswapComponents repairs a composite whose two component expressions
// the definitions give in each other's place: R4's DocumentReference
// relationship has component relatesto (a reference, DocumentReference.
// relatesTo.target) with expression "code" and relation (a token,
// relatesTo.code) with "target". A component's expression must select,
// relative to the composite's, what its parameter selects; when neither
// does and each selects the other's, the expressions are swapped.
func unswapComponents(p *genParam, params []genParam) {
	if len(p.Components) != 2 {
		return
	}
	exprOf := func(code string) string {
		for _, q := range params {
			if q.Code == code {
				return q.Expression
			}
		}
		return ""
	}
	a, b := &p.Components[0], &p.Components[1]
	ea, eb := exprOf(a.Code), exprOf(b.Code)
	if !selects(ea, a.Expression) && !selects(eb, b.Expression) && selects(ea, b.Expression) && selects(eb, a.Expression) {
		a.Expression, b.Expression = b.Expression, a.Expression
	}
}

// selects reports whether one of the alternatives of the parameter
// expression paramExpr ends with the relative component expression rel.
func selects(paramExpr, rel string) bool {
	for _, alt := range strings.Split(paramExpr, "|") {
		if alt = strings.TrimSpace(alt); alt == rel || strings.HasSuffix(alt, "."+rel) {
			return true
		}
	}
	return false
}

// paramFor converts sp into a parameter of type name. It reports false when
// sp does not apply to the type: the type is not among its bases, it has no
// expression (_text, _content, _query, ...), or no part of its expression
// is about the type.
func paramFor(sp searchParameter, name string, codes map[string]string) (genParam, bool, error) {
	if !appliesTo(sp.Base, name) || sp.Expression == "" {
		return genParam{}, false, nil
	}
	expr, err := restrictExpression(sp.Expression, name)
	if err != nil || expr == "" {
		return genParam{}, false, err
	}
	if _, ok := paramTypeConsts[sp.Type]; !ok {
		return genParam{}, false, fmt.Errorf("unknown parameter type %q", sp.Type)
	}
	comps, err := components(sp.Component, codes)
	if err != nil {
		return genParam{}, false, err
	}
	targets := slices.Clone(sp.Target)
	sort.Strings(targets)
	return genParam{
		Code:       sp.Code,
		Type:       sp.Type,
		Expression: expr,
		Targets:    targets,
		Components: comps,
		URL:        sp.URL,
	}, true, nil
}

// appliesTo reports whether a parameter with the given bases applies to
// type name: the bases list it or one of the common base types.
func appliesTo(bases []string, name string) bool {
	for _, b := range bases {
		if b == name || commonBases[b] {
			return true
		}
	}
	return false
}

// components converts the components of a composite parameter, naming each
// by the code of the parameter its definition URL points at.
func components(in []spComponent, codes map[string]string) ([]genComponent, error) {
	var out []genComponent
	for _, c := range in {
		code, ok := codes[c.Definition]
		if !ok {
			return nil, fmt.Errorf("component definition %s not found", c.Definition)
		}
		out = append(out, genComponent{Code: code, Expression: c.Expression})
	}
	return out, nil
}

// compartmentParams returns, sorted, the compartment parameter codes
// listed for a type, checking that each is a reference parameter of the
// type. Entries that are not parameter codes, like the "{def}" marker some
// definitions use for the compartment's own type, are left out: the focal
// resource is in its compartment whatever the definition lists.
func compartmentParams(listed []string, params []genParam) ([]string, error) {
	var out []string
	for _, code := range listed {
		if strings.HasPrefix(code, "{") {
			continue
		}
		i := sort.Search(len(params), func(i int) bool { return params[i].Code >= code })
		if i == len(params) || params[i].Code != code {
			return nil, fmt.Errorf("compartment parameter %q is not a search parameter of the type", code)
		}
		if params[i].Type != "reference" {
			return nil, fmt.Errorf("compartment parameter %q is a %s parameter, not a reference", code, params[i].Type)
		}
		out = append(out, code)
	}
	sort.Strings(out)
	return out, nil
}
