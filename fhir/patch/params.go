package patch

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
)

// operation is one operation of a FHIRPath Patch, as its parts gave it.
type operation struct {
	n     int    // the position of the operation in the Parameters, from 1
	at    string // the FHIRPath of the operation in the Parameters
	typ   string // add, insert, delete, replace or move
	path  string
	steps []step
	name  string
	value *valueSpec
	index int
	src   int
	dst   int
	seen  map[string]bool // the names of the parts given
	// budget is what is left of MaxElementsReached for the patch.
	budget *int
}

// valueSpec is the value part of an operation, or of a nested part: a
// value[x], a resource, or nested parts that make up an element.
type valueSpec struct {
	suffix string       // the type in the value[x] key ("HumanName"); empty otherwise
	v      any          // the value[x] or the resource
	ext    any          // the _value[x] beside a primitive value[x]: its id and extensions
	parts  []namedValue // the nested parts, when the value is given as parts
}

// namedValue is a nested part: one child element of a value given as parts.
type namedValue struct {
	name  string
	value *valueSpec
}

// partsNeeded lists, per operation type, the parts it needs besides type
// and path; partsAllowed the parts it takes at all.
var (
	partsNeeded = map[string][]string{
		"add":     {"name", "value"},
		"insert":  {"value", "index"},
		"delete":  {},
		"replace": {"value"},
		"move":    {"source", "destination"},
	}
	partsAllowed = map[string]bool{
		"type": true, "path": true, "name": true, "value": true,
		"index": true, "source": true, "destination": true,
	}
)

// parseParameters reads the operations of the FHIRPath Patch params.
func parseParameters(params map[string]any) ([]*operation, error) {
	if rt, _ := params["resourceType"].(string); rt != "Parameters" {
		return nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueInvalid,
			"a FHIRPath Patch must be a Parameters resource, not %q", rt)
	}
	raw, ok := params["parameter"]
	if !ok {
		return nil, nil // A patch without operations changes nothing.
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueStructure,
			"Parameters.parameter must be a list").At("Parameters.parameter")
	}
	if len(list) > MaxOperations {
		return nil, tooManyOperations("FHIRPath Patch", len(list)).At("Parameters.parameter")
	}
	ops := make([]*operation, 0, len(list))
	for i, p := range list {
		op, err := parseOperation(i, p)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// parseOperation reads the parameter at index i of the Parameters.
func parseOperation(i int, p any) (*operation, error) {
	op := &operation{n: i + 1, at: fmt.Sprintf("Parameters.parameter[%d]", i), seen: map[string]bool{}}
	m, ok := p.(map[string]any)
	if !ok {
		return nil, op.invalid(fhir.IssueStructure, "the parameter is not an object")
	}
	if name, _ := m["name"].(string); name != "operation" {
		return nil, op.invalid(fhir.IssueInvalid,
			"the parameter is named %q; a FHIRPath Patch holds only parameters named \"operation\"", name)
	}
	parts, ok := m["part"].([]any)
	if !ok || len(parts) == 0 {
		return nil, op.invalid(fhir.IssueRequired, "the operation has no parts")
	}
	for j, part := range parts {
		if err := op.readPart(part); err != nil {
			return nil, op.invalid(fhir.IssueInvalid, "part %d: %s", j+1, err).
				At(fmt.Sprintf("%s.part[%d]", op.at, j))
		}
	}
	return op, op.check()
}

// invalid returns an error of kind invalid about op, located at op.
func (op *operation) invalid(code fhir.IssueType, format string, args ...any) *fhir.Error {
	return fhir.Errorf(fhir.KindInvalid, code, "FHIRPath Patch operation %d: %s",
		op.n, fmt.Sprintf(format, args...)).At(op.at)
}

// readPart reads one part of op.
func (op *operation) readPart(p any) error {
	m, ok := p.(map[string]any)
	if !ok {
		return fmt.Errorf("the part is not an object")
	}
	name, _ := m["name"].(string)
	if !partsAllowed[name] {
		return fmt.Errorf("unknown part %q; expected type, path, name, value, index, source or destination", name)
	}
	if op.seen[name] {
		return fmt.Errorf("the part %q is given twice", name)
	}
	op.seen[name] = true
	var err error
	switch name {
	case "type":
		op.typ, err = stringPart(m, name)
	case "path":
		op.path, err = stringPart(m, name)
	case "name":
		op.name, err = stringPart(m, name)
	case "index":
		op.index, err = intPart(m, name)
	case "source":
		op.src, err = intPart(m, name)
	case "destination":
		op.dst, err = intPart(m, name)
	case "value":
		op.value, err = readValue(m)
	}
	return err
}

// check checks that op has the parts its type needs and no others, and
// parses its path.
func (op *operation) check() error {
	if !op.seen["type"] {
		return op.invalid(fhir.IssueRequired, "the operation has no type part")
	}
	needed, ok := partsNeeded[op.typ]
	if !ok {
		return op.invalid(fhir.IssueInvalid, "unknown type %q; expected add, insert, delete, replace or move", op.typ)
	}
	if !op.seen["path"] {
		return op.invalid(fhir.IssueRequired, "%s has no path part", op.typ)
	}
	for _, name := range needed {
		if !op.seen[name] {
			return op.invalid(fhir.IssueRequired, "%s needs a %s part", op.typ, name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(op.seen)) {
		if name != "type" && name != "path" && !slices.Contains(needed, name) {
			return op.invalid(fhir.IssueInvalid, "%s does not take a %s part", op.typ, name)
		}
	}
	if op.typ == "add" && !isName(op.name) {
		return op.invalid(fhir.IssueInvalid, "add: %q is not an element name", op.name)
	}
	steps, err := parsePath(op.path)
	if err != nil {
		return fhir.Errorf(err.kind, err.code, "FHIRPath Patch operation %d (%s %s): %s",
			op.n, op.typ, op.path, err.msg).At(op.at)
	}
	op.steps = steps
	return nil
}

// stringPart returns the string value of the part m called name. The
// profile of FHIRPath Patch gives type as a valueCode and the others as a
// valueString; either is accepted for all three, as both hold a string.
func stringPart(m map[string]any, name string) (string, error) {
	for _, key := range []string{"valueCode", "valueString"} {
		if s, ok := m[key].(string); ok {
			return s, nil
		}
	}
	return "", fmt.Errorf("the part %q needs a valueCode or valueString", name)
}

// intPart returns the valueInteger of the part m called name.
func intPart(m map[string]any, name string) (int, error) {
	switch v := m["valueInteger"].(type) {
	case json.Number:
		if n, err := strconv.ParseInt(string(v), 10, 32); err == nil {
			return int(n), nil
		}
	case float64:
		if v == math.Trunc(v) && math.Abs(v) <= math.MaxInt32 {
			return int(v), nil
		}
	}
	return 0, fmt.Errorf("the part %q needs a valueInteger", name)
}

// readValue reads the value of the part m: a value[x], a resource, or
// nested parts.
func readValue(m map[string]any) (*valueSpec, error) {
	var s valueSpec
	found := 0
	for _, k := range slices.Sorted(maps.Keys(m)) {
		switch {
		case isValueKey(k):
			s.suffix, s.v = k[len("value"):], m[k]
			s.ext = m["_"+k]
			found++
		case k == "resource":
			s.v = m[k]
			found++
		case k == "part":
			nested, err := readParts(m[k])
			if err != nil {
				return nil, err
			}
			s.parts = nested
			found++
		}
	}
	switch {
	case found == 0:
		return nil, fmt.Errorf("the value has no value[x], resource or nested parts")
	case found > 1:
		return nil, fmt.Errorf("the value has more than one of value[x], resource and nested parts")
	}
	return &s, nil
}

// readParts reads the nested parts raw of a value given as parts.
func readParts(raw any) ([]namedValue, error) {
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("the nested parts of the value are not a list")
	}
	out := make([]namedValue, 0, len(list))
	for i, p := range list {
		m, ok := p.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("nested part %d is not an object", i+1)
		}
		name, _ := m["name"].(string)
		if !isName(name) {
			return nil, fmt.Errorf("nested part %d: %q is not an element name", i+1, name)
		}
		v, err := readValue(m)
		if err != nil {
			return nil, fmt.Errorf("nested part %d (%s): %w", i+1, name, err)
		}
		out = append(out, namedValue{name, v})
	}
	return out, nil
}

// isValueKey reports whether k is the key of a value[x]: "value" followed
// by a type name.
func isValueKey(k string) bool {
	rest, ok := strings.CutPrefix(k, "value")
	return ok && rest != "" && rest[0] >= 'A' && rest[0] <= 'Z'
}

// clone returns a deep copy of the JSON tree v, so that the patched
// resource shares nothing with the patch, with numbers as json.Number
// whatever decoder produced them.
func clone(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = clone(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = clone(e)
		}
		return l
	case float64:
		return json.Number(strconv.FormatFloat(x, 'f', -1, 64))
	case int:
		return json.Number(strconv.Itoa(x))
	default:
		return v
	}
}
