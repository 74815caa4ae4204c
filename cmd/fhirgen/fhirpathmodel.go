package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"strings"
)

// fhirpathModelFile is the output of genFHIRPathModel.
const fhirpathModelFile = "fhir/fhirpath/model_gen.go"

// typesProfilesFile is the Bundle of data type StructureDefinitions.
const typesProfilesFile = "profiles-types.json"

// openChoiceMin is the number of types from which a choice element is
// written as open ("*"): Extension.value[x] and the ElementDefinition
// choices take every one of the fifty-odd types, and listing them would
// only repeat the evaluator's table of type suffixes.
const openChoiceMin = 40

// modelDefinition is the part of a StructureDefinition the FHIRPath
// element table needs.
type modelDefinition struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Kind         string `json:"kind"`
	Derivation   string `json:"derivation"`
	Snapshot     struct {
		Element []modelElement `json:"element"`
	} `json:"snapshot"`
}

// modelElement is the part of an ElementDefinition the table needs.
type modelElement struct {
	Path             string `json:"path"`
	ContentReference string `json:"contentReference"`
	Base             struct {
		Path string `json:"path"`
	} `json:"base"`
	Type []struct {
		Code      string `json:"code"`
		Extension []struct {
			URL      string `json:"url"`
			ValueURL string `json:"valueUrl"`
		} `json:"extension"`
	} `json:"type"`
}

// genFHIRPathModel writes the element table of package fhirpath: for every
// resource type, complex data type and backbone element of the R4
// definitions in dir, its elements and their types.
func genFHIRPathModel(dir, out string) error {
	var defs []modelDefinition
	for _, f := range []string{typesProfilesFile, profilesFile} {
		d, err := loadModelDefinitions(filepath.Join(dir, f))
		if err != nil {
			return err
		}
		defs = append(defs, d...)
	}
	src, err := renderModel(buildModel(defs))
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}

// loadModelDefinitions reads the specializations of a Bundle of
// StructureDefinitions: the base definitions of resources and complex
// types, not the profiles (such as SimpleQuantity) nor the primitive types,
// whose value the evaluator reads from the JSON directly.
func loadModelDefinitions(path string) ([]modelDefinition, error) {
	var bundle struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := readJSON(path, &bundle); err != nil {
		return nil, err
	}
	var out []modelDefinition
	for i, e := range bundle.Entry {
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if err := json.Unmarshal(e.Resource, &head); err != nil {
			return nil, fmt.Errorf("%s: entry %d: %w", path, i, err)
		}
		if head.ResourceType != "StructureDefinition" {
			continue
		}
		var sd modelDefinition
		if err := json.Unmarshal(e.Resource, &sd); err != nil {
			return nil, fmt.Errorf("%s: entry %d: %w", path, i, err)
		}
		if sd.Derivation == "constraint" || (sd.Kind != "resource" && sd.Kind != "complex-type") {
			continue
		}
		out = append(out, sd)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no StructureDefinitions", path)
	}
	return out, nil
}

// modelType is one line of the table: a type and its elements, each
// "name:Type" or "name[x]:T1|T2".
type modelType struct {
	name  string
	elems []string
}

// inheritedBases are the types whose elements every descendant has; the
// evaluator looks them up there, so they are written once.
var inheritedBases = []string{"Element.", "BackboneElement.", "Resource.", "DomainResource."}

// buildModel lists the elements of every definition, grouped by their
// parent: the type itself, or a backbone element named by its path.
func buildModel(defs []modelDefinition) []modelType {
	var out []modelType
	for _, sd := range defs {
		byParent := map[string][]string{}
		var order []string
		for _, el := range sd.Snapshot.Element {
			parent, name, ok := splitPath(el.Path)
			if !ok || isInherited(sd.Type, el.Base.Path) {
				continue
			}
			if _, seen := byParent[parent]; !seen {
				order = append(order, parent)
			}
			byParent[parent] = append(byParent[parent], name+":"+elementType(el))
		}
		for _, p := range order {
			out = append(out, modelType{name: p, elems: byParent[p]})
		}
	}
	return out
}

// splitPath splits an element path at its last dot into the parent path
// and the element name; it reports false for a root path.
func splitPath(path string) (parent, name string, ok bool) {
	i := strings.LastIndexByte(path, '.')
	if i < 0 {
		return "", "", false
	}
	return path[:i], path[i+1:], true
}

// isInherited reports whether an element comes from one of the common
// bases, and the definition is not that base itself.
func isInherited(typ, base string) bool {
	for _, b := range inheritedBases {
		if strings.HasPrefix(base, b) && typ+"." != b {
			return true
		}
	}
	return false
}

// elementType returns the type of an element as the table writes it.
func elementType(el modelElement) string {
	if el.ContentReference != "" {
		return strings.TrimPrefix(el.ContentReference, "#")
	}
	if len(el.Type) >= openChoiceMin {
		return "*"
	}
	codes := make([]string, 0, len(el.Type))
	for _, t := range el.Type {
		code := t.Code
		switch {
		case code == "BackboneElement" || code == "Element":
			code = el.Path
		case strings.HasPrefix(code, "http://hl7.org/fhirpath/System."):
			code = systemTypeCode(t.Code)
			for _, x := range t.Extension {
				if x.URL == "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type" && x.ValueURL != "" {
					code = x.ValueURL
				}
			}
		}
		codes = append(codes, code)
	}
	return strings.Join(codes, "|")
}

// systemTypeCode maps a FHIRPath System type to the FHIR primitive the
// evaluator types its values with.
func systemTypeCode(code string) string {
	name := strings.TrimPrefix(code, "http://hl7.org/fhirpath/System.")
	if name == "DateTime" {
		return "dateTime"
	}
	return strings.ToLower(name[:1]) + name[1:]
}

// renderModel writes model_gen.go: the table as one string constant, one
// type a line, lines wrapped with a leading tab.
func renderModel(types []modelType) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by fhirgen from %s; DO NOT EDIT.\n\n", definitionsSource)
	b.WriteString("package fhirpath\n\n")
	b.WriteString("// elementTable describes the elements of every R4 resource type, complex\n")
	b.WriteString("// data type and backbone element (see parseElementTable).\n")
	b.WriteString("const elementTable = `\n")
	for _, t := range types {
		line := t.name
		for _, e := range t.elems {
			if len(line)+1+len(e) > 100 {
				b.WriteString(line + "\n")
				line = "\t" + e
				continue
			}
			line += " " + e
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("`\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting %s: %w", fhirpathModelFile, err)
	}
	return src, nil
}
