package validate

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fhirbase-go/fhird/fhir"
)

// mode tells the walker which members of the current object hold resources.
type mode uint8

const (
	modeNone     mode = iota
	modeEntry         // a Bundle.entry: resource is a resource
	modeResponse      // a Bundle.entry.response: outcome is a resource
	modeParam         // a Parameters.parameter or part: resource is a resource
)

// slotKind tells how google/fhir treats a nested resource.
type slotKind uint8

const (
	// slotNative resources (Bundle entries and outcomes) are parsed and
	// validated by google/fhir as part of their container.
	slotNative slotKind = iota
	// slotContained resources are parsed by google/fhir but stored as
	// protobuf Any, so their required elements are never checked.
	slotContained
	// slotParam resources trip google/fhir's Parameters bug and are
	// validated on their own.
	slotParam
)

// embedded is a resource nested in the one being validated.
type embedded struct {
	obj  any
	at   path   // location in the tree, type filters included
	expr string // FHIRPath expression of the resource
	typ  string // resource type; empty when missing or not a string
	kind slotKind
}

// checker walks the generic tree for the problems google/fhir does not see.
// It also lists nested resources, which the library pass needs.
type checker struct {
	root string
	path path
	dups map[string][]dupKey
	// dupDepths holds the number of segments (type filters aside) of the
	// paths in dups: an object at another depth has no repeated keys, and
	// its path need not be formatted to look it up.
	dupDepths map[int]bool
	set       *issueSet
	// ordered makes the walk visit the members of an object in the order
	// of their names (see check).
	ordered  bool
	embedded []embedded
	// nulls reports a null in an array: google/fhir refuses those
	// (libraryView).
	nulls bool
}

func (c *checker) push(s seg) { c.path = append(c.path, s) }
func (c *checker) pop()       { c.path = c.path[:len(c.path)-1] }

// add records an issue at the current path, unless the set is full.
func (c *checker) add(code fhir.IssueType, format string, args ...any) {
	c.addAt(-1, code, format, args...)
}

// addAt records an issue whose offset in the body is known.
func (c *checker) addAt(offset int64, code fhir.IssueType, format string, args ...any) {
	if c.set.full() {
		return
	}
	c.set.add(issue{
		code:   code,
		expr:   c.path.expr(c.root),
		msg:    fmt.Sprintf(format, args...),
		offset: offset,
	})
}

// members returns the members of obj, in the order of their names when the
// walk is ordered (see check).
func (c *checker) members(obj map[string]any) memberSeq { return memberSeq{obj, c.ordered} }

// memberSeq iterates over the members of an object. Unlike an iter.Seq2
// that chooses between two orders, its method all is known when compiling
// a loop over it, and the loop allocates nothing.
type memberSeq struct {
	obj     map[string]any
	ordered bool
}

func (s memberSeq) all(yield func(string, any) bool) {
	if !s.ordered {
		for k, v := range s.obj {
			if !yield(k, v) {
				return
			}
		}
		return
	}
	for _, k := range slices.Sorted(maps.Keys(s.obj)) {
		if !yield(k, s.obj[k]) {
			return
		}
	}
}

// resource checks a resource object. ids are the ids of the contained
// resources that local references may name: a resource's own, or, inside a
// contained resource, its container's.
func (c *checker) resource(obj map[string]any, typ string, ids map[string]bool, contained bool) {
	if !contained {
		ids = containedIDs(obj)
	}
	c.duplicates()
	c.resourceID(obj)
	if contained {
		c.containedRules(obj)
	} else {
		c.containedReferenced(obj)
	}
	c.resourceRules(typ, obj)
	for k, v := range c.members(obj).all {
		if c.set.full() {
			return
		}
		if k == "resourceType" || k == "id" {
			continue // checked by the caller and by resourceID
		}
		c.push(seg{kind: segKey, key: k})
		c.name(k)
		if child, ok := v.(map[string]any); ok {
			c.twinRule(obj, k, child)
		}
		switch {
		case k == "contained" && !contained:
			c.containedList(v, ids)
		case typ == "Bundle" && k == "entry":
			c.value(k, v, ids, modeEntry)
		case typ == "Parameters" && k == "parameter":
			c.value(k, v, ids, modeParam)
		default:
			c.value(k, v, ids, modeNone)
		}
		c.pop()
	}
}

// value checks any element; key is the member name it sits under (for an
// array element, the array's).
func (c *checker) value(key string, v any, ids map[string]bool, m mode) {
	switch t := v.(type) {
	case nil:
		c.add(fhir.IssueStructure, "null is not allowed here: omit the element instead.")
	case string:
		c.str(key, t, ids)
	case map[string]any:
		if key == "extension" || key == "modifierExtension" {
			if msg := checkExtension(t); msg != "" {
				c.add(fhir.IssueInvariant, "%s", msg)
			}
		}
		c.memberRules(key, t)
		c.object(t, ids, m)
	case []any:
		if len(t) == 0 {
			c.add(fhir.IssueStructure, "An array must not be empty: omit the element instead.")
		}
		for i, el := range t {
			if c.set.full() {
				return
			}
			if el == nil {
				c.nulls = true
				continue // nulls keep primitive arrays aligned with their _name twin
			}
			c.push(seg{kind: segIndex, index: i})
			c.value(key, el, ids, m)
			c.pop()
		}
	}
}

// object checks an element that is a JSON object.
func (c *checker) object(obj map[string]any, ids map[string]bool, m mode) {
	if len(obj) == 0 {
		c.add(fhir.IssueStructure, "An object must not be empty: omit the element instead.")
	}
	c.duplicates()
	for k, v := range c.members(obj).all {
		if c.set.full() {
			return
		}
		c.push(seg{kind: segKey, key: k})
		c.name(k)
		if child, ok := v.(map[string]any); ok {
			c.twinRule(obj, k, child)
		}
		switch {
		case k == "resource" && m == modeEntry:
			c.nested(v, nil, slotNative)
		case k == "resource" && m == modeParam:
			c.nested(v, nil, slotParam)
		case k == "outcome" && m == modeResponse:
			c.nested(v, nil, slotNative)
		default:
			c.value(k, v, ids, childMode(m, k))
		}
		c.pop()
	}
}

// childMode is the mode of member k of an object walked in mode m.
func childMode(m mode, k string) mode {
	switch {
	case m == modeEntry && k == "response":
		return modeResponse
	case m == modeParam && k == "part":
		return modeParam
	}
	return modeNone
}

// containedList checks the elements of a resource's contained array.
func (c *checker) containedList(v any, ids map[string]bool) {
	list, ok := v.([]any)
	if !ok {
		c.value("contained", v, ids, modeNone)
		return
	}
	if len(list) == 0 {
		c.add(fhir.IssueStructure, "An array must not be empty: omit the element instead.")
	}
	for i, el := range list {
		if c.set.full() {
			return
		}
		c.push(seg{kind: segIndex, index: i})
		c.nested(el, ids, slotContained)
		c.pop()
	}
}

// nested checks a resource found inside another one and lists it.
func (c *checker) nested(v any, ids map[string]bool, kind slotKind) {
	obj, ok := v.(map[string]any)
	if !ok {
		c.add(fhir.IssueStructure, "A resource must be a JSON object.")
		if kind == slotParam {
			c.embedded = append(c.embedded, embedded{obj: v, at: clonePath(c.path), kind: kind})
		}
		return
	}
	typ := c.resourceType(obj)
	if isIdentifier(typ) {
		c.push(seg{kind: segOfType, key: typ})
		defer c.pop()
	}
	c.embedded = append(c.embedded, embedded{
		obj: obj, at: clonePath(c.path), expr: c.path.expr(c.root), typ: typ, kind: kind,
	})
	c.resource(obj, typ, ids, kind == slotContained)
}

// resourceType checks the resourceType of a resource and returns it, or ""
// when it is missing or not a string. The issues sit at the resource's
// resourceType, after the type filter when there is a type.
func (c *checker) resourceType(obj map[string]any) string {
	v, present := obj["resourceType"]
	typ, _ := v.(string)
	if isIdentifier(typ) {
		c.push(seg{kind: segOfType, key: typ})
		defer c.pop()
	}
	c.push(seg{kind: segKey, key: "resourceType"})
	defer c.pop()
	switch {
	case !present:
		c.add(fhir.IssueRequired, "resourceType is missing.")
	case typ == "":
		c.add(fhir.IssueValue, "resourceType must be a non-empty string.")
	case !r4Types[typ]:
		c.add(fhir.IssueNotSupported, "%q is not an R4 resource type.", clip(typ))
	}
	return typ
}

// resourceID checks the logical id of a resource.
func (c *checker) resourceID(obj map[string]any) {
	v, present := obj["id"]
	if !present {
		return
	}
	c.push(seg{kind: segKey, key: "id"})
	defer c.pop()
	switch id, ok := v.(string); {
	case v == nil:
		c.add(fhir.IssueStructure, "null is not allowed here: omit the element instead.")
	case !ok:
		c.add(fhir.IssueValue, "A resource id must be a string.")
	case !validID(id):
		c.add(fhir.IssueValue, "The id %q is not valid: it must be 1 to 64 letters, digits, '-' or '.'.", clip(id))
	}
}

// containedRules checks the invariants that only bind contained resources.
func (c *checker) containedRules(obj map[string]any) {
	if _, ok := obj["contained"]; ok {
		c.push(seg{kind: segKey, key: "contained"})
		c.add(fhir.IssueInvariant, "A contained resource must not contain other resources (dom-2).")
		c.pop()
	}
	meta, _ := obj["meta"].(map[string]any)
	for _, k := range [...]string{"versionId", "lastUpdated", "security"} {
		if _, ok := meta[k]; ok {
			c.push(seg{kind: segKey, key: "meta"})
			c.push(seg{kind: segKey, key: k})
			if k == "security" {
				c.add(fhir.IssueInvariant, "A contained resource must not have a security label (dom-5).")
			} else {
				c.add(fhir.IssueInvariant, "A contained resource must not have meta.%s (dom-4).", k)
			}
			c.pop()
			c.pop()
		}
	}
}

// name flags member names google/fhir accepts by mistake: it lower-cases the
// first letter of every key, so "Gender" passes as "gender".
func (c *checker) name(k string) {
	first := k
	if len(first) > 1 && first[0] == '_' {
		first = first[1:]
	}
	if first != "" && first[0] >= 'A' && first[0] <= 'Z' {
		c.add(fhir.IssueStructure, "Unknown element %q: element names start with a lower-case letter.", clip(k))
	}
}

// duplicates reports the keys repeated in the object at the current path.
func (c *checker) duplicates() {
	if c.dups == nil {
		return
	}
	depth := 0
	for _, s := range c.path {
		if s.kind != segOfType {
			depth++
		}
	}
	if c.dupDepths != nil && !c.dupDepths[depth] {
		return
	}
	for _, d := range c.dups[c.path.canonical()] {
		c.push(seg{kind: segKey, key: d.key})
		c.addAt(d.offset, fhir.IssueStructure, "The key %q occurs more than once in the same object.", clip(d.key))
		c.pop()
	}
}

// uriKeys are the members whose values are URIs (or references) in every
// resource, where surrounding whitespace is a mistake.
var uriKeys = map[string]bool{
	"url": true, "system": true, "reference": true, "fullUrl": true, "profile": true,
	"valueUri": true, "valueUrl": true, "valueCanonical": true,
}

// str checks a string value found under key.
func (c *checker) str(key, s string, ids map[string]bool) {
	switch {
	case s == "":
		c.add(fhir.IssueValue, "A string must not be empty: omit the element instead.")
	case uriKeys[key] && hasOuterSpace(s):
		c.add(fhir.IssueValue, "The value of %s has leading or trailing whitespace.", key)
	case key == "reference":
		if code, msg := checkReference(s, ids); msg != "" {
			c.add(code, "%s", msg)
		}
	case key == "div":
		if code, msg := checkNarrative(s); msg != "" {
			c.add(code, "%s", msg)
		}
	case strings.HasPrefix(s, "0000") && zeroYear.MatchString(s) && (len(s) > 4 || strings.HasSuffix(strings.ToLower(key), "date")):
		c.add(fhir.IssueValue, "%q is not a valid date: years run from 0001 to 9999.", clip(s))
	}
}

// hasOuterSpace reports whether s starts or ends with white space.
func hasOuterSpace(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsSpace(first) || unicode.IsSpace(last)
}

func clonePath(p path) path { return append(path(nil), p...) }
