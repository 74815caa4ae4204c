package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sync"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"
	"google.golang.org/protobuf/proto"

	rpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
)

// unmarshaller returns the one R4 unmarshaller of the process. It is shared:
// after construction it is only read (its caches are guarded by the
// library's own locks), which TestConcurrent checks under the race detector.
var unmarshaller = sync.OnceValue(func() *jsonformat.Unmarshaller {
	u, err := jsonformat.NewUnmarshaller("UTC", fhirversion.R4)
	if err != nil {
		panic(fmt.Sprintf("validate: creating the R4 unmarshaller: %v", err))
	}
	return u
})

// r4Types holds the names of the R4 resource types, read from the choices of
// google/fhir's ContainedResource so that the two can never disagree.
var r4Types = func() map[string]bool {
	fields := (&rpb.ContainedResource{}).ProtoReflect().Descriptor().Fields()
	types := make(map[string]bool, fields.Len())
	for i := 0; i < fields.Len(); i++ {
		if m := fields.Get(i).Message(); m != nil {
			types[string(m.Name())] = true
		}
	}
	return types
}()

// libError holds the fields of google/fhir's internal UnmarshalError. That
// type lives in an internal package, and its Error method drops the
// diagnostics (the offending key or value), so the fields are read by
// reflection. TestLibraryErrorShape fails if the type changes shape.
type libError struct {
	path, details, diagnostics, kind string
}

// libErrors extracts the UnmarshalErrors from err, which may be one error or
// a list of them. It reports false for any other error.
func libErrors(err error) ([]libError, bool) {
	v := reflect.ValueOf(err)
	if v.Kind() != reflect.Slice {
		le, ok := libErrorOf(v)
		return []libError{le}, ok
	}
	out := make([]libError, 0, v.Len())
	for i := 0; i < v.Len(); i++ {
		le, ok := libErrorOf(v.Index(i))
		if !ok {
			return nil, false
		}
		out = append(out, le)
	}
	return out, true
}

func libErrorOf(v reflect.Value) (libError, bool) {
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return libError{}, false
	}
	v = v.Elem()
	if v.Type().Name() != "UnmarshalError" {
		return libError{}, false
	}
	var le libError
	ok := stringField(v, "Path", &le.path) && stringField(v, "Details", &le.details) &&
		stringField(v, "Diagnostics", &le.diagnostics) && stringField(v, "Type", &le.kind)
	return le, ok
}

func stringField(v reflect.Value, name string, dst *string) bool {
	f := v.FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.String {
		return false
	}
	*dst = f.String()
	return true
}

// reporter collects the errors of google/fhir's validation pass (required
// elements, primitive formats, reference types), which runs only when the
// structural parse succeeded.
type reporter struct{ errs []libError }

func (r *reporter) ReportValidationError(path string, err error) error {
	les, ok := libErrors(err)
	if !ok {
		les = []libError{{details: err.Error()}}
	}
	for _, le := range les {
		if le.path == "" {
			le.path = path
		}
		r.errs = append(r.errs, le)
	}
	return nil
}

// ReportValidationWarning ignores warnings: R4 validation emits none, and a
// warning is not a reason to refuse a write.
func (r *reporter) ReportValidationWarning(string, error) error { return nil }

// outcome is what one google/fhir run found.
type outcome struct {
	parse  []libError // structural errors; when present, validation did not run
	report []libError // validation errors
	err    error      // anything else: a failure of the library itself
	msg    proto.Message
}

// unmarshal runs google/fhir over body. A panic in the library is turned
// into an error so that no input can crash the server.
func unmarshal(body []byte) (out outcome) {
	defer func() {
		if r := recover(); r != nil {
			out.err = fmt.Errorf("google/fhir panicked: %v", r)
		}
	}()
	rep := &reporter{}
	msg, err := unmarshaller().UnmarshalWithErrorReporter(body, rep)
	out.report, out.msg = rep.errs, msg
	if err != nil {
		if les, ok := libErrors(err); ok {
			out.parse = les
		} else {
			out.err = err
		}
	}
	return out
}

// libraryErrors returns what google/fhir finds wrong with body, one line
// each ("path: details: diagnostics"), sorted; nil when it accepts it.
func libraryErrors(body []byte) []string {
	out := unmarshal(body)
	var lines []string
	for _, le := range append(out.parse, out.report...) {
		lines = append(lines, fmt.Sprintf("%s: %s: %s", le.path, le.details, le.diagnostics))
	}
	if out.err != nil {
		lines = append(lines, "library failure: "+out.err.Error())
	}
	slices.Sort(lines)
	return lines
}

// marshal writes a generic tree back as JSON. Numbers keep their text.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return buf.Bytes(), err
}
