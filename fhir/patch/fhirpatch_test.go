package patch

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
)

// The helpers below write FHIRPath Patch Parameters as Go values: params
// holds operations, op holds parts.

func params(ops ...map[string]any) map[string]any {
	list := make([]any, len(ops))
	for i, o := range ops {
		list[i] = o
	}
	return map[string]any{"resourceType": "Parameters", "parameter": list}
}

func op(parts ...map[string]any) map[string]any {
	list := make([]any, len(parts))
	for i, p := range parts {
		list[i] = p
	}
	return map[string]any{"name": "operation", "part": list}
}

func part(name, key string, v any) map[string]any { return map[string]any{"name": name, key: v} }
func typ(t string) map[string]any                 { return part("type", "valueCode", t) }
func path(p string) map[string]any                { return part("path", "valueString", p) }
func name(n string) map[string]any                { return part("name", "valueString", n) }
func value(key string, v any) map[string]any      { return part("value", key, v) }
func integer(n string, i int) map[string]any {
	return part(n, "valueInteger", json.Number(strconv.Itoa(i)))
}

// nested returns a part called n whose value is made of the parts given.
func nested(n string, parts ...map[string]any) map[string]any {
	list := make([]any, len(parts))
	for i, p := range parts {
		list[i] = p
	}
	return map[string]any{"name": n, "part": list}
}

func TestFHIRPath(t *testing.T) {
	tests := []struct {
		name   string
		res    string // the resource patched; patientJSON when empty
		params map[string]any
		want   string
	}{
		{"add a single element", `{"resourceType":"Patient","id":"p1"}`,
			params(op(typ("add"), path("Patient"), name("birthDate"), value("valueDate", "1930-01-01"))),
			`{"resourceType":"Patient","id":"p1","birthDate":"1930-01-01"}`},
		{"add a repeating element creates a list", `{"resourceType":"Patient","id":"p1"}`,
			params(op(typ("add"), path("Patient"), name("identifier"),
				value("valueIdentifier", map[string]any{"system": "urn:sys", "value": "42"}))),
			`{"resourceType":"Patient","id":"p1","identifier":[{"system":"urn:sys","value":"42"}]}`},
		{"add a HumanName from nested parts", `{"resourceType":"Patient","id":"p1"}`,
			params(op(typ("add"), path("Patient"), name("name"),
				nested("value", part("family", "valueString", "Doe"), part("given", "valueString", "Jane")))),
			`{"resourceType":"Patient","id":"p1","name":[{"family":"Doe","given":["Jane"]}]}`},
		{"add appends to a list", "",
			params(op(typ("add"), path("Patient.name[1]"), name("given"), value("valueString", "Jimmy"))),
			`{"resourceType":"Patient","id":"p1",
			  "name":[{"family":"Chalmers","given":["Peter","James"]},{"given":["Jim","Jimmy"]}],
			  "telecom":[{"system":"phone","value":"555-1"},{"system":"email","value":"a@example.org"}],
			  "gender":"male","birthDate":"1974-12-25","deceasedBoolean":false}`},
		{"add a choice element by its base name", `{"resourceType":"Patient","id":"p1"}`,
			params(op(typ("add"), path("Patient"), name("deceased"), value("valueDateTime", "2020-01-01"))),
			`{"resourceType":"Patient","id":"p1","deceasedDateTime":"2020-01-01"}`},
		{"add a backbone element (the example of the specification)", `{"resourceType":"Patient","id":"p1"}`,
			params(op(typ("add"), path("Patient"), name("contact"), nested("value",
				part("name", "valueHumanName", map[string]any{"text": "a name"}),
				part("relationship", "valueCodeableConcept", map[string]any{"text": "partner"}),
				part("gender", "valueCode", "female")))),
			`{"resourceType":"Patient","id":"p1","contact":[{"name":{"text":"a name"},
			  "relationship":[{"text":"partner"}],"gender":"female"}]}`},
		{"add an extension from nested parts", `{"resourceType":"Patient","id":"p1","gender":"female"}`,
			params(op(typ("add"), path("Patient"), name("extension"), nested("value",
				part("url", "valueUri", "http://example.org/x"), part("value", "valueString", "y")))),
			`{"resourceType":"Patient","id":"p1","gender":"female",
			  "extension":[{"url":"http://example.org/x","valueString":"y"}]}`},
		{"insert at the start", "",
			params(op(typ("insert"), path("Patient.telecom"), value("valueContactPoint", map[string]any{"system": "fax"}), integer("index", 0))),
			`{"resourceType":"Patient","id":"p1",
			  "name":[{"family":"Chalmers","given":["Peter","James"]},{"given":["Jim"]}],
			  "telecom":[{"system":"fax"},{"system":"phone","value":"555-1"},{"system":"email","value":"a@example.org"}],
			  "gender":"male","birthDate":"1974-12-25","deceasedBoolean":false}`},
		{"insert at the end", "",
			params(op(typ("insert"), path("Patient.name[0].given"), value("valueString", "Jr"), integer("index", 2))),
			`{"resourceType":"Patient","id":"p1",
			  "name":[{"family":"Chalmers","given":["Peter","James","Jr"]},{"given":["Jim"]}],
			  "telecom":[{"system":"phone","value":"555-1"},{"system":"email","value":"a@example.org"}],
			  "gender":"male","birthDate":"1974-12-25","deceasedBoolean":false}`},
		{"insert into an absent list", `{"resourceType":"Patient","id":"p1"}`,
			params(op(typ("insert"), path("Patient.address"), value("valueAddress", map[string]any{"city": "Paris"}), integer("index", 0))),
			`{"resourceType":"Patient","id":"p1","address":[{"city":"Paris"}]}`},
		{"insert keeps primitive extensions aligned",
			`{"resourceType":"Patient","name":[{"given":["Peter","James"],"_given":[null,{"id":"j"}]}]}`,
			params(op(typ("insert"), path("Patient.name.given"), value("valueString", "Paul"), integer("index", 1))),
			`{"resourceType":"Patient","name":[{"given":["Peter","Paul","James"],"_given":[null,null,{"id":"j"}]}]}`},
		{"delete a primitive with its extensions",
			`{"resourceType":"Patient","gender":"male","birthDate":"1974-12-25","_birthDate":{"id":"b"}}`,
			params(op(typ("delete"), path("Patient.birthDate"))),
			`{"resourceType":"Patient","gender":"male"}`},
		{"delete a list item", "",
			params(op(typ("delete"), path("Patient.telecom[0]"))),
			`{"resourceType":"Patient","id":"p1",
			  "name":[{"family":"Chalmers","given":["Peter","James"]},{"given":["Jim"]}],
			  "telecom":[{"system":"email","value":"a@example.org"}],
			  "gender":"male","birthDate":"1974-12-25","deceasedBoolean":false}`},
		{"delete removes the lists and objects it empties", "",
			params(op(typ("delete"), path("Patient.name[1].given[0]"))),
			`{"resourceType":"Patient","id":"p1",
			  "name":[{"family":"Chalmers","given":["Peter","James"]}],
			  "telecom":[{"system":"phone","value":"555-1"},{"system":"email","value":"a@example.org"}],
			  "gender":"male","birthDate":"1974-12-25","deceasedBoolean":false}`},
		{"delete the last item removes the list",
			`{"resourceType":"Patient","id":"p1","telecom":[{"system":"phone"}],"_gender":{"id":"g"}}`,
			params(op(typ("delete"), path("Patient.telecom[0]"))),
			`{"resourceType":"Patient","id":"p1","_gender":{"id":"g"}}`},
		{"delete a choice element by its base name", `{"resourceType":"Patient","deceasedBoolean":true,"active":true}`,
			params(op(typ("delete"), path("Patient.deceased"))),
			`{"resourceType":"Patient","active":true}`},
		{"delete of a missing element changes nothing", "",
			params(op(typ("delete"), path("Patient.address[0].city")), op(typ("delete"), path("Patient.name[7]"))),
			patientJSON},
		{"replace a single element", "",
			params(op(typ("replace"), path("Patient.gender"), value("valueCode", "female"))),
			`{"resourceType":"Patient","id":"p1",
			  "name":[{"family":"Chalmers","given":["Peter","James"]},{"given":["Jim"]}],
			  "telecom":[{"system":"phone","value":"555-1"},{"system":"email","value":"a@example.org"}],
			  "gender":"female","birthDate":"1974-12-25","deceasedBoolean":false}`},
		{"replace a list item without the type name", "",
			params(op(typ("replace"), path("name[0].given[1]"), value("valueString", "Jimmy"))),
			`{"resourceType":"Patient","id":"p1",
			  "name":[{"family":"Chalmers","given":["Peter","Jimmy"]},{"given":["Jim"]}],
			  "telecom":[{"system":"phone","value":"555-1"},{"system":"email","value":"a@example.org"}],
			  "gender":"male","birthDate":"1974-12-25","deceasedBoolean":false}`},
		{"replace a choice with another type", `{"resourceType":"Patient","deceasedBoolean":true}`,
			params(op(typ("replace"), path("Patient.deceased"), value("valueDateTime", "2021-03-04"))),
			`{"resourceType":"Patient","deceasedDateTime":"2021-03-04"}`},
		{"move an item forward", "",
			params(op(typ("move"), path("Patient.telecom"), integer("source", 1), integer("destination", 0))),
			`{"resourceType":"Patient","id":"p1",
			  "name":[{"family":"Chalmers","given":["Peter","James"]},{"given":["Jim"]}],
			  "telecom":[{"system":"email","value":"a@example.org"},{"system":"phone","value":"555-1"}],
			  "gender":"male","birthDate":"1974-12-25","deceasedBoolean":false}`},
		{"move keeps primitive extensions aligned",
			`{"resourceType":"Patient","name":[{"given":["A","B","C"],"_given":[{"id":"a"},null,null]}]}`,
			params(op(typ("move"), path("Patient.name[0].given"), integer("source", 0), integer("destination", 2))),
			`{"resourceType":"Patient","name":[{"given":["B","C","A"],"_given":[null,null,{"id":"a"}]}]}`},
		{"operations apply in order", `{"resourceType":"Patient"}`,
			params(op(typ("add"), path("Patient"), name("gender"), value("valueCode", "male")),
				op(typ("replace"), path("Patient.gender"), value("valueCode", "other"))),
			`{"resourceType":"Patient","gender":"other"}`},
		{"no operations", "", map[string]any{"resourceType": "Parameters"}, patientJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.res
			if src == "" {
				src = patientJSON
			}
			got, err := FHIRPath(MustObject(t, src), tt.params)
			if err != nil {
				t.Fatalf("FHIRPath: %v", err)
			}
			assertJSON(t, got, tt.want)
		})
	}
}

func TestFHIRPathErrors(t *testing.T) {
	const op1 = "Parameters.parameter[0]"
	tests := []struct {
		name     string
		params   map[string]any
		kind     fhir.Kind
		code     fhir.IssueType
		diag, at string
	}{
		{"replace matching nothing", params(op(typ("replace"), path("Patient.maritalStatus"), value("valueCodeableConcept", map[string]any{"text": "M"}))),
			fhir.KindUnprocessable, fhir.IssueProcessing, "operation 1 (replace Patient.maritalStatus): the path matches nothing", "Patient.maritalStatus"},
		{"a path of another resource type", params(op(typ("replace"), path("Observation.status"), value("valueCode", "final"))),
			fhir.KindUnprocessable, fhir.IssueProcessing, "the path matches nothing", "Observation.status"},
		{"replace matching several", params(op(typ("replace"), path("Patient.name.given"), value("valueString", "X"))),
			fhir.KindUnprocessable, fhir.IssueProcessing, "the path matches 3 elements", "Patient.name.given"},
		{"delete matching several", params(op(typ("delete"), path("Patient.telecom.system"))),
			fhir.KindUnprocessable, fhir.IssueProcessing, "the path matches 2 elements", "Patient.telecom.system"},
		{"add under several", params(op(typ("add"), path("Patient.name"), name("text"), value("valueString", "X"))),
			fhir.KindUnprocessable, fhir.IssueProcessing, "the path matches 2 elements", "Patient.name"},
		{"add to a single element with a value", params(op(typ("add"), path("Patient"), name("gender"), value("valueCode", "female"))),
			fhir.KindUnprocessable, fhir.IssueProcessing, "gender already has a value", "Patient"},
		{"add to a choice with a value", params(op(typ("add"), path("Patient"), name("deceased"), value("valueDateTime", "2020"))),
			fhir.KindUnprocessable, fhir.IssueProcessing, "deceased already has a value (deceasedBoolean)", "Patient"},
		{"add a choice of a wrong type", params(op(typ("add"), path("Patient.name[0]"), name("period"), value("valueString", "x")),
			op(typ("add"), path("Patient"), name("multipleBirth"), value("valueString", "x"))),
			fhir.KindUnprocessable, fhir.IssueProcessing, "operation 2 (add Patient): multipleBirth[x] cannot be of type String", "Patient"},
		{"add to a primitive", params(op(typ("add"), path("Patient.gender"), name("id"), value("valueString", "x"))),
			fhir.KindUnprocessable, fhir.IssueProcessing, "primitive value", "Patient.gender"},
		{"insert out of range", params(op(typ("insert"), path("Patient.telecom"), value("valueContactPoint", map[string]any{}), integer("index", 3))),
			fhir.KindUnprocessable, fhir.IssueProcessing, "index 3 is out of range: the list has 2 items", "Patient.telecom"},
		{"insert into a single element", params(op(typ("insert"), path("Patient.gender"), value("valueCode", "x"), integer("index", 0))),
			fhir.KindUnprocessable, fhir.IssueProcessing, "gender holds a single value, not a list", "Patient.gender"},
		{"insert into an absent single element", params(op(typ("insert"), path("Patient.maritalStatus"), value("valueCode", "x"), integer("index", 0))),
			fhir.KindUnprocessable, fhir.IssueProcessing, "maritalStatus does not repeat", "Patient.maritalStatus"},
		{"insert at an item", params(op(typ("insert"), path("Patient.telecom[0]"), value("valueCode", "x"), integer("index", 0))),
			fhir.KindUnprocessable, fhir.IssueProcessing, "the path must name a list", "Patient.telecom[0]"},
		{"move out of range", params(op(typ("move"), path("Patient.telecom"), integer("source", 2), integer("destination", 0))),
			fhir.KindUnprocessable, fhir.IssueProcessing, "index 2 is out of range", "Patient.telecom"},
		{"a path beyond simple paths", params(op(typ("delete"), path("Patient.telecom.where(system = 'phone')"))),
			fhir.KindUnprocessable, fhir.IssueNotSupported, "only simple paths are supported", op1},
		{"a malformed path", params(op(typ("delete"), path("Patient..name"))),
			fhir.KindInvalid, fhir.IssueInvalid, "the path is malformed at position 9", op1},
		{"not Parameters", map[string]any{"resourceType": "Patient"},
			fhir.KindInvalid, fhir.IssueInvalid, `must be a Parameters resource, not "Patient"`, ""},
		{"a parameter not named operation", params(map[string]any{"name": "op", "part": []any{typ("delete")}}),
			fhir.KindInvalid, fhir.IssueInvalid, `operation 1: the parameter is named "op"`, op1},
		{"no type", params(op(path("Patient.gender"))),
			fhir.KindInvalid, fhir.IssueRequired, "the operation has no type part", op1},
		{"unknown type", params(op(typ("remove"), path("Patient.gender"))),
			fhir.KindInvalid, fhir.IssueInvalid, `unknown type "remove"`, op1},
		{"no path", params(op(typ("delete"))),
			fhir.KindInvalid, fhir.IssueRequired, "delete has no path part", op1},
		{"add without value", params(op(typ("delete"), path("Patient.id")), op(typ("add"), path("Patient"), name("active"))),
			fhir.KindInvalid, fhir.IssueRequired, "operation 2: add needs a value part", "Parameters.parameter[1]"},
		{"a part the type does not take", params(op(typ("replace"), path("Patient.gender"), value("valueCode", "x"), integer("index", 0))),
			fhir.KindInvalid, fhir.IssueInvalid, "replace does not take a index part", op1},
		{"a value part without a value", params(op(typ("replace"), path("Patient.gender"), map[string]any{"name": "value"})),
			fhir.KindInvalid, fhir.IssueInvalid, "part 3: the value has no value[x]", "Parameters.parameter[0].part[2]"},
		{"an index that is not an integer", params(op(typ("insert"), path("Patient.telecom"), value("valueCode", "x"), part("index", "valueString", "0"))),
			fhir.KindInvalid, fhir.IssueInvalid, `the part "index" needs a valueInteger`, "Parameters.parameter[0].part[3]"},
		{"a part given twice", params(op(typ("delete"), path("Patient.gender"), path("Patient.id"))),
			fhir.KindInvalid, fhir.IssueInvalid, `the part "path" is given twice`, "Parameters.parameter[0].part[2]"},
		{"a choice given as nested parts", params(op(typ("replace"), path("Patient.deceased"), nested("value", part("text", "valueString", "x")))),
			fhir.KindUnprocessable, fhir.IssueProcessing, "deceased is a choice element", "Patient.deceased"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FHIRPath(MustObject(t, patientJSON), tt.params)
			if err == nil {
				t.Fatalf("FHIRPath succeeded with %v, want an error", got)
			}
			assertError(t, err, tt.kind, tt.code, tt.diag, tt.at)
		})
	}
}

// TestFHIRPathValues checks that values keep the types the server's
// decoder gives them, json.Number for numbers, even when the Parameters
// were decoded without UseNumber, and that the patched resource shares no
// value with the patch.
func TestFHIRPathValues(t *testing.T) {
	res := MustObject(t, `{"resourceType":"Patient"}`)
	cc := map[string]any{"coding": []any{map[string]any{"code": "M"}}}
	p := params(op(typ("add"), path("Patient"), name("multipleBirth"), value("valueInteger", float64(2))),
		op(typ("add"), path("Patient"), name("maritalStatus"), value("valueCodeableConcept", cc)),
		op(typ("add"), path("Patient"), name("active"), value("valueBoolean", true)))
	got, err := FHIRPath(res, p)
	if err != nil {
		t.Fatalf("FHIRPath: %v", err)
	}
	if n, ok := got["multipleBirthInteger"].(json.Number); !ok || n != "2" {
		t.Errorf("multipleBirthInteger = %#v, want json.Number(\"2\")", got["multipleBirthInteger"])
	}
	if b, ok := got["active"].(bool); !ok || !b {
		t.Errorf("active = %#v, want true", got["active"])
	}
	cc["text"] = "changed after the patch"
	assertJSON(t, got["maritalStatus"], `{"coding":[{"code":"M"}]}`)
}
