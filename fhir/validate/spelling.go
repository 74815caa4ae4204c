package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/fhirbase-go/fhird/fhir"
)

// google/fhir reads a code of a required value set after upper-casing it
// and turning '-' into '_' ("Entered_In_Error" is entered-in-error), while
// codes are case-sensitive: the stored text would then be one no search
// finds. The library's own rendering of what it read spells every code as
// the value set does; a string of the body that differs from it only in
// that way is a code the value set does not have.

// enumNames holds the value names of google/fhir's R4 code enums
// (ENTERED_IN_ERROR), the form in which google/fhir compares codes.
var enumNames = sync.OnceValue(func() map[string]bool {
	names := map[string]bool{}
	protoregistry.GlobalTypes.RangeEnums(func(e protoreflect.EnumType) bool {
		d := e.Descriptor()
		if strings.HasPrefix(string(d.FullName()), "google.fhir.r4.core.") {
			for i := 0; i < d.Values().Len(); i++ {
				names[string(d.Values().Get(i).Name())] = true
			}
		}
		return true
	})
	return names
})

// codeKey is the form of s google/fhir looks codes up by.
func codeKey(s string) string {
	return strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(s))
}

// mayMiscase reports whether some string of the tree could be a code
// google/fhir accepted in another spelling: it has an upper-case letter or
// an underscore, and its code form is a code's. Only such bodies pay for
// the comparison with the library's rendering. Members that are never such
// codes are passed over: the resource type (checked exactly elsewhere), a
// Coding's code (any code system's text), and free text.
func mayMiscase(v any) bool {
	switch t := v.(type) {
	case string:
		return strings.ContainsFunc(t, func(r rune) bool { return r == '_' || (r >= 'A' && r <= 'Z') }) &&
			len(t) <= 64 && enumNames()[codeKey(t)]
	case map[string]any:
		_, coding := t["system"]
		coding = coding && t["code"] != nil
		for k, c := range t {
			if _, str := c.(string); str && (notCode[k] || (coding && k == "code")) {
				continue
			}
			if mayMiscase(c) {
				return true
			}
		}
	case []any:
		for _, c := range t {
			if mayMiscase(c) {
				return true
			}
		}
	}
	return false
}

// notCode are members whose strings are never codes of a required value set
// (ContactPoint.system is one, so system is not among them).
var notCode = map[string]bool{
	"resourceType": true, "id": true, "reference": true, "display": true, "text": true, "div": true,
	"family": true, "given": true, "prefix": true, "suffix": true, "line": true, "city": true,
	"district": true, "state": true, "postalCode": true, "country": true, "name": true, "alias": true,
	"comment": true, "description": true, "title": true, "value": true, "url": true,
	"fullUrl": true, "versionId": true, "unit": true,
}

var marshaller = sync.OnceValue(func() *jsonformat.Marshaller {
	m, err := jsonformat.NewMarshaller(false, "", "", fhirversion.R4)
	if err != nil {
		panic(fmt.Sprintf("validate: creating the R4 marshaller: %v", err))
	}
	return m
})

// spelling compares the body's strings with google/fhir's rendering of
// msg, what it read from them, and reports each that is a code in another
// spelling.
func (r run) spelling(msg proto.Message) []issue {
	b, err := marshaller().Marshal(msg)
	if err != nil {
		return nil // the library's own failure: nothing to compare with
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var read any
	if d.Decode(&read) != nil {
		return nil
	}
	var issues []issue
	var walk func(sent, read any, at path)
	walk = func(sent, read any, at path) {
		switch s := sent.(type) {
		case string:
			if got, ok := read.(string); ok && got != s && codeKey(got) == codeKey(s) {
				issues = append(issues, issue{code: fhir.IssueValue, expr: r.rebase(at.expr(r.typ)), offset: -1,
					msg: fmt.Sprintf("%q is not a code of the element's value set; codes are case-sensitive: %q is.", s, got)})
			}
		case map[string]any:
			m, _ := read.(map[string]any)
			for k, v := range s {
				if rv, ok := m[k]; ok {
					walk(v, rv, append(at, seg{kind: segKey, key: k}))
				}
			}
		case []any:
			a, _ := read.([]any)
			for i, v := range s {
				if i < len(a) {
					walk(v, a[i], append(at, seg{kind: segIndex, index: i}))
				}
			}
		}
	}
	walk(r.obj, read, nil)
	return issues
}
