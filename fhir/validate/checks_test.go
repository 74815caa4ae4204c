package validate

import (
	"strings"
	"sync"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
)

// checkCase is a body that fails one check, with the issue it gets, and a
// body close to it that passes.
type checkCase struct {
	name       string
	bad        string
	code       fhir.IssueType
	expr, good string
}

// runChecks runs the cases against the model m.
func runChecks(t *testing.T, m *rmodel, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := resource(m, []byte(tc.bad), "")
			checkIssues(t, err, []want{{tc.code, tc.expr}})
			if _, err := resource(m, []byte(tc.good), ""); err != nil {
				t.Errorf("the good body is refused: %v", err)
			}
		})
	}
}

// obs is an Observation with the given members besides its status and
// code.
func obs(members string) string {
	if members != "" {
		members = "," + members
	}
	return `{"resourceType":"Observation","status":"final","code":{"text":"t"}` + members + `}`
}

func pat(members string) string {
	return `{"resourceType":"Patient"` + strings.TrimSuffix(","+members, ",") + `}`
}

func TestCardinality(t *testing.T) {
	runChecks(t, model(), []checkCase{
		{"missing required", `{"resourceType":"Observation","code":{"text":"t"}}`, fhir.IssueRequired, "Observation.status", obs("")},
		{"missing required backbone element", pat(`"link":[{"type":"seealso"}]`), fhir.IssueRequired, "Patient.link[0].other",
			pat(`"link":[{"other":{"reference":"Patient/1"},"type":"seealso"}]`)},
	})
	runChecks(t, model(), []checkCase{
		{"array for a single value", pat(`"gender":["male"]`), fhir.IssueStructure, "Patient.gender", pat(`"gender":"male"`)},
		{"single value for an array", pat(`"name":{"family":"x"}`), fhir.IssueStructure, "Patient.name", pat(`"name":[{"family":"x"}]`)},
		{"primitive array for a single value", pat(`"birthDate":["2000"]`), fhir.IssueStructure, "Patient.birthDate", pat(`"birthDate":"2000"`)},
		{"twin array for a single value", pat(`"birthDate":"2000","_birthDate":[{"id":"a"}]`), fhir.IssueStructure, "Patient._birthDate",
			pat(`"birthDate":"2000","_birthDate":{"id":"a"}`)},
		{"twin not aligned", pat(`"name":[{"given":["a","b"],"_given":[{"id":"x"}]}]`), fhir.IssueStructure, "Patient.name[0]._given",
			pat(`"name":[{"given":["a","b"],"_given":[{"id":"x"},null]}]`)},
	})
}

func TestUnknownElements(t *testing.T) {
	runChecks(t, model(), []checkCase{
		{"unknown", pat(`"colour":"blue"`), fhir.IssueStructure, "Patient.colour", pat(`"gender":"male"`)},
		{"unknown in a data type", pat(`"name":[{"surname":"x"}]`), fhir.IssueStructure, "Patient.name[0].surname", pat(`"name":[{"family":"x"}]`)},
		{"unknown in a backbone", pat(`"contact":[{"name":{"family":"x"},"role":"x"}]`), fhir.IssueStructure, "Patient.contact[0].role",
			pat(`"contact":[{"name":{"family":"x"}}]`)},
		{"twin of a complex element", pat(`"name":[{"family":"x"}],"_name":[{"id":"a"}]`), fhir.IssueStructure, "Patient._name",
			pat(`"name":[{"family":"x","_family":{"id":"a"}}]`)},
		{"twin of nothing", pat(`"_colour":{"id":"a"}`), fhir.IssueStructure, "Patient._colour", pat(`"_gender":{"extension":[{"url":"u","valueCode":"x"}]}`)},
		{"twin of an element id", pat(`"name":[{"id":"a","_id":{"extension":[{"url":"u","valueString":"v"}]},"family":"x"}]`), fhir.IssueStructure,
			"Patient.name[0]._id", pat(`"name":[{"id":"a","family":"x","_family":{"extension":[{"url":"u","valueString":"v"}]}}]`)},
		{"unknown in a twin", pat(`"gender":"male","_gender":{"value":"x"}`), fhir.IssueStructure, "Patient._gender.value",
			pat(`"gender":"male","_gender":{"id":"x"}`)},
		{"choice type the element does not take", obs(`"valueAddress":{"city":"x"}`), fhir.IssueStructure, "Observation.valueAddress",
			obs(`"valueString":"x"`)},
		{"abstract type as choice", obs(`"valueElement":{"id":"x"}`), fhir.IssueStructure, "Observation.valueElement", obs(`"valueBoolean":true`)},
	})
}

func TestPrimitiveFormats(t *testing.T) {
	ext := func(typ, v string) string {
		return pat(`"extension":[{"url":"http://e/x","value` + typ + `":` + v + `}]`)
	}
	cases := []checkCase{
		{"boolean", pat(`"active":"true"`), fhir.IssueValue, "Patient.active", pat(`"active":true`)},
		{"string as number", pat(`"name":[{"family":1}]`), fhir.IssueValue, "Patient.name[0].family", pat(`"name":[{"family":"1"}]`)},
		{"string with a form feed", pat(`"name":[{"family":"a\fb"}]`), fhir.IssueValue, "Patient.name[0].family", pat(`"name":[{"family":"a\tb"}]`)},
		{"string as object", pat(`"name":[{"family":{"v":"x"}}]`), fhir.IssueStructure, "Patient.name[0].family", pat(`"name":[{"family":"x"}]`)},
		{"date", pat(`"birthDate":"2021-02-29"`), fhir.IssueValue, "Patient.birthDate", pat(`"birthDate":"2020-02-29"`)},
		{"date year 0000", pat(`"birthDate":"0000"`), fhir.IssueValue, "Patient.birthDate", pat(`"birthDate":"0001"`)},
		{"dateTime without zone", obs(`"effectiveDateTime":"2020-01-01T10:00:00"`), fhir.IssueValue, "Observation.effectiveDateTime",
			obs(`"effectiveDateTime":"2020-01-01T10:00:00+01:00"`)},
		{"instant without time", obs(`"issued":"2020-01-01"`), fhir.IssueValue, "Observation.issued", obs(`"issued":"2020-01-01T10:00:00.5Z"`)},
		{"time", obs(`"valueTime":"24:00:00"`), fhir.IssueValue, "Observation.valueTime", obs(`"valueTime":"23:59:59.999"`)},
		{"decimal as string", obs(`"valueQuantity":{"value":"1.5"}`), fhir.IssueValue, "Observation.valueQuantity.value", obs(`"valueQuantity":{"value":1.5}`)},
		{"integer with a fraction", obs(`"valueInteger":1.5`), fhir.IssueValue, "Observation.valueInteger", obs(`"valueInteger":-15`)},
		{"integer above 32 bits", obs(`"valueInteger":2147483648`), fhir.IssueValue, "Observation.valueInteger", obs(`"valueInteger":2147483647`)},
		{"positiveInt 0", pat(`"multipleBirthInteger":1,"contact":[{"name":{"family":"x"},"telecom":[{"system":"phone","value":"1","rank":0}]}]`),
			fhir.IssueValue, "Patient.contact[0].telecom[0].rank", pat(`"contact":[{"name":{"family":"x"},"telecom":[{"system":"phone","value":"1","rank":1}]}]`)},
		{"unsignedInt negative", ext("UnsignedInt", "-1"), fhir.IssueValue, "Patient.extension[0].valueUnsignedInt", ext("UnsignedInt", "0")},
		{"uri with a space", ext("Uri", `"http://x/a b"`), fhir.IssueValue, "Patient.extension[0].valueUri", ext("Uri", `"http://x/a%20b"`)},
		{"canonical with a space", ext("Canonical", `"http://x/a b"`), fhir.IssueValue, "Patient.extension[0].valueCanonical", ext("Canonical", `"http://x/a"`)},
		{"code with two spaces", ext("Code", `"a  b"`), fhir.IssueValue, "Patient.extension[0].valueCode", ext("Code", `"a b"`)},
		{"id", ext("Id", `"a_b"`), fhir.IssueValue, "Patient.extension[0].valueId", ext("Id", `"a-b.9"`)},
		{"oid", ext("Oid", `"urn:oid:1.02"`), fhir.IssueValue, "Patient.extension[0].valueOid", ext("Oid", `"urn:oid:1.2"`)},
		{"uuid upper case", ext("Uuid", `"urn:uuid:61EBE359-BFDC-4613-8BF2-C5E300945F0A"`), fhir.IssueValue, "Patient.extension[0].valueUuid",
			ext("Uuid", `"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"`)},
		{"base64Binary", ext("Base64Binary", `"QUJ"`), fhir.IssueValue, "Patient.extension[0].valueBase64Binary", ext("Base64Binary", `"QUJD"`)},
		{"markdown as number", ext("Markdown", `1`), fhir.IssueValue, "Patient.extension[0].valueMarkdown", ext("Markdown", `"*x*"`)},
	}
	runChecks(t, model(), cases)
}

func TestChoice(t *testing.T) {
	runChecks(t, model(), []checkCase{
		{"two types", obs(`"valueString":"x","valueBoolean":true`), fhir.IssueStructure, "Observation.valueString", obs(`"valueString":"x"`)},
		{"value and twin of another type", pat(`"deceasedBoolean":true,"_deceasedDateTime":{"id":"a"}`), fhir.IssueStructure, "Patient._deceasedDateTime",
			pat(`"deceasedBoolean":true,"_deceasedBoolean":{"id":"a"}`)},
		{"bare choice name", obs(`"value":"x"`), fhir.IssueStructure, "Observation.value", obs(`"valueString":"x"`)},
	})
}

func TestRequiredBindings(t *testing.T) {
	cond := func(status string) string {
		return `{"resourceType":"Condition","subject":{"reference":"Patient/p"},"clinicalStatus":` + status + `}`
	}
	const clinical = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	runChecks(t, model(), []checkCase{
		{"code", pat(`"gender":"robot"`), fhir.IssueValue, "Patient.gender", pat(`"gender":"other"`)},
		{"code in another case", `{"resourceType":"Observation","status":"Final","code":{"text":"t"}}`,
			fhir.IssueValue, "Observation.status", obs("")},
		{"code of a data type", obs(`"valueQuantity":{"value":1,"comparator":"=<"}`), fhir.IssueValue, "Observation.valueQuantity.comparator",
			obs(`"valueQuantity":{"value":1,"comparator":"<="}`)},
		{"concept of another system", cond(`{"coding":[{"system":"http://example.org","code":"active"}]}`), fhir.IssueValue, "Condition.clinicalStatus",
			cond(`{"coding":[{"system":"http://example.org","code":"x"},{"system":"` + clinical + `","code":"active"}]}`)},
		{"concept of an unknown code", cond(`{"coding":[{"system":"` + clinical + `","code":"bogus"}]}`), fhir.IssueValue, "Condition.clinicalStatus",
			cond(`{"coding":[{"system":"` + clinical + `","code":"resolved"}],"text":"gone"}`)},
		{"concept without coding", cond(`{"text":"active"}`), fhir.IssueValue, "Condition.clinicalStatus",
			cond(`{"coding":[{"system":"` + clinical + `","code":"active"}]}`)},
	})
}

// testModel is the R4 model with a resource type Gadget whose elements
// have what R4's base definitions never use: fixed and pattern values, a
// required binding on a Coding, a maximum cardinality above one.
var testModel = sync.OnceValue(func() *rmodel {
	m, err := loadModel(modelText + strings.Join([]string{
		"T\tGadget\tresource\tDomainResource",
		"E\tid\t0\t1\tstring\t-",
		"E\tkind\t0\t1\tcode\t-",
		"F\tfixed\tfixedCode\t\"widget\"",
		"E\tconcept\t0\t1\tCodeableConcept\t-",
		"F\tpattern\tpatternCodeableConcept\t{\"coding\":[{\"system\":\"http://s\",\"code\":\"a\"}]}",
		"E\ttag\t0\t1\tCoding\thttp://example.org/vs",
		"E\tpair\t0\t2\tstring\t-",
		"E\tpart\t0\t*\tGadget.part\t-",
		"T\tGadget.part\tbackbone\tBackboneElement",
		"I\tgdt-1\tname.exists() or size.exists()\tA part has a name or a size",
		"E\tid\t0\t1\tstring\t-",
		"E\textension\t0\t*\tExtension\t-",
		"E\tname\t0\t1\tstring\t-",
		"E\tsize\t0\t1\tinteger\t-",
		"V\thttp://example.org/vs\thttp://s\ta\tb",
	}, "\n"))
	if err != nil {
		panic(err)
	}
	return m
})

func TestModelOnlyChecks(t *testing.T) {
	g := func(members string) string { return `{"resourceType":"Gadget",` + members + `}` }
	runChecks(t, testModel(), []checkCase{
		{"fixed", g(`"kind":"gizmo"`), fhir.IssueValue, "Gadget.kind", g(`"kind":"widget"`)},
		{"pattern", g(`"concept":{"coding":[{"system":"http://s","code":"b"}]}`), fhir.IssueValue, "Gadget.concept",
			g(`"concept":{"coding":[{"system":"http://t","code":"z"},{"system":"http://s","code":"a","display":"A"}],"text":"x"}`)},
		{"coding of another system", g(`"tag":{"system":"http://t","code":"a"}`), fhir.IssueValue, "Gadget.tag", g(`"tag":{"system":"http://s","code":"a"}`)},
		{"coding of an unknown code", g(`"tag":{"system":"http://s","code":"c"}`), fhir.IssueValue, "Gadget.tag", g(`"tag":{"system":"http://s","code":"b"}`)},
		{"too many items", g(`"pair":["a","b","c"]`), fhir.IssueStructure, "Gadget.pair", g(`"pair":["a","b"]`)},
		{"invariant of a backbone", g(`"part":[{"name":"x"},{"id":"y","extension":[{"url":"u","valueString":"v"}]}]`), fhir.IssueInvariant, "Gadget.part[1]",
			g(`"part":[{"name":"x"},{"size":1}]`)},
	})
}

func TestReferenceTargets(t *testing.T) {
	runChecks(t, model(), []checkCase{
		{"relative", obs(`"subject":{"reference":"Medication/1"}`), fhir.IssueValue, "Observation.subject.reference", obs(`"subject":{"reference":"Patient/1"}`)},
		{"absolute and versioned", obs(`"subject":{"reference":"http://x.org/fhir/Practitioner/1/_history/2"}`), fhir.IssueValue, "Observation.subject.reference",
			obs(`"subject":{"reference":"http://x.org/fhir/Group/1/_history/2"}`)},
		{"conditional", obs(`"subject":{"reference":"Practitioner?identifier=x|1"}`), fhir.IssueValue, "Observation.subject.reference",
			obs(`"subject":{"reference":"Patient?identifier=x|1"}`)},
		{"type element", obs(`"subject":{"type":"Practitioner","identifier":{"value":"1"}}`), fhir.IssueValue, "Observation.subject.type",
			obs(`"subject":{"type":"Patient","identifier":{"value":"1"}}`)},
		{"contained", obs(`"contained":[{"resourceType":"Practitioner","id":"p"}],"subject":{"reference":"#p"}`), fhir.IssueValue, "Observation.subject.reference",
			obs(`"contained":[{"resourceType":"Patient","id":"p"}],"subject":{"reference":"#p"}`)},
		{"in a backbone", pat(`"link":[{"other":{"reference":"Organization/1"},"type":"seealso"}]`), fhir.IssueValue, "Patient.link[0].other.reference",
			pat(`"link":[{"other":{"reference":"RelatedPerson/1"},"type":"seealso"}]`)},
	})
}

func TestContainedAndNested(t *testing.T) {
	runChecks(t, model(), []checkCase{
		{"contained checked as its type", pat(`"managingOrganization":{"reference":"#o"},"contained":[{"resourceType":"Organization","id":"o","name":"x","active":"yes"}]`),
			fhir.IssueValue, "Patient.contained[0].ofType(Organization).active",
			pat(`"managingOrganization":{"reference":"#o"},"contained":[{"resourceType":"Organization","id":"o","name":"x","active":true}]`)},
		{"contained of unknown type", pat(`"managingOrganization":{"reference":"#o"},"contained":[{"resourceType":"Company","id":"o"}]`),
			fhir.IssueNotSupported, "Patient.contained[0].ofType(Company).resourceType",
			pat(`"managingOrganization":{"reference":"#o"},"contained":[{"resourceType":"Organization","id":"o","name":"x"}]`)},
		{"bundle entry", `{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Observation","status":"final"}}]}`,
			fhir.IssueRequired, "Bundle.entry[0].resource.ofType(Observation).code",
			`{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + obs("") + `}]}`},
		{"bundle in a bundle", `{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Bundle","type":"batch","entry":[{"resource":` + pat(`"gender":"robot"`) + `,"request":{"method":"POST","url":"Patient"}}]}}]}`,
			fhir.IssueValue, "Bundle.entry[0].resource.ofType(Bundle).entry[0].resource.ofType(Patient).gender",
			`{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Bundle","type":"batch","entry":[{"resource":` + pat(`"gender":"male"`) + `,"request":{"method":"POST","url":"Patient"}}]}}]}`},
		{"response outcome", `{"resourceType":"Bundle","type":"batch-response","entry":[{"response":{"status":"400","outcome":{"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"nope"}]}}}]}`,
			fhir.IssueValue, "Bundle.entry[0].response.outcome.ofType(OperationOutcome).issue[0].code",
			`{"resourceType":"Bundle","type":"batch-response","entry":[{"response":{"status":"400","outcome":{"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"invalid"}]}}}]}`},
		{"parameter resource", `{"resourceType":"Parameters","parameter":[{"name":"r","resource":` + pat(`"birthDate":"x"`) + `}]}`,
			fhir.IssueValue, "Parameters.parameter[0].resource.ofType(Patient).birthDate",
			`{"resourceType":"Parameters","parameter":[{"name":"r","resource":` + pat(`"birthDate":"2000"`) + `}]}`},
	})
}

func TestGeneratedInvariants(t *testing.T) {
	runChecks(t, model(), []checkCase{
		{"pat-1", pat(`"contact":[{"gender":"male"}]`), fhir.IssueInvariant, "Patient.contact[0]", pat(`"contact":[{"gender":"male","name":{"family":"x"}}]`)},
		{"of a data type", obs(`"valueQuantity":{"value":1,"code":"mg"}`), fhir.IssueInvariant, "Observation.valueQuantity",
			obs(`"valueQuantity":{"value":1,"code":"mg","system":"http://unitsofmeasure.org"}`)},
		{"of a nested resource", `{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + pat(`"contact":[{"gender":"male"}]`) + `}]}`,
			fhir.IssueInvariant, "Bundle.entry[0].resource.ofType(Patient).contact[0]",
			`{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + pat(`"contact":[{"gender":"male","telecom":[{"system":"phone","value":"1"}]}]`) + `}]}`},
	})
}

// A SimpleQuantity has no comparator: the element is not there (max 0),
// and sqty-1 says so too.
func TestProfileOfDataType(t *testing.T) {
	_, err := Resource([]byte(obs(`"referenceRange":[{"low":{"value":1,"comparator":"<"}}]`)), "")
	checkIssues(t, err, []want{{fhir.IssueInvariant, "Observation.referenceRange[0].low"},
		{fhir.IssueStructure, "Observation.referenceRange[0].low.comparator"}})
	if _, err := Resource([]byte(obs(`"referenceRange":[{"low":{"value":1}}],"valueQuantity":{"value":1,"comparator":"<"}`)), ""); err != nil {
		t.Errorf("a Quantity has a comparator: %v", err)
	}
}
