package fhirpath

import (
	"fmt"
	"strings"
	"testing"
)

// values renders a collection as its values, for comparison: strings as
// is, objects as their type.
func values(nodes []Node) string {
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		switch v := n.Value.(type) {
		case map[string]any:
			if q, ok := quantityOf(n); ok && kindOf(n) == kQuantity {
				parts[i] = formatRat(q.value) + " '" + q.unit + "'"
			} else {
				parts[i] = "<" + n.Type + ">"
			}
		default:
			parts[i] = fmt.Sprint(v)
		}
	}
	return strings.Join(parts, " ")
}

// specCase is an expression evaluated with Check's semantics on a
// resource; want is the rendered result, or "error".
type specCase struct{ expr, want string }

func runSpecCases(t *testing.T, res map[string]any, cases []specCase) {
	t.Helper()
	root := ResourceNode(res)
	for _, c := range cases {
		x, err := Compile(c.expr)
		if err != nil {
			t.Errorf("Compile(%q): %v", c.expr, err)
			continue
		}
		out, err := x.appendStrict(nil, root, root, root)
		got := values(out)
		if err != nil {
			got = "error"
		}
		if got != c.want {
			t.Errorf("%s\n got %s (%v)\nwant %s", c.expr, got, err, c.want)
		}
	}
}

func TestOperators(t *testing.T) {
	runSpecCases(t, decode(t, patientJSON), []specCase{
		// Arithmetic, with exact decimals and integer results kept integer.
		{"1 + 2 * 3", "7"}, {"(1 + 2) * 3", "9"}, {"7 div 2", "3"}, {"7 mod 2", "1"},
		{"-7 div 2", "-3"}, {"7.5 mod 2", "1.5"}, {"1 / 4", "0.25"}, {"2 / 3", "0.66666667"},
		{"1 / 0", ""}, {"5 div 0", ""}, {"0.1 + 0.2 = 0.3", "true"}, {"1.0 * 3", "3"}, {"(1.0 * 3) is Decimal", "true"},
		{"2 - 5", "-3"}, {"-(2)", "-2"}, {"+4", "4"}, {"1 + {}", ""},
		{"'a' + 'b'", "ab"}, {"'a' & {} & 'c'", "ac"}, {"'a' + {}", ""}, {"1 + 'a'", "error"},
		// Equality and equivalence.
		{"1 = 1.0", "true"}, {"'a' = 'A'", "false"}, {"'a' ~ 'A'", "true"}, {"'a  b' ~ 'A b'", "true"},
		{"1.2 ~ 1.24", "true"}, {"{} = 1", ""}, {"{} ~ {}", "true"}, {"{} !~ 1", "true"},
		{"(1 | 2) = (1 | 2)", "true"}, {"(1 | 2) = (2 | 1)", "false"}, {"(1 | 2) ~ (2 | 1)", "true"},
		{"(1 | 2) = 1", "false"}, {"1 != 2", "true"}, {"Patient.name[0] = Patient.name[0]", "true"},
		{"Patient.name[0] = Patient.name[1]", "false"}, {"@2020-01-01 = @2020-01-01", "true"},
		{"@2020-01 = @2020-01-01", ""}, {"@2020-01 ~ @2020-01-01", "false"},
		{"@2020-01-01T10:00:00+02:00 = @2020-01-01T08:00:00Z", "true"},
		{"4 'mg' = 4 'mg'", "true"}, {"4 'mg' = 4.0 'mg'", "true"}, {"1 day = 1 'd'", "true"},
		// Comparison.
		{"1 < 2", "true"}, {"2 <= 1.5", "false"}, {"'abc' > 'abd'", "false"}, {"@2020 < @2021-03", "true"},
		{"@2020-01 < @2020-01-05", ""}, {"@2020-01-01 >= @2020-01-01", "true"}, {"@T10:00 < @T10:30", "true"},
		{"@2020-01-01T10:00Z < @2020-01-01T11:00+02:00", "false"}, {"3 'mg' < 4 'mg'", "true"},
		{"3 'mg' < 4 'kg'", ""}, {"1 < 'a'", "error"}, {"(1 | 2) < 3", "error"}, {"{} < 1", ""},
		{"Patient.birthDate < @2000", ""},
		// Date arithmetic.
		{"@2020-01-31 + 1 month", "2020-02-29"}, {"@2020-01-01 - 2 days", "2019-12-30"},
		{"@2020-01-01T10:00:00Z + 90 minutes", "2020-01-01T11:30:00Z"}, {"@T10:00 + 1 hour", "11:00"},
		// Membership, union and logic.
		{"'a' in ('a' | 'b')", "true"}, {"'c' in ('a' | 'b')", "false"}, {"('a' | 'b') contains 'b'", "true"},
		{"{} in ('a')", ""}, {"('a' | 'b') in 'a'", "error"}, {"(1 | 1 | 2)", "1 2"}, {"(1 | 2).count()", "2"},
		{"true and {}", ""}, {"false and {}", "false"}, {"true or {}", "true"}, {"{} or false", ""},
		{"true xor false", "true"}, {"true xor true", "false"}, {"{} xor true", ""},
		{"false implies {}", "true"}, {"true implies {}", ""}, {"{} implies true", "true"},
		{"{} implies false", ""}, {"true implies false", "false"}, {"(true | false) and true", "error"},
		{"'x' and true", "true"},
		// Types.
		{"Patient.deceased is boolean", "true"}, {"Patient.deceased is System.Boolean", "true"},
		{"Patient.deceased as dateTime", ""}, {"Patient.name as HumanName", "error"},
		{"Patient.name.first() as HumanName", "<HumanName>"}, {"1 is Integer", "true"}, {"1.0 is Decimal", "true"},
		{"Patient is DomainResource", "true"}, {"'x' is String", "true"},
		// Variables and indexers.
		{"%resource.id", "p1"}, {"%context.id", "p1"}, {"%rootResource.id", "p1"}, {"%ucum", "http://unitsofmeasure.org"},
		{"%sct", "http://snomed.info/sct"}, {"%loinc", "http://loinc.org"}, {"Patient.name[1 + 0].text", "Pepe"},
		{"Patient.name.given.select($index)", "0 1"}, {"Patient.name[5]", ""},
		{"(1 | 2 | 3).aggregate($this + $total, 0)", "6"},
		{"{}", ""}, {"Patient.name.given /* comment */ .first() // end", "José"},
	})
}

func TestFunctions(t *testing.T) {
	runSpecCases(t, decode(t, patientJSON), []specCase{
		// Existence.
		{"Patient.name.exists()", "true"}, {"Patient.name.exists(family = 'x')", "false"}, {"{}.empty()", "true"},
		{"Patient.name.all(given.exists())", "false"}, {"{}.all(false)", "true"},
		{"(true | false).allTrue()", "false"}, {"(true | false).anyTrue()", "true"},
		{"(false).allFalse()", "true"}, {"(true).anyFalse()", "false"}, {"(1 | 2).anyTrue()", "error"},
		{"(1 | 2).subsetOf(1 | 2 | 3)", "true"}, {"(1 | 4).subsetOf(1 | 2)", "false"},
		{"(1 | 2 | 3).supersetOf(3)", "true"}, {"Patient.name.given.count()", "2"},
		{"(1 | 2).combine(1).distinct()", "1 2"}, {"(1 | 2).combine(1).isDistinct()", "false"},
		// Filtering and projection.
		{"Patient.telecom.where(system = 'email').value", "j@x.org"},
		{"Patient.name.select(given)", "José Luis"}, {"Patient.name.select(given.first())", "José"},
		{"Patient.name.repeat(given).count()", "2"}, {"Patient.telecom.ofType(ContactPoint).count()", "2"},
		{"Patient.deceased.is(boolean)", "true"}, {"Patient.deceased.as(boolean)", "false"},
		// Subsetting and combining.
		{"Patient.name.given.single()", "error"}, {"Patient.id.single()", "p1"},
		{"(1 | 2 | 3).first()", "1"}, {"(1 | 2 | 3).last()", "3"}, {"(1 | 2 | 3).tail()", "2 3"},
		{"(1 | 2 | 3).skip(2)", "3"}, {"(1 | 2 | 3).take(2)", "1 2"}, {"(1 | 2 | 3).take(-1)", ""},
		{"(1 | 2 | 3).intersect(2 | 3 | 4)", "2 3"}, {"(1 | 2 | 3).exclude(2)", "1 3"},
		{"(1 | 2).union(2 | 3)", "1 2 3"}, {"(1 | 2).combine(2 | 3)", "1 2 2 3"},
		{"iif(true, 'a', 'b')", "a"}, {"iif({}, 'a', 'b')", "b"}, {"iif(false, 'a')", ""},
		{"Patient.generalPractitioner.resolve().iif(empty(), 'none', 'some')", "error"},
		{"Patient.generalPractitioner.first().resolve().iif(empty(), 'none', 'some')", "some"},
		// Strings.
		{"'abc'.startsWith('ab')", "true"}, {"'abc'.endsWith('bc')", "true"}, {"'abc'.contains('d')", "false"},
		{"'abc'.length()", "3"}, {"'José'.length()", "4"}, {"'abcdef'.substring(2)", "cdef"},
		{"'abcdef'.substring(2, 2)", "cd"}, {"'abc'.substring(5)", ""}, {"'abc'.indexOf('c')", "2"},
		{"'abc'.indexOf('x')", "-1"}, {"'AbC'.upper()", "ABC"}, {"'AbC'.lower()", "abc"},
		{"'a-b-c'.replace('-', '+')", "a+b+c"}, {"'a1b22'.matches('[0-9]+')", "true"},
		{"'abc'.matches('^[0-9]+$')", "false"}, {"'a.b.c'.replaceMatches('\\\\..*', '')", "a"},
		{"'a,b'.split(',')", "a b"}, {"('a' | 'b').join('-')", "a-b"}, {"' x '.trim()", "x"},
		{"'ab'.toChars()", "a b"}, {"Patient.name.given.startsWith('J')", "error"}, {"{}.startsWith('J')", ""},
		{"1.startsWith('1')", "error"},
		// Conversion.
		{"'12'.toInteger()", "12"}, {"'1.5'.toInteger()", ""}, {"'1.5'.toDecimal()", "1.5"},
		{"1.5.toString()", "1.5"}, {"true.toString()", "true"}, {"'yes'.toBoolean()", "true"},
		{"'x'.convertsToInteger()", "false"}, {"'2020-01-02'.convertsToDate()", "true"},
		{"'2020-13'.convertsToDate()", "false"}, {"'2020-01-02T10:00:00Z'.toDateTime()", "2020-01-02T10:00:00Z"},
		{"'10:30'.toTime()", "10:30"}, {"'5 mg'.convertsToQuantity()", "false"},
		{"'5 \\'mg\\''.toQuantity()", "5 'mg'"}, {"4 days.toString()", "4 'day'"},
		// Math.
		{"(-2.5).abs()", "2.5"}, {"2.1.ceiling()", "3"}, {"2.9.floor()", "2"}, {"2.567.round(2)", "2.57"},
		{"16.sqrt()", "4"}, {"(-1).sqrt()", ""}, {"2.7.truncate()", "2"},
		// Tree, FHIR and utility functions.
		{"Patient.telecom[0].children().count()", "2"}, {"Patient.name.descendants().count()", "4"},
		{"Patient.name.children().ofType(string).count()", "4"}, {"Patient.id.hasValue()", "true"},
		{"Patient.name.hasValue()", "false"}, {"Patient.extension('http://x/race').value.code", "2106-3"},
		{"Patient.generalPractitioner.resolve().count()", "2"}, {"Patient.id.trace('id')", "p1"},
		{"today() <= today()", "true"}, {"now() > @2020-01-01T00:00:00Z", "true"}, {"Patient.id.getValue()", "p1"},
	})
}

// TestCheck checks Check's reading of results: empty and true hold, false
// fails, anything else is an error.
func TestCheck(t *testing.T) {
	pat := ResourceNode(decode(t, patientJSON))
	tests := []struct {
		expr    string
		ok, err bool
	}{
		{"true", true, false}, {"{}", true, false}, {"false", false, false},
		{"Patient.id", false, true}, {"Patient.name.given.exists()", true, false},
		{"Patient.name.given", false, true}, {"Patient.name.given = 'x'", false, false},
		{"Patient.name.given.single().exists()", false, true},
	}
	for _, tt := range tests {
		ok, err := MustCompile(tt.expr).Check(pat, pat, pat)
		if ok != tt.ok || (err != nil) != tt.err {
			t.Errorf("Check(%s) = %v, %v; want %v, error %v", tt.expr, ok, err, tt.ok, tt.err)
		}
	}
}

// TestPrimitiveExtensions navigates into the "_name" companions of
// primitive elements.
func TestPrimitiveExtensions(t *testing.T) {
	res := decode(t, `{"resourceType": "Patient", "id": "p",
		"birthDate": "1970", "_birthDate": {"id": "b", "extension": [{"url": "u", "valueString": "x"}]},
		"_gender": {"extension": [{"url": "absent", "valueCode": "unknown"}]},
		"name": [{"given": ["A", null], "_given": [null, {"extension": [{"url": "v", "valueString": "y"}]}]}]}`)
	runSpecCases(t, res, []specCase{
		{"Patient.birthDate.extension.value", "x"}, {"Patient.birthDate.id", "b"},
		{"Patient.birthDate.extension('u').exists()", "true"},
		{"Patient.gender.exists()", "true"}, {"Patient.gender.hasValue()", "false"},
		{"Patient.gender.children().count() > Patient.gender.id.count()", "true"},
		{"Patient.name.given.count()", "2"}, {"Patient.name.given.where(hasValue())", "A"},
		{"Patient.name.given.extension('v').value", "y"},
	})
}

// TestSearchModeDeviations pins the behaviour the index relies on, which
// differs from Check's.
func TestSearchModeDeviations(t *testing.T) {
	obs := decode(t, observationJSON)
	for _, c := range []struct{ expr, want string }{
		{"Observation.component.value as Quantity", "120 'mmHg' 80.5 'mmHg'"},
		{"(1 | 1)", "1 1"},
		{"Observation.component.code.text.single()", ""},
		{"Observation.subject.resolve()", "Group/1"},
	} {
		if got := values(MustCompile(c.expr).Eval(obs)); got != c.want {
			t.Errorf("Eval(%s) = %s, want %s", c.expr, got, c.want)
		}
	}
}
