package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// The value sets of the required bindings are expanded when generating,
// into the codes of each system, from the R4 package's ValueSets and
// CodeSystems (Medplum's bundles first, the official package's files
// where a resource is missing from them). A value set is enumerable when
// each of its includes lists its concepts, or names a whole code system
// whose content the package holds completely, or includes enumerable value
// sets; excludes are subtracted. Any other value set (all of UCUM, the
// mime types, ISO 4217 currencies, a LOINC answer list the package does
// not hold, a filter) is not enforced, and the model says why.

// terminologyFiles are the Bundles of Medplum's package that hold
// ValueSets and CodeSystems.
var terminologyFiles = []string{"valuesets.json", "v3-codesystems.json", "v2-tables.json"}

type valueSet struct {
	ResourceType string `json:"resourceType"`
	URL          string `json:"url"`
	Compose      struct {
		Include []vsInclude `json:"include"`
		Exclude []vsInclude `json:"exclude"`
	} `json:"compose"`
}

type vsInclude struct {
	System   string                  `json:"system"`
	Concept  []struct{ Code string } `json:"concept"`
	Filter   []json.RawMessage       `json:"filter"`
	ValueSet []string                `json:"valueSet"`
}

type codeSystem struct {
	ResourceType string    `json:"resourceType"`
	URL          string    `json:"url"`
	Content      string    `json:"content"`
	Concept      []concept `json:"concept"`
}

type concept struct {
	Code    string    `json:"code"`
	Concept []concept `json:"concept"`
}

// terminology holds the ValueSets and CodeSystems by URL.
type terminology struct {
	valueSets   map[string]*valueSet
	codeSystems map[string]*codeSystem
}

// loadTerminology reads Medplum's bundles, then the official package's
// ValueSet- and CodeSystem- files for what they lack.
func loadTerminology(defsDir, examplesDir string) (*terminology, error) {
	t := &terminology{valueSets: map[string]*valueSet{}, codeSystems: map[string]*codeSystem{}}
	for _, name := range terminologyFiles {
		var bundle struct {
			Entry []struct {
				Resource json.RawMessage `json:"resource"`
			} `json:"entry"`
		}
		path := filepath.Join(defsDir, name)
		if err := readJSON(path, &bundle); err != nil {
			return nil, err
		}
		for i, e := range bundle.Entry {
			if err := t.add(e.Resource); err != nil {
				return nil, fmt.Errorf("%s: entry %d: %w", path, i, err)
			}
		}
	}
	for _, pattern := range []string{"ValueSet-*.json", "CodeSystem-*.json"} {
		files, err := filepath.Glob(filepath.Join(examplesDir, pattern))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			var raw json.RawMessage
			if err := readJSON(f, &raw); err != nil {
				return nil, err
			}
			if err := t.add(raw); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
		}
	}
	return t, nil
}

// add keeps a ValueSet or CodeSystem unless one of its URL is there.
func (t *terminology) add(raw json.RawMessage) error {
	var head struct {
		ResourceType string `json:"resourceType"`
		URL          string `json:"url"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return err
	}
	switch head.ResourceType {
	case "ValueSet":
		if t.valueSets[head.URL] == nil {
			vs := new(valueSet)
			if err := json.Unmarshal(raw, vs); err != nil {
				return err
			}
			t.valueSets[head.URL] = vs
		}
	case "CodeSystem":
		if t.codeSystems[head.URL] == nil {
			cs := new(codeSystem)
			if err := json.Unmarshal(raw, cs); err != nil {
				return err
			}
			t.codeSystems[head.URL] = cs
		}
	}
	return nil
}

// expansion is the codes of a value set, by system, in a stable order.
type expansion struct {
	systems []string
	codes   map[string][]string
}

func (x *expansion) add(system, code string) {
	if x.codes == nil {
		x.codes = map[string][]string{}
	}
	if _, ok := x.codes[system]; !ok {
		x.systems = append(x.systems, system)
	}
	if !slices.Contains(x.codes[system], code) {
		x.codes[system] = append(x.codes[system], code)
	}
}

// expand returns the codes of the value set url, or why it is not
// enumerable.
func (t *terminology) expand(url string, depth int) (*expansion, string) {
	vs := t.valueSets[url]
	switch {
	case vs == nil:
		return nil, "the package does not hold the value set"
	case depth > 10:
		return nil, "the value set includes itself"
	}
	x := &expansion{}
	for _, inc := range vs.Compose.Include {
		part, why := t.include(inc, depth)
		if why != "" {
			return nil, why
		}
		for _, s := range part.systems {
			for _, c := range part.codes[s] {
				x.add(s, c)
			}
		}
	}
	for _, exc := range vs.Compose.Exclude {
		part, why := t.include(exc, depth)
		if why != "" {
			return nil, "exclude: " + why
		}
		for _, s := range part.systems {
			x.codes[s] = slices.DeleteFunc(x.codes[s], func(c string) bool { return slices.Contains(part.codes[s], c) })
		}
	}
	if len(x.systems) == 0 {
		return nil, "the value set has no codes"
	}
	return x, ""
}

// include expands one include (or exclude) of a value set.
func (t *terminology) include(inc vsInclude, depth int) (*expansion, string) {
	x := &expansion{}
	switch {
	case len(inc.Filter) > 0:
		return nil, "a filter on " + inc.System
	case len(inc.ValueSet) > 0 && inc.System != "":
		return nil, "an intersection of value sets with " + inc.System
	}
	for _, u := range inc.ValueSet {
		part, why := t.expand(strings.Split(u, "|")[0], depth+1)
		if why != "" {
			return nil, u + ": " + why
		}
		for _, s := range part.systems {
			for _, c := range part.codes[s] {
				x.add(s, c)
			}
		}
	}
	switch {
	case inc.System == "":
	case len(inc.Concept) > 0:
		for _, c := range inc.Concept {
			x.add(inc.System, c.Code)
		}
	default:
		cs := t.codeSystems[inc.System]
		if cs == nil {
			return nil, "all of " + inc.System + ", which the package does not hold"
		}
		if cs.Content != "complete" {
			return nil, "all of " + inc.System + ", whose content here is " + cs.Content
		}
		var walk func([]concept)
		walk = func(cs []concept) {
			for _, c := range cs {
				x.add(inc.System, c.Code)
				walk(c.Concept)
			}
		}
		walk(cs.Concept)
	}
	return x, ""
}
