package main

import (
	"fmt"
	"slices"
	"strings"
)

// vType is one type of the validation model: a resource type, a data type,
// an abstract base, a data-type profile, or a backbone element (named by
// its path, "Patient.contact").
type vType struct {
	name, kind, base string // kind: resource, complex, primitive, abstract, profile, backbone
	regex            string // primitives: the format of the value
	invariants       []constraint
	elems            []vElem
}

// vElem is one element of a type.
type vElem struct {
	name    string // JSON name; a choice element's ends with [x]
	min     int
	max     string
	types   []string // "Quantity", "Reference(Patient|Group)", "Patient.contact"
	binding string   // required value set, without version
	fixed   [2]string
	pattern [2]string
	invs    []constraint
}

// modelBuilder makes the types of one run.
type modelBuilder struct {
	sds       map[string][]fullElement // URL → merged snapshot
	info      map[string]*fullSD       // URL → official definition
	resources map[string]bool          // official concrete resource types
	typeURL   map[string]string        // type or profile name → URL
	// rootKeys holds the error invariants of each definition's root and
	// of each backbone element, by name: an element of that type inherits
	// them, and they are checked where the type is.
	rootKeys map[string]map[string]bool
	out      []vType
	// bindings lists the required value sets, in the order met.
	bindings []string
	differ   int
}

// buildValidationModel makes the model from the official definitions and
// Medplum's (by URL).
func buildValidationModel(official, medplum map[string]*fullSD) (*modelBuilder, error) {
	resources, datatypes := officialTypes(official)
	if len(resources) == 0 {
		return nil, fmt.Errorf("no official resource types")
	}
	b := &modelBuilder{sds: map[string][]fullElement{}, info: map[string]*fullSD{}, resources: map[string]bool{},
		typeURL: map[string]string{}, rootKeys: map[string]map[string]bool{}}
	for _, url := range append(slices.Clone(resources), datatypes...) {
		els, differ := mergeElements(official[url], medplum[url])
		b.differ += differ
		b.sds[url], b.info[url] = els, official[url]
		b.typeURL[lastSegment(url)] = url
		if len(els) == 0 {
			return nil, fmt.Errorf("%s has no snapshot", url)
		}
	}
	for _, url := range resources {
		b.resources[official[url].Type] = true
	}
	for url, els := range b.sds {
		b.rootKeys[lastSegment(url)] = errorKeys(els[0])
		for _, e := range els[1:] {
			if hasChildren(els, e.Path) {
				b.rootKeys[e.Path] = errorKeys(e)
			}
		}
	}
	for _, url := range append(resources, datatypes...) {
		if err := b.addDefinition(url); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func errorKeys(e fullElement) map[string]bool {
	keys := map[string]bool{}
	for _, c := range e.Constraint {
		if c.Severity == "error" {
			keys[c.Key] = true
		}
	}
	return keys
}

func hasChildren(els []fullElement, path string) bool {
	for _, e := range els {
		if strings.HasPrefix(e.Path, path+".") {
			return true
		}
	}
	return false
}

// addDefinition adds the types of one definition: the type itself, then
// its backbone elements in the order of the snapshot.
func (b *modelBuilder) addDefinition(url string) error {
	sd, els := b.info[url], b.sds[url]
	name := lastSegment(url)
	kind := map[string]string{"resource": "resource", "complex-type": "complex", "primitive-type": "primitive"}[sd.Kind]
	switch {
	case sd.Abstract:
		kind = "abstract"
	case sd.Derivation == "constraint":
		kind = "profile"
	}
	root := els[0].Path // "Quantity" for SimpleQuantity
	t := vType{name: name, kind: kind, base: lastSegment(sd.BaseDefinition)}
	t.invariants = b.ownInvariants(els[0], b.rootKeys[t.base])
	if kind == "primitive" {
		t.regex = primitiveRegex(els, root)
		b.out = append(b.out, t)
		return nil
	}
	idx := len(b.out)
	b.out = append(b.out, t)
	elems, err := b.children(els, root, root)
	if err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	b.out[idx].elems = elems
	return nil
}

// children returns the elements directly under path, and adds the
// backbone types below them. prefix is the path the definition's elements
// start with, which names its backbone types (Quantity's for
// SimpleQuantity, whose elements are Quantity's).
func (b *modelBuilder) children(els []fullElement, path, root string) ([]vElem, error) {
	var out []vElem
	var backbones []fullElement
	for _, e := range els {
		rest, ok := strings.CutPrefix(e.Path, path+".")
		if !ok || strings.Contains(rest, ".") || e.Max == "0" {
			continue
		}
		ve := vElem{name: rest, min: e.Min, max: e.Max, fixed: e.fixed, pattern: e.pattern}
		inherited := map[string]bool{}
		switch {
		case e.ContentReference != "":
			ref := strings.TrimPrefix(e.ContentReference, "#")
			ve.types = []string{ref}
			inherited = b.rootKeys[ref]
		case hasChildren(els, e.Path):
			ve.types = []string{e.Path}
			backbones = append(backbones, e)
			inherited = nil // its invariants are its type's
		default:
			for _, t := range e.Type {
				code := b.typeName(t)
				if code == "" {
					return nil, fmt.Errorf("%s: type %q", e.Path, t.Code)
				}
				rendered := code + b.targets(t)
				if strings.HasPrefix(t.Code, "http://hl7.org/fhirpath/System.") {
					rendered += "=" // a FHIRPath system type: no _name sibling
				}
				ve.types = append(ve.types, rendered)
				for k := range b.rootKeys[code] {
					inherited[k] = true
				}
			}
		}
		if len(ve.types) == 0 {
			return nil, fmt.Errorf("%s has no type", e.Path)
		}
		if inherited != nil {
			ve.invs = b.ownInvariants(e, inherited)
		}
		if e.Binding != nil && e.Binding.Strength == "required" && e.Binding.ValueSet != "" {
			ve.binding, _, _ = strings.Cut(e.Binding.ValueSet, "|")
			if !slices.Contains(b.bindings, ve.binding) {
				b.bindings = append(b.bindings, ve.binding)
			}
		}
		out = append(out, ve)
	}
	for _, e := range backbones {
		t := vType{name: e.Path, kind: "backbone", base: b.typeName(e.Type[0])}
		t.invariants = b.ownInvariants(e, b.rootKeys[t.base])
		idx := len(b.out)
		b.out = append(b.out, t)
		elems, err := b.children(els, e.Path, root)
		if err != nil {
			return nil, err
		}
		b.out[idx].elems = elems
	}
	return out, nil
}

// ownInvariants returns the error invariants of e that it does not
// inherit: those not in skip.
func (b *modelBuilder) ownInvariants(e fullElement, skip map[string]bool) []constraint {
	var out []constraint
	for _, c := range e.Constraint {
		if c.Severity == "error" && !skip[c.Key] {
			c.Human = strings.Join(strings.Fields(c.Human), " ")
			out = append(out, c)
		}
	}
	return out
}

// typeName returns the model's name of a type: its code, a profile the
// model holds (SimpleQuantity), or, for the FHIRPath system types of id,
// extension and value elements, the FHIR type they stand for.
func (b *modelBuilder) typeName(t fullType) string {
	for _, p := range t.Profile {
		if _, ok := b.info[p]; ok {
			return lastSegment(p)
		}
	}
	if !strings.HasPrefix(t.Code, "http://hl7.org/fhirpath/System.") {
		return t.Code
	}
	for _, x := range t.Extension {
		if x.URL == "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type" && x.ValueURL != "" {
			return x.ValueURL
		}
	}
	return "string"
}

// targets returns "(T1|T2)" for a Reference or canonical limited to some
// official resource types, or "" for any.
func (b *modelBuilder) targets(t fullType) string {
	var names []string
	for _, p := range t.TargetProfile {
		n := lastSegment(p)
		if n == "Resource" || n == "DomainResource" {
			return ""
		}
		if b.resources[n] && strings.HasPrefix(p, sdPrefix) && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "(" + strings.Join(names, "|") + ")"
}

// primitiveRegex returns the regex of a primitive type's value.
func primitiveRegex(els []fullElement, root string) string {
	for _, e := range els {
		if e.Path != root+".value" {
			continue
		}
		for _, t := range e.Type {
			for _, x := range t.Extension {
				if x.URL == "http://hl7.org/fhir/StructureDefinition/regex" {
					return x.ValueString
				}
			}
		}
	}
	return ""
}
