package patch

import (
	"strings"
	"sync"

	"google.golang.org/protobuf/reflect/protoreflect"

	rpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
)

// schemaType is the FHIR type of a value, as the R4 message descriptor of
// google/fhir describes it. The zero schemaType is a value of unknown type:
// it has no known elements, and callers fall back on the shape of the JSON.
type schemaType struct {
	md protoreflect.MessageDescriptor
}

// element is what the schema knows of one element of a type.
type element struct {
	known    bool // the type has an element of this name
	repeated bool // the element may hold more than one value: a JSON array
	choice   bool // a choice element (value[x]): its keys are the name followed by a type
	fd       protoreflect.FieldDescriptor
}

// resourceTypes maps each R4 resource type to its descriptor, read from the
// choices of google/fhir's ContainedResource.
var resourceTypes = sync.OnceValue(func() map[string]protoreflect.MessageDescriptor {
	fields := (&rpb.ContainedResource{}).ProtoReflect().Descriptor().Fields()
	m := make(map[string]protoreflect.MessageDescriptor, fields.Len())
	for i := 0; i < fields.Len(); i++ {
		if md := fields.Get(i).Message(); md != nil {
			m[string(md.Name())] = md
		}
	}
	return m
})

// resourceSchema returns the type of the resource named typ, or the unknown
// type.
func resourceSchema(typ string) schemaType {
	return schemaType{resourceTypes()[typ]}
}

// valueSchema returns the type of v, a value declared to be of type t: a
// JSON object with a resourceType is that resource, whatever the declared
// type (contained resources are declared as google.protobuf.Any).
func valueSchema(t schemaType, v any) schemaType {
	if obj, ok := v.(map[string]any); ok {
		if typ, ok := obj["resourceType"].(string); ok {
			return resourceSchema(typ)
		}
	}
	return t
}

// element returns what is known of the element name of t. For a choice
// element, name is the base name ("deceased").
func (t schemaType) element(name string) element {
	if t.md == nil {
		return element{}
	}
	fd := t.md.Fields().ByJSONName(name)
	if fd == nil {
		return element{}
	}
	return element{known: true, repeated: fd.IsList(), choice: isChoice(fd), fd: fd}
}

// isChoice reports whether fd is a choice element. google/fhir gives each
// choice element a message of its own whose fields form a oneof named
// "choice", one field per type.
func isChoice(fd protoreflect.FieldDescriptor) bool {
	md := fd.Message()
	if md == nil {
		return false
	}
	o := md.Oneofs().ByName("choice")
	return o != nil && o.Fields().Len() == md.Fields().Len()
}

// content returns the type of the values of e; for a choice element it
// returns the type of the variant whose JSON key suffix is suffix
// ("Boolean"), and the unknown type when there is no such variant.
func (e element) content(suffix string) schemaType {
	if !e.known {
		return schemaType{}
	}
	if !e.choice {
		return schemaType{e.fd.Message()}
	}
	variant := e.variant(suffix)
	if variant == nil {
		return schemaType{}
	}
	return schemaType{variant.Message()}
}

// variant returns the choice field of e for the key suffix, or nil.
func (e element) variant(suffix string) protoreflect.FieldDescriptor {
	if suffix == "" {
		return nil
	}
	return e.fd.Message().Fields().ByJSONName(strings.ToLower(suffix[:1]) + suffix[1:])
}

// choiceKeys returns the JSON keys the choice element e, called base, may
// take: base followed by each of its types ("deceasedBoolean",
// "deceasedDateTime").
func (e element) choiceKeys(base string) []string {
	fields := e.fd.Message().Fields()
	keys := make([]string, 0, fields.Len())
	for i := 0; i < fields.Len(); i++ {
		n := fields.Get(i).JSONName()
		keys = append(keys, base+strings.ToUpper(n[:1])+n[1:])
	}
	return keys
}
