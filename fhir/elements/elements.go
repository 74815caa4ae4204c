// Package elements reduces a stored resource to the parts a client asked
// for with the _summary and _elements parameters of FHIR R4
// (http://hl7.org/fhir/R4/search.html#summary and #elements).
//
// Both work on top-level elements, named as fhir.ResourceType.Summary and
// Mandatory name them. A name matches the JSON key of the same name, the
// key of its primitive extensions ("_birthDate" for "birthDate"), and,
// since a choice element is named by its base name ("value" for
// value[x]), every key of the choice: the name followed by a capitalized
// R4 data type ("valueQuantity", "_valueString"). resourceType, id and meta
// are always kept.
//
// Kept members are copied as stored, compacted and in their stored order:
// numbers keep their text, so decimals keep their precision, and nothing is
// HTML-escaped. When anything was removed, meta.tag gains the SUBSETTED
// coding, unless it already holds it, so that a client cannot mistake the
// result for the whole resource; a resource without meta gains one.
package elements

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
)

// The coding added to meta.tag of a resource some elements were removed
// from.
const (
	SubsettedSystem = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
	SubsettedCode   = "SUBSETTED"
)

// subsettedCoding is the JSON of the SUBSETTED coding.
const subsettedCoding = `{"system":"` + SubsettedSystem + `","code":"` + SubsettedCode + `"}`

// The _summary modes Summary handles. The other two, count and false, do
// not reduce a resource and are the caller's to handle.
const (
	ModeTrue = "true"
	ModeText = "text"
	ModeData = "data"
)

// ErrMode is returned by Summary for a mode it does not handle.
var ErrMode = errors.New("elements: unsupported _summary mode")

// alwaysKept are the elements kept whatever is asked: without them a
// reduced resource could not be identified, versioned or recognized as
// reduced. resourceType is kept too.
var alwaysKept = []string{"id", "meta"}

// Summary returns raw, the JSON of a resource of type t, reduced per the
// _summary mode: "true" keeps the elements of t.Summary, "text" keeps text
// and the elements of t.Mandatory, "data" removes text; each keeps
// resourceType, id and meta. The result is raw itself when nothing was
// removed. It fails on an unknown mode (ErrMode), on raw not being a JSON
// object of type t, and on a malformed meta.
func Summary(t *fhir.ResourceType, raw []byte, mode string) ([]byte, error) {
	if t == nil {
		return nil, errors.New("elements: nil resource type")
	}
	var keep func(key string) bool
	switch mode {
	case ModeTrue:
		keep = func(key string) bool { return matchAny(key, t.Summary) }
	case ModeText:
		keep = func(key string) bool { return key == "text" || matchAny(key, t.Mandatory) }
	case ModeData:
		keep = func(key string) bool { return key != "text" }
	default:
		return nil, fmt.Errorf("%w %q", ErrMode, mode)
	}
	return filter(t, raw, keep)
}

// Elements returns raw, the JSON of a resource of type t, reduced to
// resourceType, id, meta, the elements of t.Mandatory and the top-level
// elements names lists. Names that are not elements of the type, or that
// are paths below the top level, match nothing and are ignored. The result
// is raw itself when nothing was removed. It fails on raw not being a JSON
// object of type t and on a malformed meta.
func Elements(t *fhir.ResourceType, raw []byte, names []string) ([]byte, error) {
	if t == nil {
		return nil, errors.New("elements: nil resource type")
	}
	return filter(t, raw, func(key string) bool {
		return matchAny(key, t.Mandatory) || matchRequested(key, names)
	})
}

// member is one member of a JSON object, its value as it was read.
type member struct {
	key string
	val json.RawMessage
}

// filter returns raw with only the members keep accepts, resourceType, id
// and meta, tagged SUBSETTED when any was removed; raw itself when none
// was.
func filter(t *fhir.ResourceType, raw []byte, keep func(key string) bool) ([]byte, error) {
	members, err := parseObject(raw)
	if err != nil {
		return nil, fmt.Errorf("elements: %s: %w", t.Name, err)
	}
	if err := checkResourceType(members, t.Name); err != nil {
		return nil, fmt.Errorf("elements: %w", err)
	}
	kept := make([]member, 0, len(members)+1)
	for _, m := range members {
		if m.key == "resourceType" || matchAny(m.key, alwaysKept) || keep(m.key) {
			kept = append(kept, m)
		}
	}
	if len(kept) == len(members) {
		return raw, nil
	}
	if kept, err = tagSubsetted(kept); err != nil {
		return nil, fmt.Errorf("elements: %s: %w", t.Name, err)
	}
	out, err := encodeObject(kept, len(raw))
	if err != nil {
		return nil, fmt.Errorf("elements: %s: %w", t.Name, err)
	}
	return out, nil
}

// matchAny reports whether the JSON key is the key of one of the named
// elements, named as in fhir.ResourceType.Summary: the name, the name of
// its primitive extensions ("_" and the name), or, for a choice named by
// its base name and "[x]", the base name followed by a capitalized data
// type, which may also be preceded by "_". Empty names match nothing.
func matchAny(key string, names []string) bool {
	if len(key) > 1 && key[0] == '_' {
		key = key[1:]
	}
	for _, name := range names {
		if name == "" {
			continue
		}
		if base, choice := strings.CutSuffix(name, "[x]"); choice {
			if rest, ok := strings.CutPrefix(key, base); ok && choiceTypes[rest] {
				return true
			}
		} else if key == name {
			return true
		}
	}
	return false
}

// matchRequested is matchAny for the names of an _elements parameter,
// where a choice is asked for by its base name alone ("value").
func matchRequested(key string, names []string) bool {
	if matchAny(key, names) {
		return true
	}
	for _, name := range names {
		if name != "" && !strings.HasSuffix(name, "[x]") && matchAny(key, []string{name + "[x]"}) {
			return true
		}
	}
	return false
}

// checkResourceType fails unless the members hold a resourceType naming
// the type.
func checkResourceType(members []member, name string) error {
	for _, m := range members {
		if m.key != "resourceType" {
			continue
		}
		var got string
		if err := json.Unmarshal(m.val, &got); err != nil {
			return fmt.Errorf("%s: resourceType: %w", name, err)
		}
		if got != name {
			return fmt.Errorf("resourceType %q, want %q", got, name)
		}
		return nil
	}
	return fmt.Errorf("%s: no resourceType", name)
}

// tagSubsetted returns the members with the SUBSETTED coding in meta.tag,
// adding a meta, after id, when there is none.
func tagSubsetted(members []member) ([]member, error) {
	for i, m := range members {
		if m.key == "meta" {
			val, err := addSubsetted(m.val)
			if err != nil {
				return nil, fmt.Errorf("meta: %w", err)
			}
			members[i].val = val
			return members, nil
		}
	}
	at := 0
	for i, m := range members {
		if m.key == "resourceType" || m.key == "id" {
			at = i + 1
		}
	}
	meta := member{key: "meta", val: json.RawMessage(`{"tag":[` + subsettedCoding + `]}`)}
	return slices.Insert(members, at, meta), nil
}

// addSubsetted returns the JSON meta object with the SUBSETTED coding
// added to its tag, or meta itself when the tag already holds it.
func addSubsetted(meta json.RawMessage) (json.RawMessage, error) {
	members, err := parseObject(meta)
	if err != nil {
		return nil, err
	}
	for i, m := range members {
		if m.key != "tag" {
			continue
		}
		var tags []json.RawMessage
		if err := json.Unmarshal(m.val, &tags); err != nil {
			return nil, fmt.Errorf("tag: %w", err)
		}
		for _, tag := range tags {
			var c struct {
				System string `json:"system"`
				Code   string `json:"code"`
			}
			if err := json.Unmarshal(tag, &c); err != nil {
				return nil, fmt.Errorf("tag: %w", err)
			}
			if c.System == SubsettedSystem && c.Code == SubsettedCode {
				return meta, nil
			}
		}
		members[i].val = appendToArray(tags, subsettedCoding)
		return encodeObject(members, len(meta)+len(subsettedCoding)+1)
	}
	members = append(members, member{key: "tag", val: json.RawMessage("[" + subsettedCoding + "]")})
	return encodeObject(members, len(meta)+len(subsettedCoding)+8)
}

// appendToArray returns the JSON array of the elements followed by the
// JSON value last.
func appendToArray(elems []json.RawMessage, last string) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('[')
	for _, e := range elems {
		b.Write(e)
		b.WriteByte(',')
	}
	b.WriteString(last)
	b.WriteByte(']')
	return b.Bytes()
}

// parseObject reads the members of the JSON object data, in order, their
// values as they are written. It fails unless data is exactly one object.
func parseObject(data []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil {
		return nil, err
	} else if tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	var members []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("object key %v is not a string", tok)
		}
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, err
		}
		members = append(members, member{key: key, val: val})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return members, nil
}

// encodeObject writes the members as a compact JSON object, without
// escaping HTML characters; size is a hint of the result's length.
func encodeObject(members []member, size int) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(size)
	b.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := writeString(&b, m.key); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := json.Compact(&b, m.val); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeString writes s as a JSON string without escaping HTML characters.
func writeString(b *bytes.Buffer, s string) error {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\'
	}
	if plain {
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
		return nil
	}
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	return nil
}
