package fhirpath

import (
	"encoding/json"
	"math/big"
	"strconv"
	"strings"
)

// kind is the FHIRPath System type a node's value behaves as in operators.
type kind int

const (
	kNone kind = iota
	kBool
	kInt
	kDec
	kString
	kDate
	kDateTime
	kTime
	kQuantity
	kObject
)

// primitiveKinds maps FHIR primitive type names to their System kind.
var primitiveKinds = map[string]kind{
	"boolean": kBool, "integer": kInt, "positiveInt": kInt, "unsignedInt": kInt,
	"integer64": kInt, "decimal": kDec, "date": kDate, "dateTime": kDateTime,
	"instant": kDateTime, "time": kTime, "string": kString, "code": kString,
	"id": kString, "markdown": kString, "uri": kString, "url": kString,
	"canonical": kString, "oid": kString, "uuid": kString, "base64Binary": kString,
	"xhtml": kString,
}

// kindOf classifies a node by its FHIR type, or by its JSON shape when the
// type is unknown or does not fit the value.
func kindOf(n Node) kind {
	switch v := n.Value.(type) {
	case map[string]any:
		if n.Type == "Quantity" || quantityTypes[n.Type] {
			return kQuantity
		}
		return kObject
	case bool:
		return kBool
	case json.Number:
		if k := primitiveKinds[n.Type]; k == kInt || k == kDec {
			return k
		}
		if strings.ContainsAny(string(v), ".eE") {
			return kDec
		}
		return kInt
	case string:
		switch k := primitiveKinds[n.Type]; k {
		case kDate, kDateTime, kTime:
			return k
		}
		return kString
	}
	return kNone
}

func itoa(i int) string { return strconv.Itoa(i) }

// ratValue returns the exact value of a number node.
func ratValue(n Node) (*big.Rat, bool) {
	s, ok := n.Value.(json.Number)
	if !ok {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(string(s))
	return r, ok
}

// intValue returns the value of an integer node.
func intValue(n Node) (int64, bool) {
	if kindOf(n) != kInt {
		return 0, false
	}
	i, err := strconv.ParseInt(string(n.Value.(json.Number)), 10, 64)
	return i, err == nil
}

// numberNode makes a node of a computed number: an integer when isInt is
// set and the value is whole, a decimal otherwise.
func numberNode(r *big.Rat, isInt bool) Node {
	if isInt && r.IsInt() {
		return Node{Value: json.Number(r.Num().String()), Type: "integer"}
	}
	return Node{Value: json.Number(formatRat(r)), Type: "decimal"}
}

// formatRat prints a decimal with up to 8 fractional digits, the precision
// FHIRPath requires of division, without trailing zeros.
func formatRat(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	s := r.FloatString(8)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// decimalPlaces returns the number of fractional digits a decimal was
// written with, the precision "~" compares at.
func decimalPlaces(n Node) int {
	s, _ := n.Value.(json.Number)
	if i := strings.IndexByte(string(s), '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// quantity is a Quantity value for arithmetic and comparison.
type quantity struct {
	value *big.Rat
	unit  string
}

// quantityOf reads a Quantity node; the unit is its code, or its unit when
// it has no code.
func quantityOf(n Node) (quantity, bool) {
	m, ok := n.Value.(map[string]any)
	if !ok {
		return quantity{}, false
	}
	r, ok := ratValue(Node{Value: m["value"]})
	if !ok {
		return quantity{}, false
	}
	unit, _ := m["code"].(string)
	if unit == "" {
		unit, _ = m["unit"].(string)
	}
	return quantity{value: r, unit: unit}, true
}

func (q quantity) node() Node {
	return Node{Value: map[string]any{"value": json.Number(formatRat(q.value)), "code": q.unit, "unit": q.unit}, Type: "Quantity"}
}

// calendarUCUM maps calendar duration keywords to the UCUM units that are
// equal to them in comparisons (the definite durations: weeks and above
// are not, per the specification).
var calendarUCUM = map[string]string{
	"day": "d", "hour": "h", "minute": "min", "second": "s", "millisecond": "ms",
}

// sameUnit reports whether two units compare directly.
func sameUnit(a, b string) bool {
	if a == b {
		return true
	}
	if u, ok := calendarUCUM[a]; ok && u == b {
		return true
	}
	u, ok := calendarUCUM[b]
	return ok && u == a
}

// compare orders two single values of compatible kinds. It reports
// known=false when the result is unknown (dates of different precision,
// quantities of different units) and comparable=false when the kinds do not
// compare at all.
func compare(a, b Node) (cmp int, known, comparable bool) {
	ka, kb := kindOf(a), kindOf(b)
	switch {
	case isNumber(ka) && isNumber(kb):
		x, ok1 := ratValue(a)
		y, ok2 := ratValue(b)
		return x.Cmp(y), ok1 && ok2, ok1 && ok2
	case ka == kString && kb == kString:
		return strings.Compare(a.Value.(string), b.Value.(string)), true, true
	case isTemporal(ka) || isTemporal(kb):
		return compareTemporal(a, b, ka, kb)
	case ka == kQuantity && kb == kQuantity:
		x, ok1 := quantityOf(a)
		y, ok2 := quantityOf(b)
		if !ok1 || !ok2 {
			return 0, false, true
		}
		if !sameUnit(x.unit, y.unit) {
			return 0, false, true
		}
		return x.value.Cmp(y.value), true, true
	case ka == kBool && kb == kBool:
		x, y := a.Value.(bool), b.Value.(bool)
		if x == y {
			return 0, true, true
		}
		return 1, true, true
	}
	return 0, false, false
}

func isNumber(k kind) bool   { return k == kInt || k == kDec }
func isTemporal(k kind) bool { return k == kDate || k == kDateTime || k == kTime }

// compareTemporal compares dates, dateTimes and times; a string operand is
// read as the kind of the other, as the implicit conversion of literals
// allows.
func compareTemporal(a, b Node, ka, kb kind) (int, bool, bool) {
	if ka == kString {
		ka = kb
	}
	if kb == kString {
		kb = ka
	}
	if !isTemporal(ka) || !isTemporal(kb) || (ka == kTime) != (kb == kTime) {
		return 0, false, false
	}
	x, ok1 := parseTemporal(a.Value.(string), ka == kTime)
	y, ok2 := parseTemporal(b.Value.(string), kb == kTime)
	if !ok1 || !ok2 {
		return 0, false, false
	}
	cmp, known := x.compare(y)
	return cmp, known, true
}

// equal is the "=" of two single items: known=false when the result is
// unknown (dates of different precision).
func equal(a, b Node) (eq, known bool) {
	ka, kb := kindOf(a), kindOf(b)
	if ka == kObject || kb == kObject || (ka == kQuantity) != (kb == kQuantity) {
		if ka != kb {
			return false, true
		}
		return jsonEqual(a.Value, b.Value, false), true
	}
	if ka == kQuantity {
		x, ok1 := quantityOf(a)
		y, ok2 := quantityOf(b)
		if !ok1 || !ok2 || !sameUnit(x.unit, y.unit) {
			return jsonEqual(a.Value, b.Value, false), true
		}
		return x.value.Cmp(y.value) == 0, true
	}
	cmp, known, comparable := compare(a, b)
	if !comparable {
		return false, true
	}
	return cmp == 0, known
}

// equivalent is the "~" of two single items: strings ignore case and
// collapse white space, decimals compare at the precision of the less
// precise, dates of different precision are not equivalent.
func equivalent(a, b Node) bool {
	ka, kb := kindOf(a), kindOf(b)
	switch {
	case ka == kString && kb == kString:
		return normalizeSpace(a.Value.(string)) == normalizeSpace(b.Value.(string))
	case isNumber(ka) && isNumber(kb):
		x, _ := ratValue(a)
		y, _ := ratValue(b)
		p := min(decimalPlaces(a), decimalPlaces(b))
		return x.FloatString(p) == y.FloatString(p)
	case ka == kObject && kb == kObject:
		return jsonEqual(a.Value, b.Value, true)
	}
	eq, known := equal(a, b)
	return eq && known
}

func normalizeSpace(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// jsonEqual compares two JSON values; fold compares strings as "~" does.
// Numbers compare by value.
func jsonEqual(a, b any, fold bool) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !jsonEqual(v, w, fold) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i], fold) {
				return false
			}
		}
		return true
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		r1, ok1 := new(big.Rat).SetString(string(x))
		r2, ok2 := new(big.Rat).SetString(string(y))
		return ok1 && ok2 && r1.Cmp(r2) == 0
	case string:
		y, ok := b.(string)
		if fold {
			return ok && normalizeSpace(x) == normalizeSpace(y)
		}
		return ok && x == y
	}
	return a == b
}
