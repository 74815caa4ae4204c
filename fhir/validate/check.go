package validate

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/fhirpath"
)

// checker walks the generic tree of a resource against the element model:
// every member is an element of its type, with the cardinality, JSON type,
// format, value set and invariants its definition gives; nested resources
// are checked as their own types. Where the model does not apply (an
// unknown element, a resource of unknown type), the walk still looks for
// the problems the tree shows by itself: repeated keys, nulls, empty
// strings, arrays and objects.
type checker struct {
	m    *rmodel
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
	ordered bool
	// res and rootRes are the resource being walked and the one that
	// contains it, or itself (%resource and %rootResource of invariants).
	res, rootRes fhirpath.Node
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

// resource checks a resource object of type typ ("" or unknown when the
// type is not an R4 resource type). ids are the ids of the contained
// resources that local references may name, with their types: a
// resource's own, or, inside a contained resource, its container's.
func (c *checker) resource(obj map[string]any, typ string, ids map[string]string, contained bool) {
	if !contained {
		ids = containedIDs(obj)
	}
	res, rootRes := c.res, c.rootRes
	c.res = fhirpath.Node{Value: obj, Type: typ}
	if !contained {
		c.rootRes = c.res
	}
	defer func() { c.res, c.rootRes = res, rootRes }()
	c.duplicates()
	c.resourceID(obj)
	if contained {
		c.containedRules(obj)
	} else {
		c.containedReferenced(obj)
	}
	def := c.m.resourceDef(typ)
	if def == nil {
		for k, v := range c.members(obj).all {
			if c.set.full() {
				return
			}
			if k != "resourceType" && k != "id" {
				c.push(seg{kind: segKey, key: k})
				c.generic(k, v)
				c.pop()
			}
		}
		return
	}
	c.typeRules(def, obj)
	c.object(obj, def, ids, true)
	c.invariants(def.invs, obj, def.name)
}

// maxChoices bounds the choice elements of one type (R4 has at most 3).
const maxChoices = 8

// object checks the members of an object of type def against its
// elements, and that its required elements are there. A resource's
// resourceType and id are checked by the caller.
func (c *checker) object(obj map[string]any, def *typeDef, ids map[string]string, isResource bool) {
	c.duplicates()
	var seen bitset
	var chosen [maxChoices]string // the key given for each choice element
	for k, v := range c.members(obj).all {
		if c.set.full() {
			return
		}
		if isResource && (k == "resourceType" || k == "id") {
			if k == "id" {
				seen.set(def.keys[k].elem.index)
			}
			continue
		}
		c.push(seg{kind: segKey, key: k})
		if child, ok := v.(map[string]any); ok {
			c.twinRule(obj, k, child)
		}
		mb, known := def.keys[k]
		switch {
		case !known:
			c.unknown(k, def)
			c.generic(k, v)
		default:
			e := mb.elem
			seen.set(e.index)
			if e.choice > 0 {
				c.choice(e, k, &chosen[e.choice-1])
			}
			if mb.twin {
				c.twin(obj, k, v, mb)
			} else {
				c.element(obj, k, v, mb, ids)
			}
		}
		c.pop()
	}
	for _, e := range def.required {
		if !seen.has(e.index) && !c.set.full() {
			c.push(seg{kind: segKey, key: e.name})
			c.add(fhir.IssueRequired, "The required element %s is missing (%s has at least %d).", e.displayName(), def.name, e.min)
			c.pop()
		}
	}
}

// choice records the key k of the choice element e; two keys of one
// choice (valueString and valueQuantity, or deceasedBoolean and
// _deceasedDateTime) are one too many. The issue sits at every key but
// the one of the least type, whatever order the map gives them in: chosen
// holds the key as given, so that the issue names it ("_deceasedDateTime",
// not "deceasedDateTime").
func (c *checker) choice(e *elemDef, k string, chosen *string) {
	typed := strings.TrimPrefix(k, "_")
	prevKey := *chosen
	prev := strings.TrimPrefix(prevKey, "_")
	switch {
	case prevKey == "":
		*chosen = k
	case prev == typed:
	case typed < prev:
		*chosen = k
		c.path[len(c.path)-1].key = prevKey
		c.add(fhir.IssueStructure, "Only one of the types of %s[x] may be given, but there are %s and %s.", e.name, typed, prev)
		c.path[len(c.path)-1].key = k
	default:
		c.add(fhir.IssueStructure, "Only one of the types of %s[x] may be given, but there are %s and %s.", e.name, prev, typed)
	}
}

// unknown reports a key that is no element of def.
func (c *checker) unknown(k string, def *typeDef) {
	first := strings.TrimPrefix(k, "_")
	switch {
	case first != "" && first[0] >= 'A' && first[0] <= 'Z':
		c.add(fhir.IssueStructure, "Unknown element %q: element names start with a lower-case letter.", clip(k))
	case strings.HasPrefix(k, "_") && def.keys[first].elem != nil:
		c.add(fhir.IssueStructure, "Unknown element %q: %s is not a primitive, and has its extensions inside.", clip(k), clip(first))
	default:
		c.add(fhir.IssueStructure, "Unknown element %q: %s has no such element.", clip(k), def.name)
	}
}

// element checks the value v of the member k of obj, an element of its
// type.
func (c *checker) element(obj map[string]any, k string, v any, mb member, ids map[string]string) {
	e := mb.elem
	arr, isArr := v.([]any)
	switch {
	case v == nil:
		c.add(fhir.IssueStructure, "null is not allowed here: omit the element instead.")
	case !e.repeats() && isArr:
		c.add(fhir.IssueStructure, "%s holds one value, not an array.", e.displayName())
	case !e.repeats():
		c.item(k, v, mb, ids)
	case !isArr:
		c.add(fhir.IssueStructure, "%s repeats: its value must be an array, even of one item.", e.displayName())
	case len(arr) == 0:
		c.add(fhir.IssueStructure, "An array must not be empty: omit the element instead.")
	default:
		if e.max > 1 && len(arr) > e.max {
			c.add(fhir.IssueStructure, "%s has at most %d items, not %d.", e.displayName(), e.max, len(arr))
		}
		var twin []any
		if mb.typ.def != nil && mb.typ.def.kind == kindPrimitive {
			twin, _ = obj["_"+k].([]any)
		}
		for i, el := range arr {
			if c.set.full() {
				return
			}
			c.push(seg{kind: segIndex, index: i})
			switch {
			case el != nil:
				c.item(k, el, mb, ids)
			case i >= len(twin) || twin[i] == nil:
				// A null keeps a repeating primitive aligned with its
				// _name twin (json.html); one without a partner is nothing.
				c.add(fhir.IssueStructure, "null is not allowed here: omit the element instead.")
			}
			c.pop()
		}
	}
}

// twin checks _name, the id and extensions of the primitive element name:
// an object, or, when the primitive repeats, an array of them aligned with
// its values (nulls where an item has none).
func (c *checker) twin(obj map[string]any, k string, v any, mb member) {
	elemDef := c.m.types["Element"]
	arr, isArr := v.([]any)
	switch {
	case v == nil:
		c.add(fhir.IssueStructure, "null is not allowed here: omit the element instead.")
	case !mb.elem.repeats() && isArr:
		c.add(fhir.IssueStructure, "%s holds the id and extensions of one value, not an array.", k)
	case !mb.elem.repeats():
		c.twinItem(v, elemDef)
	case !isArr:
		c.add(fhir.IssueStructure, "%s repeats: it must be an array aligned with %s.", k, k[1:])
	case len(arr) == 0:
		c.add(fhir.IssueStructure, "An array must not be empty: omit the element instead.")
	default:
		if values, ok := obj[k[1:]].([]any); ok && len(values) != len(arr) {
			c.add(fhir.IssueStructure, "%s has %d items and %s %d: the two are aligned, item by item.", k, len(arr), k[1:], len(values))
		}
		for i, el := range arr {
			if c.set.full() {
				return
			}
			if el != nil {
				c.push(seg{kind: segIndex, index: i})
				c.twinItem(el, elemDef)
				c.pop()
			}
		}
	}
}

func (c *checker) twinItem(v any, elemDef *typeDef) {
	obj, ok := v.(map[string]any)
	switch {
	case !ok:
		c.add(fhir.IssueStructure, "The id and extensions of a primitive are a JSON object.")
	case len(obj) == 0:
		c.add(fhir.IssueStructure, "An object must not be empty: omit the element instead.")
	default:
		c.object(obj, elemDef, nil, false)
	}
}

// item checks one value of the element of mb: a value, or an item of its
// array.
func (c *checker) item(k string, v any, mb member, ids map[string]string) {
	t, e := mb.typ, mb.elem
	switch {
	case t.resource:
		c.nested(v, ids, e.name == "contained")
		return
	case t.def.kind == kindPrimitive:
		c.primitive(k, v, mb, ids)
		c.invariants(e.invs, v, t.def.name)
		return
	}
	obj, ok := v.(map[string]any)
	switch {
	case !ok:
		c.add(fhir.IssueStructure, "%s is a %s: a JSON object, not %s.", e.displayName(), t.def.name, jsonTypeName(v))
		return
	case len(obj) == 0:
		c.add(fhir.IssueStructure, "An object must not be empty: omit the element instead.")
		return
	case len(obj) == 1 && obj["id"] != nil:
		c.add(fhir.IssueInvariant, "The element has no content but an id (ele-1).")
	}
	def := t.def
	if def.name == "Extension" {
		if msg := checkExtension(obj); msg != "" {
			c.add(fhir.IssueInvariant, "%s", msg)
		}
	}
	c.typeRules(def, obj)
	c.object(obj, def, ids, false)
	if e.binding != nil {
		c.codings(obj, def, e.binding)
	}
	if def.name == "Reference" && t.targets != nil {
		c.referenceTarget(obj, t.targets, ids, e)
	}
	c.fixedValues(v, e)
	c.invariants(def.invs, obj, def.name)
	c.invariants(e.invs, obj, def.name)
}

// primitive checks a primitive value: its JSON type, its format, its
// value set.
func (c *checker) primitive(k string, v any, mb member, ids map[string]string) {
	p, e := mb.typ.def.prim, mb.elem
	name := mb.typ.def.name
	switch p.json {
	case jsonBool:
		if _, ok := v.(bool); !ok {
			c.wrongJSON(v, name, "true or false")
			return
		}
	case jsonNumber:
		s, ok := numberText(v)
		if !ok {
			c.wrongJSON(v, name, "a JSON number")
			return
		}
		if why := p.check(s); why != "" {
			c.add(fhir.IssueValue, "%s is not a valid %s: %s.", clip(s), name, why)
			return
		}
	default:
		s, ok := v.(string)
		if !ok {
			c.wrongJSON(v, name, "a JSON string")
			return
		}
		c.str(k, s, ids)
		if s == "" {
			return
		}
		if why := p.check(s); why != "" {
			c.add(fhir.IssueValue, "%q is not a valid %s: %s.", clip(s), name, why)
			return
		}
		if e.binding != nil && !e.binding.codes[s] {
			c.add(fhir.IssueValue, "%q is not a code of %s%s.", clip(s), e.binding.url, e.binding.listed())
			return
		}
	}
	c.fixedValues(v, e)
}

// wrongJSON reports a primitive given as another JSON type.
func (c *checker) wrongJSON(v any, typ, want string) {
	code := fhir.IssueValue
	switch v.(type) {
	case map[string]any, []any:
		code = fhir.IssueStructure
	}
	c.add(code, "A %s is %s, not %s.", typ, want, jsonTypeName(v))
}

// jsonTypeName names the JSON type of v for messages.
func jsonTypeName(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "a number"
}

// generic checks a value of no known type, under key: what the tree shows
// by itself.
func (c *checker) generic(key string, v any) {
	switch t := v.(type) {
	case nil:
		c.add(fhir.IssueStructure, "null is not allowed here: omit the element instead.")
	case string:
		c.str(key, t, nil)
	case map[string]any:
		if len(t) == 0 {
			c.add(fhir.IssueStructure, "An object must not be empty: omit the element instead.")
		}
		c.duplicates()
		for k, v := range c.members(t).all {
			if c.set.full() {
				return
			}
			c.push(seg{kind: segKey, key: k})
			c.name(k)
			c.generic(k, v)
			c.pop()
		}
	case []any:
		if len(t) == 0 {
			c.add(fhir.IssueStructure, "An array must not be empty: omit the element instead.")
		}
		for i, el := range t {
			if c.set.full() {
				return
			}
			if el != nil {
				c.push(seg{kind: segIndex, index: i})
				c.generic(key, el)
				c.pop()
			}
		}
	}
}

// nested checks a resource found inside another one.
func (c *checker) nested(v any, ids map[string]string, contained bool) {
	obj, ok := v.(map[string]any)
	if !ok {
		c.add(fhir.IssueStructure, "A resource must be a JSON object.")
		return
	}
	typ := c.resourceType(obj)
	if isIdentifier(typ) {
		c.push(seg{kind: segOfType, key: typ})
		defer c.pop()
	}
	c.resource(obj, typ, ids, contained)
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
	case !c.m.resources[typ]:
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

// name flags member names in upper camel case where there is no type to
// know them by.
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
func (c *checker) str(key, s string, ids map[string]string) {
	switch {
	case s == "":
		c.add(fhir.IssueValue, "A string must not be empty: omit the element instead.")
	case uriKeys[key] && hasOuterSpace(s):
		c.add(fhir.IssueValue, "The value of %s has leading or trailing whitespace.", key)
	case key == "reference":
		if code, msg := checkReference(s, ids, c.m.resources); msg != "" {
			c.add(code, "%s", msg)
		}
	case key == "div":
		if code, msg := checkNarrative(s); msg != "" {
			c.add(code, "%s", msg)
		}
	}
}

// hasOuterSpace reports whether s starts or ends with white space.
func hasOuterSpace(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsSpace(first) || unicode.IsSpace(last)
}

// bitset marks the elements of an object that are present.
type bitset struct{ words [4]uint64 }

// maxElements bounds the elements of one type (R4 has at most 70).
const maxElements = 256

func (b *bitset) set(i int)      { b.words[i/64] |= 1 << (i % 64) }
func (b *bitset) has(i int) bool { return b.words[i/64]&(1<<(i%64)) != 0 }
