package main

import (
	"fmt"
	"slices"
	"strings"
)

// alwaysSummary are the elements a type's summary always holds, whatever
// its definition marks: without them a summarized resource could not be
// identified or versioned.
var alwaysSummary = []string{"id", "meta"}

// topElement is one top-level element of a resource type.
type topElement struct {
	// name is the element's JSON name; for a choice element, the base name
	// without "[x]" (e.g. "value"), which the JSON keys of the choice
	// extend with a type name (e.g. "valueQuantity").
	name    string
	choice  bool
	min     int
	summary bool
}

// topElements returns the top-level elements of the snapshot of type
// name's definition, in definition order. It fails on a snapshot whose
// paths are not about the type and on a repeated name.
func topElements(sd *structureDefinition, name string) ([]topElement, error) {
	var out []topElement
	seen := map[string]bool{}
	for _, el := range sd.Snapshot.Element {
		if el.Path == name {
			continue
		}
		rest, ok := strings.CutPrefix(el.Path, name+".")
		if !ok || rest == "" {
			return nil, fmt.Errorf("%s: element path %q is not about the type", sd.URL, el.Path)
		}
		if strings.Contains(rest, ".") {
			continue
		}
		base, choice := strings.CutSuffix(rest, "[x]")
		if seen[base] {
			return nil, fmt.Errorf("%s: element %q repeated", sd.URL, base)
		}
		seen[base] = true
		out = append(out, topElement{name: base, choice: choice, min: el.Min, summary: el.IsSummary})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no top-level elements", sd.URL)
	}
	return out, nil
}

// summaryNames returns, in definition order, the names of the elements
// marked isSummary and of the alwaysSummary ones. An alwaysSummary element
// the definition lacks altogether is put first.
func summaryNames(elems []topElement) []string {
	var out []string
	for _, e := range elems {
		if e.summary || slices.Contains(alwaysSummary, e.name) {
			out = append(out, e.key())
		}
	}
	var missing []string
	for _, n := range alwaysSummary {
		if !slices.Contains(out, n) {
			missing = append(missing, n)
		}
	}
	return append(missing, out...)
}

// mandatoryNames returns, in definition order, the names of the elements
// with a minimum cardinality of at least one.
func mandatoryNames(elems []topElement) []string {
	var out []string
	for _, e := range elems {
		if e.min >= 1 {
			out = append(out, e.key())
		}
	}
	return out
}

// key is the element's name in the registry: a choice's base name with
// "[x]" ("value[x]"), any other element's name.
func (e topElement) key() string {
	if e.choice {
		return e.name + "[x]"
	}
	return e.name
}
