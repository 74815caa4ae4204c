package search

import (
	"slices"
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
)

// This file parses the name of a filter parameter: "code[:modifier]",
// chains "ref[:Type].ref[:Type].code[:modifier]" and reverse chains
// "_has:Type:ref:name". What it builds is the contract with the compiler:
//
// A plain parameter is one Param with Resource the searched type, Def its
// definition, Modifier and, for ":[Type]" on a reference, Modifier ModType
// and TargetType the type. Values hold the OR-ed values.
//
// A chain "subject:Patient.organization.name=x" is a list of Params
// linked by Chain, one per link; only the last (the leaf) has Values and a
// value modifier. Each link that has a Chain is a reference parameter and
// has:
//   - TargetType: the type written after ':' (then Modifier is ModType),
//     or, when none was written, the one type the reference may point at
//     that the server stores and that has the next link's parameter; ""
//     when several such types exist. The compiler then ORs over
//     p.Branches(), which lists the types and resolves the next link on
//     each.
//   - Chain: the next link. Its Resource and Def are those of the first
//     (by name) type the link may be on; when the previous link's
//     TargetType is "", use p.Branches() to get the link on each type.
//
// Parse checks that every link exists on at least one of the types the
// previous link reaches, that the links before the last are references,
// and that the candidates of one link agree on the parameter's type (so a
// value parses the same on every branch); otherwise it returns an error.
//
// A reverse chain "_has:Observation:subject:code=x" searching Patient is a
// Param with Resource Patient, Def nil, no Values and Has{Type:
// Observation, RefParam: Observation's subject, Param: the inner condition
// on Observation}. The inner condition is itself a plain parameter, a
// chain or another _has, and holds the values.
//
// Every Param of a chain or reverse chain has Name set to the whole
// parameter name as the client wrote it, so errors name what the client
// sent.

// Branches returns the ways a chained reference p continues: one Param per
// resource type p may point at — p.TargetType when set, otherwise each
// type of p.Def.Targets that the server stores and that has the chained
// parameter — each a shallow copy of p.Chain with Resource that type and
// Def that type's own parameter of the same code. A branch that is itself
// chained is expanded by calling its Branches (its Def is the branch's, so
// its targets are too). Branches returns nil when p is not a chain, and an
// empty list when no type fits (the condition then matches nothing). The
// comment at the top of parse_name.go describes the whole shape of chains
// and reverse chains.
func (p *Param) Branches() []*Param {
	if p.Chain == nil || p.Chain.Def == nil || p.Def == nil {
		return nil
	}
	code := p.Chain.Def.Code
	var out []*Param
	for _, t := range nextTypes([]*fhir.SearchParam{p.Def}, p.TargetType, code) {
		def, _ := t.Param(code)
		b := *p.Chain
		b.Resource, b.Def = t, def
		out = append(out, &b)
	}
	return out
}

// param parses the filter parameter named k with the value text v.
func (p *parser) param(k, v string) (*Param, error) {
	if k == "_has" || strings.HasPrefix(k, "_has:") {
		if n := strings.Count(k, "_has:"); n > p.lim.MaxHasDepth {
			return nil, costlyParam(k, "_has is nested %d deep, more than %d", n, p.lim.MaxHasDepth)
		}
		return p.has(k, p.t, strings.TrimPrefix(k, "_has"), v, 1)
	}
	return p.chain(k, p.t, k, v, true)
}

// chain parses name (a plain parameter or a chain) on type t; top says
// that name is the whole parameter, whose first link may be unknown
// (then the error is ignorable).
func (p *parser) chain(k string, t *fhir.ResourceType, name, v string, top bool) (*Param, error) {
	if n := strings.Count(name, "."); n > p.lim.MaxChainDepth {
		return nil, costlyParam(k, "the chain has %d links, more than %d", n, p.lim.MaxChainDepth)
	}
	links := strings.Split(name, ".")
	return p.link(k, []*fhir.ResourceType{t}, links, v, top)
}

// link parses links[0] on the types cands the previous link reaches (the
// searched type for the first) and the rest of the chain after it.
func (p *parser) link(k string, cands []*fhir.ResourceType, links []string, v string, first bool) (*Param, error) {
	code, mod, colon := strings.Cut(links[0], ":")
	if colon && mod == "" {
		return nil, invalidParam(k, "a ':' must be followed by a modifier")
	}
	types, defs := lookupParam(cands, code)
	if len(defs) == 0 {
		return nil, p.unknown(k, cands, code, first)
	}
	if len(links) == 1 {
		return p.leaf(k, types, defs, mod, v, first)
	}
	if err := checkReferences(k, defs); err != nil {
		return nil, err
	}
	target, err := chainTarget(k, defs, mod)
	if err != nil {
		return nil, err
	}
	nextCode, _, _ := strings.Cut(links[1], ":")
	next := nextTypes(defs, target, nextCode)
	if len(next) == 0 {
		return nil, invalidParam(k, "no resource type that %s can point at has a search parameter %s", quoteShort(code), quoteShort(nextCode))
	}
	child, err := p.link(k, next, links[1:], v, false)
	if err != nil {
		return nil, err
	}
	param := &Param{Name: k, Resource: types[0], Def: defs[0], Chain: child, TargetType: target}
	if target != "" {
		param.Modifier = ModType
	} else if len(next) == 1 {
		param.TargetType = next[0].Name
	}
	return param, nil
}

// unknown is the error for a parameter code that none of cands has. At the
// start of a parameter it is ignorable (lenient mode skips the parameter).
func (p *parser) unknown(k string, cands []*fhir.ResourceType, code string, first bool) error {
	if !first {
		return invalidParam(k, "%s has no search parameter %s", typeNames(cands), quoteShort(code))
	}
	if unsupportedParams[code] {
		return unsupportedParam(k, "the parameter is not supported by this server").Wrap(errSkip)
	}
	return unsupportedParam(k, "%s has no search parameter %s", cands[0].Name, quoteShort(code)).Wrap(errSkip)
}

// leaf parses the last link: the parameter that holds the values.
func (p *parser) leaf(k string, types []*fhir.ResourceType, defs []*fhir.SearchParam, mod, v string, first bool) (*Param, error) {
	def := defs[0]
	if def.Type == fhir.ParamSpecial {
		err := unsupportedParam(k, "parameters of type special are not supported")
		if first {
			err = err.Wrap(errSkip)
		}
		return nil, err
	}
	for _, d := range defs[1:] {
		if d.Type != def.Type {
			return nil, invalidParam(k, "%s is a %s parameter on %s but a %s parameter on %s; name the type with :Type on the previous link",
				quoteShort(def.Code), def.Type, types[0].Name, d.Type, typeNames(types[1:]))
		}
	}
	m, target, err := parseModifier(k, defs, mod)
	if err != nil {
		return nil, err
	}
	param := &Param{Name: k, Resource: types[0], Def: def, Modifier: m, TargetType: target}
	if param.Values, err = p.values(param, v); err != nil {
		return nil, err
	}
	return param, nil
}

// has parses rest, the text after "_has" of a reverse chain
// (":Type:ref:name"), for resources of type t at nesting depth depth.
func (p *parser) has(k string, t *fhir.ResourceType, rest, v string, depth int) (*Param, error) {
	if depth > p.lim.MaxHasDepth {
		return nil, costlyParam(k, "_has is nested more than %d deep", p.lim.MaxHasDepth)
	}
	parts := strings.SplitN(strings.TrimPrefix(rest, ":"), ":", 3)
	if !strings.HasPrefix(rest, ":") || len(parts) < 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return nil, invalidParam(k, "_has must be written _has:Type:reference:parameter")
	}
	src, ok := fhir.LookupType(parts[0])
	if !ok {
		return nil, invalidParam(k, "unknown resource type %s in _has", quoteShort(parts[0]))
	}
	ref, ok := src.Param(parts[1])
	if !ok || ref.Type != fhir.ParamReference {
		return nil, invalidParam(k, "%s has no reference parameter %s", src.Name, quoteShort(parts[1]))
	}
	if !canPointAt(ref, t.Name) {
		return nil, invalidParam(k, "%s.%s cannot point at %s", src.Name, ref.Code, t.Name)
	}
	var inner *Param
	var err error
	if in := parts[2]; in == "_has" || strings.HasPrefix(in, "_has:") {
		inner, err = p.has(k, src, strings.TrimPrefix(in, "_has"), v, depth+1)
	} else {
		inner, err = p.chain(k, src, in, v, false)
	}
	if err != nil {
		return nil, err
	}
	return &Param{Name: k, Resource: t, Has: &Has{Type: src, RefParam: ref, Param: inner}}, nil
}

// lookupParam returns the types of cands that have a parameter code, and
// those parameters.
func lookupParam(cands []*fhir.ResourceType, code string) ([]*fhir.ResourceType, []*fhir.SearchParam) {
	var types []*fhir.ResourceType
	var defs []*fhir.SearchParam
	for _, t := range cands {
		if d, ok := t.Param(code); ok {
			types, defs = append(types, t), append(defs, d)
		}
	}
	return types, defs
}

// checkReferences checks that every definition of a link followed by
// another is a reference parameter.
func checkReferences(k string, defs []*fhir.SearchParam) error {
	for _, d := range defs {
		if d.Type != fhir.ParamReference {
			return invalidParam(k, "%s is a %s parameter and cannot be chained", quoteShort(d.Code), d.Type)
		}
	}
	return nil
}

// chainTarget checks the modifier of a chain link, which may only be a
// resource type one of defs can point at and the server stores.
func chainTarget(k string, defs []*fhir.SearchParam, mod string) (string, error) {
	switch {
	case mod == "":
		return "", nil
	case !isTypeName(mod):
		return "", unsupportedParam(k, "only a resource type may follow a chained reference (%s)", quoteShort(mod))
	case !slices.ContainsFunc(defs, func(d *fhir.SearchParam) bool { return slices.Contains(d.Targets, mod) }):
		return "", invalidParam(k, "%s cannot point at %s", quoteShort(defs[0].Code), quoteShort(mod))
	}
	if _, ok := fhir.LookupType(mod); !ok {
		return "", unsupportedParam(k, "this server does not store %s resources", mod)
	}
	return mod, nil
}

// nextTypes returns, sorted by name, the stored types that one of defs can
// point at (only target when it is not "") and that have a parameter
// code.
func nextTypes(defs []*fhir.SearchParam, target, code string) []*fhir.ResourceType {
	var out []*fhir.ResourceType
	for _, d := range defs {
		for _, name := range d.Targets {
			if target != "" && name != target {
				continue
			}
			t, ok := fhir.LookupType(name)
			if !ok || slices.Contains(out, t) {
				continue
			}
			if _, ok := t.Param(code); ok {
				out = append(out, t)
			}
		}
	}
	slices.SortFunc(out, func(a, b *fhir.ResourceType) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// canPointAt reports whether the reference parameter def may point at
// resources of the named type.
func canPointAt(def *fhir.SearchParam, name string) bool {
	return len(def.Targets) == 0 || slices.Contains(def.Targets, name) || slices.Contains(def.Targets, "Resource")
}

// typeNames joins the names of types for a message.
func typeNames(types []*fhir.ResourceType) string {
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

// isTypeName reports whether s looks like a resource type name.
func isTypeName(s string) bool {
	if s == "" || len(s) > 64 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}
