package index

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/fhirpath"
)

// coding is a (system, code) pair a token value is matched on.
type coding struct{ system, code string }

// kindOf returns the FHIR data type of a complex value: the node's type
// when the evaluator knows it (Quantity specializations as Quantity),
// otherwise a guess from the value's keys.
func kindOf(n fhirpath.Node, m map[string]any) string {
	switch n.Type {
	case "Age", "Count", "Distance", "Duration", "SimpleQuantity", "MoneyQuantity":
		return "Quantity"
	case "":
		return guessKind(m)
	}
	return n.Type
}

// guessKind recognizes the data types the index reads by their keys.
func guessKind(m map[string]any) string {
	has := func(k string) bool { _, ok := m[k]; return ok }
	switch {
	case has("coding"):
		return "CodeableConcept"
	case has("family") || has("given") || has("prefix") || has("suffix"):
		return "HumanName"
	case has("line") || has("city") || has("postalCode") || has("country") || has("state") || has("district"):
		return "Address"
	case has("start") || has("end"):
		return "Period"
	case has("event") || has("repeat"):
		return "Timing"
	case has("reference") || has("identifier"):
		return "Reference"
	case has("currency"):
		return "Money"
	}
	if _, ok := m["value"].(json.Number); ok {
		return "Quantity"
	}
	switch {
	case has("value"):
		return "Identifier"
	case has("code") || has("system"):
		return "Coding"
	case has("text"):
		return "CodeableConcept"
	}
	return ""
}

// str returns m[k] when it is a string.
func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// appendCodings appends the (system, code) pairs of a token value:
// CodeableConcept codings, a Coding, Identifier (system, value),
// ContactPoint ("", value), a boolean as "true"/"false", and any other
// primitive (code, string, id, uri) as ("", value). Pairs with neither
// part are left out.
func appendCodings(dst []coding, n fhirpath.Node) []coding {
	var c coding
	switch v := n.Value.(type) {
	case bool:
		c.code = strconv.FormatBool(v)
	case string:
		c.code = v
	case json.Number:
		c.code = string(v)
	case map[string]any:
		switch kindOf(n, v) {
		case "CodeableConcept":
			list, _ := v["coding"].([]any)
			for _, item := range list {
				if m, ok := item.(map[string]any); ok {
					dst = appendCoding(dst, coding{str(m, "system"), str(m, "code")})
				}
			}
			return dst
		case "Coding":
			c = coding{str(v, "system"), str(v, "code")}
		case "Identifier":
			c = coding{str(v, "system"), str(v, "value")}
		case "ContactPoint":
			c.code = str(v, "value")
		}
	}
	return appendCoding(dst, c)
}

func appendCoding(dst []coding, c coding) []coding {
	if c.system == "" && c.code == "" {
		return dst
	}
	return append(dst, c)
}

// appendTokenForms appends the search forms of the token value n.
func (x *extractor) appendTokenForms(dst []TokenForm, n fhirpath.Node) []TokenForm {
	x.codes = appendCodings(x.codes[:0], n)
	for _, c := range x.codes {
		dst = AppendForms(dst, c.system, c.code)
	}
	return dst
}

// token emits the rows of one value of a token parameter: its form
// hashes, its display texts (a primitive's own value) under "<code>:text",
// and for an Identifier
// with a type its TokenOfType hashes.
func (x *extractor) token(p *param, n fhirpath.Node) {
	x.forms1 = x.appendTokenForms(x.forms1[:0], n)
	for _, f := range x.forms1 {
		x.rows.Tokens = append(x.rows.Tokens, f.Hash(p.code))
	}
	m, ok := n.Value.(map[string]any)
	if !ok {
		// A primitive token (a code such as gender or status, a boolean)
		// is its own text: it serves :text and gives _sort a value.
		for _, f := range x.forms1 {
			if f.Kind == FormAny {
				x.addString(p.textHash, f.Code)
			}
		}
		return
	}
	switch kindOf(n, m) {
	case "CodeableConcept":
		x.addString(p.textHash, str(m, "text"))
		list, _ := m["coding"].([]any)
		for _, item := range list {
			if c, ok := item.(map[string]any); ok {
				x.addString(p.textHash, str(c, "display"))
			}
		}
	case "Coding":
		x.addString(p.textHash, str(m, "display"))
	case "Identifier":
		typ, _ := m["type"].(map[string]any)
		x.addString(p.textHash, str(typ, "text"))
		x.ofType(p, typ, str(m, "value"))
	}
}

// ofType emits TokenOfType for each coding of an Identifier's type.
func (x *extractor) ofType(p *param, typ map[string]any, value string) {
	list, _ := typ["coding"].([]any)
	for _, item := range list {
		c, ok := item.(map[string]any)
		if code := str(c, "code"); ok && code != "" && value != "" {
			x.rows.Tokens = append(x.rows.Tokens, TokenOfType(p.code, str(c, "system"), code, value))
		}
	}
}

// addString emits a string row unless s is blank.
func (x *extractor) addString(hash int64, s string) {
	norm := Normalize(s)
	if norm == "" {
		return
	}
	x.rows.Strings = append(x.rows.Strings, String{Hash: hash, Norm: norm, Exact: Exact(s)})
}

// addStrings emits the string, or each string of the array, v.
func (x *extractor) addStrings(hash int64, v any) {
	switch s := v.(type) {
	case string:
		x.addString(hash, s)
	case []any:
		for _, item := range s {
			if t, ok := item.(string); ok {
				x.addString(hash, t)
			}
		}
	}
}

var (
	nameParts    = []string{"family", "given", "prefix", "suffix", "text"}
	addressParts = []string{"line", "city", "district", "state", "postalCode", "country", "text"}
	textPart     = []string{"text"}
)

// str emits the rows of one value of a string parameter: a primitive as
// is, each part of a HumanName or an Address as its own value, the text of
// a CodeableConcept and the display of a Coding.
func (x *extractor) str(hash int64, n fhirpath.Node) {
	switch v := n.Value.(type) {
	case string:
		x.addString(hash, v)
	case map[string]any:
		var parts []string
		switch kindOf(n, v) {
		case "HumanName":
			parts = nameParts
		case "Address":
			parts = addressParts
		case "CodeableConcept":
			parts = textPart
		case "Coding":
			x.addString(hash, str(v, "display"))
		}
		for _, k := range parts {
			x.addStrings(hash, v[k])
		}
	}
}

// uri emits a uri value as a string row whose Norm and Exact are both the
// uri as is (capped).
func (x *extractor) uri(hash int64, n fhirpath.Node) {
	if s, ok := n.Value.(string); ok && s != "" {
		e := Exact(s)
		x.rows.Strings = append(x.rows.Strings, String{Hash: hash, Norm: e, Exact: e})
	}
}

// ref emits the rows of one value of a reference parameter: the target of
// a Reference, its identifier as tokens of "<code>:identifier", or a
// canonical (a uri string) as a Ref with no type.
func (x *extractor) ref(p *param, n fhirpath.Node) {
	switch v := n.Value.(type) {
	case string:
		if v != "" {
			x.rows.Refs = append(x.rows.Refs, Ref{Hash: p.hash, TargetID: Exact(v)})
		}
	case map[string]any:
		x.addRef(p.hash, str(v, "reference"))
		if id, ok := v["identifier"].(map[string]any); ok {
			x.forms1 = x.appendTokenForms(x.forms1[:0], fhirpath.Node{Value: id, Type: "Identifier"})
			for _, f := range x.forms1 {
				x.rows.Tokens = append(x.rows.Tokens, f.Hash(p.identCode))
			}
		}
	}
}

// appendRefForms appends the RefForms of the reference n, the first
// component of a composite: its target as "Type/id" (relative, or under
// the server's base), or the absolute URL, as addRef reads them.
func (x *extractor) appendRefForms(dst []TokenForm, n fhirpath.Node) []TokenForm {
	v, ok := n.Value.(map[string]any)
	if !ok {
		return dst
	}
	before := len(x.rows.Refs)
	x.addRef(0, str(v, "reference"))
	for _, r := range x.rows.Refs[before:] {
		if r.TargetType != "" {
			dst = append(dst, RefForm(r.TargetType+"/"+r.TargetID))
		} else {
			dst = append(dst, RefForm(r.TargetID))
		}
	}
	x.rows.Refs = x.rows.Refs[:before]
	return dst
}

// addRef emits a reference string: "Type/id" (a version dropped) as (Type,
// id); an absolute URL or a urn as ("", URL), with "/_history/n" dropped
// from a URL ending in Type/id/_history/n. Contained ("#id") references
// have no row but count as a value for :missing; relative references that
// name no Type/id are skipped.
func (x *extractor) addRef(hash int64, ref string) {
	if ref == "" {
		return
	}
	if ref[0] == '#' {
		x.valued = true // a contained resource: no target row, but a value
		return
	}
	if x.base != "" && len(ref) > len(x.base) && strings.HasPrefix(ref, x.base) {
		ref = ref[len(x.base):] // under the server's base: relative
	}
	if strings.Contains(ref, "://") || (len(ref) >= 4 && strings.EqualFold(ref[:4], "urn:")) {
		if typ, _ := fhirpath.ParseReference(ref); typ != "" {
			if i := strings.LastIndex(ref, "/_history/"); i >= 0 {
				ref = ref[:i]
			}
		}
		x.rows.Refs = append(x.rows.Refs, Ref{Hash: hash, TargetID: Exact(ref)})
		return
	}
	if typ, id := fhirpath.ParseReference(ref); typ != "" {
		x.rows.Refs = append(x.rows.Refs, Ref{Hash: hash, TargetType: typ, TargetID: id})
	}
}

// date emits the range of a date, dateTime or instant, of a Period
// ([start.Lo, end.Hi], open ends at MinTime and MaxTime) or of a Timing
// (each event, and repeat.boundsPeriod). A string of another type is no
// date: a choice a date parameter reads may be a string too
// (Immunization.occurrenceString "January 2012", CarePlan's
// activity.detail.scheduledString "daily"), and it is not indexed.
func (x *extractor) date(hash int64, n fhirpath.Node) error {
	switch v := n.Value.(type) {
	case string:
		if !dateTyped(n.Type) {
			return nil
		}
		lo, hi, err := DateRange(v)
		if err != nil {
			return err
		}
		x.rows.Dates = append(x.rows.Dates, Date{Hash: hash, Lo: lo, Hi: hi})
	case map[string]any:
		switch kindOf(n, v) {
		case "Period":
			return x.period(hash, v)
		case "Timing":
			return x.timing(hash, v)
		}
	}
	return nil
}

// dateTyped reports whether a string node of the type typ holds a date:
// it does when it is a date, dateTime or instant, or of a type the
// evaluator does not know (an extension's value, an unknown element).
func dateTyped(typ string) bool {
	switch typ {
	case "", "date", "dateTime", "instant":
		return true
	}
	return false
}

func (x *extractor) period(hash int64, m map[string]any) error {
	start, hasStart := m["start"].(string)
	end, hasEnd := m["end"].(string)
	if !hasStart && !hasEnd {
		return nil
	}
	d := Date{Hash: hash, Lo: MinTime, Hi: MaxTime}
	var err error
	if hasStart {
		if d.Lo, _, err = DateRange(start); err != nil {
			return err
		}
	}
	if hasEnd {
		if _, d.Hi, err = DateRange(end); err != nil {
			return err
		}
	}
	x.rows.Dates = append(x.rows.Dates, d)
	return nil
}

func (x *extractor) timing(hash int64, m map[string]any) error {
	events, _ := m["event"].([]any)
	for _, e := range events {
		if s, ok := e.(string); ok {
			if err := x.date(hash, fhirpath.Node{Value: s}); err != nil {
				return err
			}
		}
	}
	repeat, _ := m["repeat"].(map[string]any)
	if bounds, ok := repeat["boundsPeriod"].(map[string]any); ok {
		return x.period(hash, bounds)
	}
	return nil
}

// unitForm is one (system, code) under which a quantity is indexed.
type unitForm struct{ system, code string }

// parseQuantity reads the value and unit forms of a Quantity (or a
// specialization) or a Money; other values (Range, Ratio, SampledData)
// report false. The unit forms are (system, code), ("", code), ("", unit)
// when unit differs from code, and ("", ""); a Money's currency is its
// code, in the system urn:iso:std:iso:4217. A comparator is ignored: the
// value is indexed as if it were exact.
func (x *extractor) parseQuantity(n fhirpath.Node) (float64, bool, error) {
	m, ok := n.Value.(map[string]any)
	if !ok {
		return 0, false, nil
	}
	system, code, unit := str(m, "system"), str(m, "code"), str(m, "unit")
	switch kindOf(n, m) {
	case "Quantity":
	case "Money":
		system, code = "urn:iso:std:iso:4217", str(m, "currency")
	default:
		return 0, false, nil
	}
	num, ok := m["value"].(json.Number)
	if !ok {
		return 0, false, nil
	}
	v, err := strconv.ParseFloat(string(num), 64)
	if err != nil {
		return 0, false, fmt.Errorf("invalid number %q", num)
	}
	x.units = x.units[:0]
	if system != "" && code != "" {
		x.units = append(x.units, unitForm{system, code})
	}
	if code != "" {
		x.units = append(x.units, unitForm{"", code})
	}
	if unit != "" && unit != code {
		x.units = append(x.units, unitForm{"", unit})
	}
	x.units = append(x.units, unitForm{})
	return v, true, nil
}

// quantity emits the number rows of one value of a quantity parameter,
// one per unit form, with Hash QuantityHash(code, system, unit code).
func (x *extractor) quantity(p *param, n fhirpath.Node) error {
	v, ok, err := x.parseQuantity(n)
	if !ok || err != nil {
		return err
	}
	for _, u := range x.units {
		x.rows.Numbers = append(x.rows.Numbers, Number{Hash: QuantityHash(p.code, u.system, u.code), Value: v})
	}
	return nil
}

// number emits the row of one value of a number parameter.
func (x *extractor) number(hash int64, n fhirpath.Node) error {
	num, ok := n.Value.(json.Number)
	if !ok {
		return nil
	}
	v, err := strconv.ParseFloat(string(num), 64)
	if err != nil {
		return fmt.Errorf("invalid number %q", num)
	}
	x.rows.Numbers = append(x.rows.Numbers, Number{Hash: hash, Value: v})
	return nil
}

// composite emits the rows of a composite parameter. For each item its
// expression yields (in x.nodes), the components are evaluated on that
// item, and every search form of the first (token) component is combined
// with every value of the second:
//
//   - token: Tokens CompositeTokenToken(code, form1, form2) for each form2;
//   - quantity: Numbers {CompositeTokenQuantity(code, form1, system,
//     unit), value} for each unit form of the quantity;
//   - date: Dates {CompositeTokenDate(code, form1), lo, hi};
//   - string: Strings {CompositeTokenString(code, form1), norm, exact}.
//
// A reference first component (DocumentReference relationship) takes the
// place of the token as its RefForm, paired with the token forms of the
// second. Items that lack either component yield nothing, so a code is
// never paired with the value of another item.
func (x *extractor) composite(p *param) error {
	if len(p.comps) == 3 {
		return x.coordinates(p)
	}
	for _, item := range x.nodes {
		x.c1 = p.comps[0].expr.AppendEval(x.c1[:0], item)
		x.forms1 = x.forms1[:0]
		for _, n := range x.c1 {
			if p.comps[0].typ == fhir.ParamReference {
				x.forms1 = x.appendRefForms(x.forms1, n)
			} else {
				x.forms1 = x.appendTokenForms(x.forms1, n)
			}
		}
		if len(x.forms1) == 0 {
			continue
		}
		x.c2 = p.comps[1].expr.AppendEval(x.c2[:0], item)
		for _, n := range x.c2 {
			if err := x.combine(p, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// coordinates emits the rows of a composite of a token and two numbers
// (MolecularSequence chromosome-variant-coordinate and the like): for each
// item (a variant), each form of the token and each value of its i-th
// number, Numbers {CompositeTokenNumber(code, form, i), value}. R4 reads
// the token from the resource (%resource.referenceSeq.chromosome) and the
// numbers from the item (start, end); each number has rows of its own, so
// a search's two numbers are not held to one item.
func (x *extractor) coordinates(p *param) error {
	for _, item := range x.nodes {
		x.c1 = p.comps[0].expr.AppendEvalIn(x.c1[:0], item, x.root)
		x.forms1 = x.forms1[:0]
		for _, n := range x.c1 {
			x.forms1 = x.appendTokenForms(x.forms1, n)
		}
		for i := 1; i <= 2 && len(x.forms1) > 0; i++ {
			x.c2 = p.comps[i].expr.AppendEvalIn(x.c2[:0], item, x.root)
			for _, n := range x.c2 {
				for _, f := range x.forms1 {
					if err := x.number(CompositeTokenNumber(p.code, f, i), n); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// combine pairs each form in x.forms1 with the value n of the second
// component.
func (x *extractor) combine(p *param, n fhirpath.Node) error {
	switch p.comps[1].typ {
	case fhir.ParamToken:
		x.forms2 = x.appendTokenForms(x.forms2[:0], n)
		for _, f1 := range x.forms1 {
			for _, f2 := range x.forms2 {
				x.rows.Tokens = append(x.rows.Tokens, CompositeTokenToken(p.code, f1, f2))
			}
		}
	case fhir.ParamQuantity:
		v, ok, err := x.parseQuantity(n)
		if !ok || err != nil {
			return err
		}
		for _, f1 := range x.forms1 {
			for _, u := range x.units {
				h := CompositeTokenQuantity(p.code, f1, u.system, u.code)
				x.rows.Numbers = append(x.rows.Numbers, Number{Hash: h, Value: v})
			}
		}
	case fhir.ParamDate:
		for _, f1 := range x.forms1 {
			if err := x.date(CompositeTokenDate(p.code, f1), n); err != nil {
				return err
			}
		}
	case fhir.ParamString:
		for _, f1 := range x.forms1 {
			x.str(CompositeTokenString(p.code, f1), n)
		}
	}
	return nil
}
