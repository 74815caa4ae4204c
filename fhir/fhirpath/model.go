package fhirpath

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
)

// elemKey identifies an element of a type.
type elemKey struct{ parent, name string }

// choiceKey is one JSON key of a choice element and the type it carries.
type choiceKey struct{ key, typ string }

// elemInfo is the type of an element, or the keys of a choice element.
type elemInfo struct {
	typ       string
	choices   []choiceKey
	anyChoice bool
}

// elements maps (type, element name) to the element's type, parsed from
// the generated elementTable on first use.
var elements = sync.OnceValue(func() map[elemKey]elemInfo { return parseElementTable(elementTable) })

// quantityTypes are the specializations of Quantity: they have Quantity's
// elements and match "as Quantity".
var quantityTypes = map[string]bool{
	"Age": true, "Count": true, "Distance": true, "Duration": true,
	"SimpleQuantity": true, "MoneyQuantity": true,
}

// subtypes lists the FHIR primitive types that specialize another one.
var subtypes = map[string]string{
	"code": "string", "id": "string", "markdown": "string",
	"url": "uri", "canonical": "uri", "oid": "uri", "uuid": "uri",
	"positiveInt": "integer", "unsignedInt": "integer",
}

// choiceSuffixes maps the suffix of a choice element's JSON key to its FHIR
// type, for every type a choice element may take in R4.
var choiceSuffixes = func() map[string]string {
	names := strings.Fields(`base64Binary boolean canonical code date dateTime decimal id
		instant integer markdown oid positiveInt string time unsignedInt uri url uuid
		Address Age Annotation Attachment CodeableConcept Coding ContactPoint Count
		Distance Duration HumanName Identifier Money Period Quantity Range Ratio Reference
		SampledData Signature Timing ContactDetail Contributor DataRequirement Expression
		ParameterDefinition RelatedArtifact TriggerDefinition UsageContext Dosage Meta`)
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[strings.ToUpper(n[:1])+n[1:]] = n
	}
	return m
}()

func parseElementTable(src string) map[elemKey]elemInfo {
	m := make(map[elemKey]elemInfo)
	parent := ""
	for _, line := range strings.Split(src, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if !strings.HasPrefix(line, "\t") {
			parent, fields = fields[0], fields[1:]
		}
		for _, f := range fields {
			name, typ, _ := strings.Cut(f, ":")
			base, isChoice := strings.CutSuffix(name, "[x]")
			if !isChoice {
				m[elemKey{parent, name}] = elemInfo{typ: typ}
				continue
			}
			info := elemInfo{anyChoice: typ == "*"}
			for _, t := range strings.Split(typ, "|") {
				if !info.anyChoice {
					info.choices = append(info.choices, choiceKey{base + strings.ToUpper(t[:1]) + t[1:], t})
				}
			}
			m[elemKey{parent, base}] = info
		}
	}
	return m
}

// lookupElement returns what the table knows of the element name of the
// type parent, looking through Quantity specializations and, for
// resources, DomainResource and Resource; the elements every element has
// (id, extension, modifierExtension) are not repeated in the table.
func lookupElement(parent, name string, isRes bool) (elemInfo, bool) {
	table := elements()
	if info, ok := table[elemKey{parent, name}]; ok {
		return info, true
	}
	if quantityTypes[parent] {
		info, ok := table[elemKey{"Quantity", name}]
		return info, ok
	}
	if isRes {
		if info, ok := table[elemKey{"DomainResource", name}]; ok {
			return info, true
		}
		info, ok := table[elemKey{"Resource", name}]
		return info, ok
	}
	switch name {
	case "extension", "modifierExtension":
		return elemInfo{typ: "Extension"}, true
	case "id":
		return elemInfo{typ: "string"}, true
	}
	return elemInfo{}, false
}

// appendChild appends the children called name of obj, whose type is
// parent, with their types.
func appendChild(dst []Node, obj map[string]any, parent, name string) []Node {
	_, isRes := obj["resourceType"].(string)
	info, known := lookupElement(parent, name, isRes)
	if v, ok := obj[name]; ok || obj["_"+name] != nil {
		return appendValue(dst, v, obj["_"+name], info.typ)
	}
	for _, c := range info.choices {
		if v, ok := obj[c.key]; ok || obj["_"+c.key] != nil {
			return appendValue(dst, v, obj["_"+c.key], c.typ)
		}
	}
	if known && !info.anyChoice {
		return dst
	}
	// An unknown element or an open choice: look for a key made of the name
	// and a type suffix.
	for k := range obj {
		k = strings.TrimPrefix(k, "_")
		if len(k) > len(name) && k[:len(name)] == name {
			if typ, ok := choiceSuffixes[k[len(name):]]; ok {
				return appendValue(dst, obj[k], obj["_"+k], typ)
			}
		}
	}
	return dst
}

// appendPrimitiveChild navigates from a primitive element to the children
// its companion object holds: id and extension.
func appendPrimitiveChild(dst []Node, ext map[string]any, name string) []Node {
	switch name {
	case "id":
		return appendValue(dst, ext["id"], nil, "string")
	case "extension":
		return appendValue(dst, ext["extension"], nil, "Extension")
	}
	return dst
}

// appendValue appends a JSON value as nodes of the type typ: each item of
// an array, nothing for null. ext is the companion of a primitive ("_name"),
// an object or an array parallel to the values.
func appendValue(dst []Node, v, ext any, typ string) []Node {
	list, isList := v.([]any)
	exts, _ := ext.([]any)
	if !isList {
		if l, ok := ext.([]any); ok && v == nil {
			list, isList = make([]any, len(l)), true
		}
	}
	if !isList {
		m, _ := ext.(map[string]any)
		if v != nil || m != nil {
			dst = append(dst, Node{Value: v, Type: itemType(v, typ), Ext: m})
		}
		return dst
	}
	for i, item := range list {
		var m map[string]any
		if i < len(exts) {
			m, _ = exts[i].(map[string]any)
		}
		if item != nil || m != nil {
			dst = append(dst, Node{Value: item, Type: itemType(item, typ), Ext: m})
		}
	}
	return dst
}

// appendChildren appends the children of a node, in the order of their
// names so that the result is stable: every element of an object (a
// primitive's companion folded into it), or a primitive's id and
// extensions.
func appendChildren(dst []Node, n Node) []Node {
	obj, ok := n.Value.(map[string]any)
	if !ok {
		if n.Ext != nil {
			dst = appendPrimitiveChild(dst, n.Ext, "id")
			dst = appendPrimitiveChild(dst, n.Ext, "extension")
		}
		return dst
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		base, companion := strings.CutPrefix(k, "_")
		if k == "resourceType" || (companion && obj[base] != nil) {
			continue
		}
		keys = append(keys, base)
	}
	sort.Strings(keys)
	_, isRes := obj["resourceType"].(string)
	for _, k := range keys {
		dst = appendValue(dst, obj[k], obj["_"+k], keyType(n.Type, k, isRes))
	}
	return dst
}

// keyType returns the type of the element stored under the JSON key k of
// an object of type parent: a plain element, or one type of a choice.
func keyType(parent, k string, isRes bool) string {
	if info, ok := lookupElement(parent, k, isRes); ok {
		return info.typ
	}
	for i := len(k) - 1; i > 0; i-- {
		if !isUpper(k[i:]) {
			continue
		}
		if info, ok := lookupElement(parent, k[:i], isRes); ok {
			for _, c := range info.choices {
				if c.key == k {
					return c.typ
				}
			}
			return choiceSuffixes[k[i:]]
		}
	}
	return ""
}

// itemType refines the declared type of an item: a contained resource is
// typed by its resourceType.
func itemType(v any, typ string) string {
	if typ == "Resource" {
		if m, ok := v.(map[string]any); ok {
			if rt, ok := m["resourceType"].(string); ok {
				return rt
			}
		}
	}
	return typ
}

// IsType reports whether the node is of the FHIR or System type want (the
// namespace stripped), following specializations: Age is a Quantity, code a
// string, a resource a Resource. Primitive type names compare without case
// so that System.DateTime matches FHIR dateTime. A node of unknown type is
// typed by its JSON value.
func IsType(n Node, want string) bool {
	actual := n.Type
	if actual == "" {
		actual = jsonType(n.Value)
	}
	if strings.EqualFold(actual, want) {
		return true
	}
	switch {
	case want == "Quantity":
		return quantityTypes[actual]
	case want == "Resource" || want == "DomainResource":
		return isResource(n.Value)
	}
	if base, ok := subtypes[actual]; ok {
		return strings.EqualFold(base, want)
	}
	return false
}

// jsonType guesses the type of a value of unknown type from its JSON form.
func jsonType(v any) string {
	switch x := v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any:
		rt, _ := x["resourceType"].(string)
		return rt
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return "decimal"
		}
		return "integer"
	}
	return ""
}
