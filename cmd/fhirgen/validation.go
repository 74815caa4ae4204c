package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// The element model of package validate (fhir/validate/model_gen.txt) is
// generated from the same pinned definitions as the registry, restricted to
// official R4: the resource types are the concrete resource
// StructureDefinitions of the official examples package (146, without
// Medplum's SubscriptionStatus), and each element is Medplum's where it
// agrees with the official definition in everything the model holds but
// its invariants (so that Medplum's corrections of R4's invariants, such
// as app-4's 'noshow', are kept), and the official one elsewhere (so that
// Medplum-only fields such as Meta.author and Medplum's R5-style
// EvidenceVariable and ResearchStudy are not).

// validationOut is the file the model is written to.
const validationOut = "fhir/validate/model_gen.txt"

// examplesSource names the official package; keep it in step with
// scripts/fetch-definitions.sh.
const examplesSource = "hl7.fhir.r4.examples 4.0.1"

const sdPrefix = "http://hl7.org/fhir/StructureDefinition/"

// fullSD is the part of a StructureDefinition the model is made from.
type fullSD struct {
	ResourceType   string `json:"resourceType"`
	URL            string `json:"url"`
	Type           string `json:"type"`
	Kind           string `json:"kind"`
	Abstract       bool   `json:"abstract"`
	Derivation     string `json:"derivation"`
	BaseDefinition string `json:"baseDefinition"`
	Snapshot       struct {
		Element []fullElement `json:"element"`
	} `json:"snapshot"`
}

// fullElement is the part of an ElementDefinition the model uses.
type fullElement struct {
	Path             string       `json:"path"`
	Min              int          `json:"min"`
	Max              string       `json:"max"`
	ContentReference string       `json:"contentReference"`
	Type             []fullType   `json:"type"`
	Binding          *fullBinding `json:"binding"`
	Constraint       []constraint `json:"constraint"`
	// fixed and pattern hold fixed[x] and pattern[x]: the JSON key (with
	// its type suffix) and value.
	fixed, pattern [2]string
}

type fullType struct {
	Code          string   `json:"code"`
	Profile       []string `json:"profile"`
	TargetProfile []string `json:"targetProfile"`
	Extension     []struct {
		URL         string `json:"url"`
		ValueURL    string `json:"valueUrl"`
		ValueString string `json:"valueString"`
	} `json:"extension"`
}

type fullBinding struct {
	Strength string `json:"strength"`
	ValueSet string `json:"valueSet"`
}

type constraint struct {
	Key        string `json:"key"`
	Severity   string `json:"severity"`
	Human      string `json:"human"`
	Expression string `json:"expression"`
}

// UnmarshalJSON reads the element and its fixed[x] and pattern[x].
func (e *fullElement) UnmarshalJSON(b []byte) error {
	type plain fullElement
	if err := json.Unmarshal(b, (*plain)(e)); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	for k, v := range all {
		switch {
		case strings.HasPrefix(k, "fixed") && len(k) > 5:
			e.fixed = [2]string{k, compactJSON(v)}
		case strings.HasPrefix(k, "pattern") && len(k) > 7:
			e.pattern = [2]string{k, compactJSON(v)}
		}
	}
	return nil
}

func compactJSON(v json.RawMessage) string {
	var out strings.Builder
	var x any
	d := json.NewDecoder(strings.NewReader(string(v)))
	d.UseNumber()
	if d.Decode(&x) != nil {
		return string(v)
	}
	b, _ := json.Marshal(x)
	out.Write(b)
	return out.String()
}

// loadSDBundle reads the StructureDefinitions of a Bundle by URL.
func loadSDBundle(path string, into map[string]*fullSD) error {
	var bundle struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := readJSON(path, &bundle); err != nil {
		return err
	}
	for i, e := range bundle.Entry {
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if err := json.Unmarshal(e.Resource, &head); err != nil {
			return fmt.Errorf("%s: entry %d: %w", path, i, err)
		}
		if head.ResourceType != "StructureDefinition" {
			continue
		}
		sd := new(fullSD)
		if err := json.Unmarshal(e.Resource, sd); err != nil {
			return fmt.Errorf("%s: entry %d: %w", path, i, err)
		}
		into[sd.URL] = sd
	}
	return nil
}

// loadOfficialSDs reads the core StructureDefinitions of the official
// package: one file each, StructureDefinition-*.json.
func loadOfficialSDs(dir string) (map[string]*fullSD, error) {
	files, err := filepath.Glob(filepath.Join(dir, "StructureDefinition-*.json"))
	if err != nil {
		return nil, err
	}
	out := map[string]*fullSD{}
	for _, f := range files {
		sd := new(fullSD)
		if err := readJSON(f, sd); err != nil {
			return nil, err
		}
		if sd.ResourceType == "StructureDefinition" && strings.HasPrefix(sd.URL, sdPrefix) && sd.URL == sdPrefix+lastSegment(sd.URL) {
			out[sd.URL] = sd
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no StructureDefinitions", dir)
	}
	return out, nil
}

func lastSegment(url string) string { return url[strings.LastIndexByte(url, '/')+1:] }

// officialTypes returns the URLs of the definitions the model holds: the
// concrete resource types, the data types (complex and primitive), the
// abstract bases their invariants come from (Resource, DomainResource,
// Element, BackboneElement), and the data-type profiles elements use
// (SimpleQuantity), in that order, each group sorted.
func officialTypes(official map[string]*fullSD) (resources, datatypes []string) {
	for url, sd := range official {
		if sd.Type != lastSegment(url) && !usedProfile(official, url) {
			continue // an example or a profile
		}
		switch {
		case sd.Kind == "resource" && !sd.Abstract && sd.Derivation == "specialization":
			resources = append(resources, url)
		case sd.Kind == "resource" && sd.Abstract:
			datatypes = append(datatypes, url)
		case sd.Kind == "complex-type" || sd.Kind == "primitive-type":
			if sd.Derivation == "specialization" || sd.Abstract || usedProfile(official, url) {
				datatypes = append(datatypes, url)
			}
		}
	}
	slices.Sort(resources)
	slices.Sort(datatypes)
	return resources, datatypes
}

// usedProfile reports whether some element of a core definition is typed
// with the profile url (Quantity with SimpleQuantity).
func usedProfile(official map[string]*fullSD, url string) bool {
	for _, sd := range official {
		if sd.Derivation != "specialization" {
			continue
		}
		for _, e := range sd.Snapshot.Element {
			for _, t := range e.Type {
				if slices.Contains(t.Profile, url) {
					return true
				}
			}
		}
	}
	return false
}

// mergeElements returns the snapshot of the official definition with each
// element replaced by Medplum's where the two agree on the model's
// structure, and the number of elements taken from the official one
// because Medplum's differ.
func mergeElements(official, medplum *fullSD) ([]fullElement, int) {
	byPath := map[string]*fullElement{}
	if medplum != nil {
		for i := range medplum.Snapshot.Element {
			e := &medplum.Snapshot.Element[i]
			byPath[e.Path] = e
		}
	}
	out := make([]fullElement, 0, len(official.Snapshot.Element))
	differ := 0
	for _, e := range official.Snapshot.Element {
		if m := byPath[e.Path]; m != nil && structureKey(*m) == structureKey(e) {
			out = append(out, *m)
			continue
		}
		differ++
		out = append(out, e)
	}
	return out, differ
}

// structureKey is what the model takes from an element, its invariants
// aside.
func structureKey(e fullElement) string {
	b, _ := json.Marshal([]any{e.Min, e.Max, e.ContentReference, e.Type, e.Binding, e.fixed, e.pattern})
	return string(b)
}
