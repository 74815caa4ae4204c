package validate

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
)

// Required bindings, Reference targets and fixed and pattern values: the
// checks of an element's value that its definition gives beyond its type.

// listed returns " (a | b | c)" for a value set of a few codes, for
// messages, or "".
func (s *codeSet) listed() string {
	if len(s.codes) > 12 {
		return ""
	}
	var all []string
	for _, sys := range s.systems {
		for c := range s.bySystem[sys] {
			all = append(all, c)
		}
	}
	slices.Sort(all)
	return " (" + strings.Join(all, " | ") + ")"
}

// has reports whether the Coding v is in the value set: its system is one
// of the set's and its code one of that system's.
func (s *codeSet) has(v any) bool {
	coding, _ := v.(map[string]any)
	system, _ := coding["system"].(string)
	code, _ := coding["code"].(string)
	return s.bySystem[system][code]
}

// codings checks a Coding or CodeableConcept bound to set: a Coding is in
// it, and a CodeableConcept has a coding in it (others may come beside).
func (c *checker) codings(obj map[string]any, def *typeDef, set *codeSet) {
	switch def.name {
	case "Coding":
		if !set.has(obj) {
			system, _ := obj["system"].(string)
			code, _ := obj["code"].(string)
			c.add(fhir.IssueValue, "The coding %s|%s is not in the value set %s%s.", clip(system), clip(code), set.url, set.listed())
		}
	case "CodeableConcept":
		list, _ := obj["coding"].([]any)
		if slices.ContainsFunc(list, set.has) {
			return
		}
		if len(list) == 0 {
			c.add(fhir.IssueValue, "The concept has no coding, and needs one from the value set %s%s.", set.url, set.listed())
			return
		}
		c.add(fhir.IssueValue, "None of the codings of the concept is in the value set %s%s: a coding of %s is needed.",
			set.url, set.listed(), strings.Join(set.systems, " or "))
	}
}

// referenceTarget checks that the Reference obj points at a resource of
// one of the types its element allows, as far as its reference string (or
// the contained resource it names) and its type tell.
func (c *checker) referenceTarget(obj map[string]any, targets map[string]bool, ids map[string]string, e *elemDef) {
	allowed := func() string {
		names := make([]string, 0, len(targets))
		for t := range targets {
			names = append(names, t)
		}
		slices.Sort(names)
		return strings.Join(names, ", ")
	}
	if ref, ok := obj["reference"].(string); ok {
		typ := referenceType(ref, ids)
		if typ != "" && c.m.resources[typ] && !targets[typ] {
			c.push(seg{kind: segKey, key: "reference"})
			c.add(fhir.IssueValue, "The reference %q is to a %s, but %s refers to %s only.", clip(ref), typ, e.name, allowed())
			c.pop()
		}
	}
	if typ, ok := obj["type"].(string); ok {
		name := strings.TrimPrefix(typ, "http://hl7.org/fhir/StructureDefinition/")
		if c.m.resources[name] && !targets[name] {
			c.push(seg{kind: segKey, key: "type"})
			c.add(fhir.IssueValue, "The reference's type is %s, but %s refers to %s only.", clip(name), e.name, allowed())
			c.pop()
		}
	}
}

// referenceType returns the resource type a reference string names: the
// Type of Type/id (relative, absolute or versioned) or Type?query, or the
// type of the contained resource #id; "" when it names none (urn:uuid:,
// urn:oid:, malformed).
func referenceType(ref string, ids map[string]string) string {
	if id, ok := strings.CutPrefix(ref, "#"); ok {
		return ids[id]
	}
	if strings.HasPrefix(ref, "urn:") {
		return ""
	}
	if head, _, ok := strings.Cut(ref, "?"); ok && !strings.Contains(head, "/") {
		return head
	}
	if i := strings.Index(ref, "/_history/"); i >= 0 {
		ref = ref[:i]
	}
	i := strings.LastIndexByte(ref, '/')
	if i <= 0 {
		return ""
	}
	head := ref[:i]
	return head[strings.LastIndexByte(head, '/')+1:]
}

// fixedValues checks the fixed[x] and pattern[x] of element e on v.
func (c *checker) fixedValues(v any, e *elemDef) {
	if e.fixed != nil && !jsonEqual(v, e.fixed.value) {
		c.add(fhir.IssueValue, "The value must be %s (%s).", clip(compact(e.fixed.value)), e.fixed.key)
	}
	if e.pattern != nil && !matchesPattern(v, e.pattern.value) {
		c.add(fhir.IssueValue, "The value must match %s (%s).", clip(compact(e.pattern.value)), e.pattern.key)
	}
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// jsonEqual reports whether two JSON values are equal, numbers by value.
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		return ok && slices.EqualFunc(x, y, jsonEqual)
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		f, err1 := strconv.ParseFloat(string(x), 64)
		g, err2 := strconv.ParseFloat(string(y), 64)
		return x == y || (err1 == nil && err2 == nil && f == g)
	}
	return a == b
}

// matchesPattern reports whether v matches the pattern p: every member of
// an object pattern matches in v, every item of an array pattern matches
// some item of v, and other values are equal.
func matchesPattern(v, p any) bool {
	switch q := p.(type) {
	case map[string]any:
		obj, ok := v.(map[string]any)
		if !ok {
			return false
		}
		for k, want := range q {
			if got, ok := obj[k]; !ok || !matchesPattern(got, want) {
				return false
			}
		}
		return true
	case []any:
		list, ok := v.([]any)
		if !ok {
			return false
		}
		for _, want := range q {
			if !slices.ContainsFunc(list, func(got any) bool { return matchesPattern(got, want) }) {
				return false
			}
		}
		return true
	}
	return jsonEqual(v, p)
}
