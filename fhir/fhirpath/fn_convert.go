package fhirpath

import (
	"encoding/json"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The boolean, conversion, math and utility functions of FHIRPath
// (sections 5.5, 5.7, 6.5 and 7 of N1).

func registerConversions() {
	register("not", 0, 0, argThis, func(c *call, in, dst []Node) []Node {
		if b, known := c.e.toBool(in); known {
			dst = append(dst, boolNode(!b))
		}
		return dst
	})
	register("iif", 2, 3, argInput, fnIif)
	register("trace", 1, 2, argThis, func(_ *call, in, dst []Node) []Node { return append(dst, in...) })
	register("today", 0, 0, argThis, func(_ *call, _, dst []Node) []Node {
		return append(dst, Node{Value: time.Now().Format("2006-01-02"), Type: "date"})
	})
	register("now", 0, 0, argThis, func(_ *call, _, dst []Node) []Node {
		return append(dst, Node{Value: time.Now().Format("2006-01-02T15:04:05.000Z07:00"), Type: "dateTime"})
	})
	register("timeOfDay", 0, 0, argThis, func(_ *call, _, dst []Node) []Node {
		return append(dst, Node{Value: time.Now().Format("15:04:05.000"), Type: "time"})
	})
	for name, conv := range converters {
		register("to"+name, 0, 0, argThis, convertFunc(conv, false))
		register("convertsTo"+name, 0, 0, argThis, convertFunc(conv, true))
	}
	registerMath()
}

// fnIif is iif(criterion, true-result[, otherwise-result]), its arguments
// evaluated on the input collection; only the chosen branch is evaluated.
func fnIif(c *call, in, dst []Node) []Node {
	e := c.e
	if e.strict && len(in) > 1 {
		e.fail("iif() on %d items", len(in))
		return dst
	}
	saved := e.this
	e.this = in
	defer func() { e.this = saved }()
	cond := c.arg(0).eval(e, in, e.get())
	b, known := e.toBool(cond)
	e.put(cond)
	switch {
	case known && b:
		return c.arg(1).eval(e, in, dst)
	case len(c.f.args) > 2:
		return c.arg(2).eval(e, in, dst)
	}
	return dst
}

// converters are the toX functions: each returns the converted node, or
// false when the single input does not convert.
var converters = map[string]func(Node) (Node, bool){
	"Boolean":  toBoolean,
	"Integer":  toInteger,
	"Decimal":  toDecimal,
	"String":   toStringNode,
	"Date":     temporalConverter("date", kDate),
	"DateTime": temporalConverter("dateTime", kDateTime),
	"Time":     temporalConverter("time", kTime),
	"Quantity": toQuantity,
}

// convertFunc builds toX (test false) and convertsToX (test true).
func convertFunc(conv func(Node) (Node, bool), test bool) func(*call, []Node, []Node) []Node {
	return func(c *call, in, dst []Node) []Node {
		n, ok := c.e.singleton(in, c.f.name+"()")
		if !ok {
			return dst
		}
		out, ok := conv(n)
		if test {
			return append(dst, boolNode(ok))
		}
		if ok {
			dst = append(dst, out)
		}
		return dst
	}
}

var (
	integerRE  = regexp.MustCompile(`^[+-]?\d+$`)
	decimalRE  = regexp.MustCompile(`^[+-]?\d+(\.\d+)?$`)
	quantityRE = regexp.MustCompile(`^([+-]?\d+(?:\.\d+)?)\s*(?:'([^']+)'|([a-z]+))?$`)
)

func toBoolean(n Node) (Node, bool) {
	switch kindOf(n) {
	case kBool:
		return n, true
	case kInt, kDec:
		r, _ := ratValue(n)
		if r.Cmp(big.NewRat(1, 1)) == 0 || r.Sign() == 0 {
			return boolNode(r.Sign() != 0), true
		}
	case kString:
		switch strings.ToLower(n.Value.(string)) {
		case "true", "t", "yes", "y", "1", "1.0":
			return boolNode(true), true
		case "false", "f", "no", "n", "0", "0.0":
			return boolNode(false), true
		}
	}
	return Node{}, false
}

func toInteger(n Node) (Node, bool) {
	switch kindOf(n) {
	case kInt:
		return Node{Value: n.Value, Type: "integer"}, true
	case kBool:
		if n.Value.(bool) {
			return intNode(1), true
		}
		return intNode(0), true
	case kString:
		s := n.Value.(string)
		if integerRE.MatchString(s) {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return Node{Value: json.Number(strconv.FormatInt(i, 10)), Type: "integer"}, true
			}
		}
	}
	return Node{}, false
}

func toDecimal(n Node) (Node, bool) {
	switch kindOf(n) {
	case kInt, kDec:
		return Node{Value: n.Value, Type: "decimal"}, true
	case kBool:
		if n.Value.(bool) {
			return Node{Value: json.Number("1.0"), Type: "decimal"}, true
		}
		return Node{Value: json.Number("0.0"), Type: "decimal"}, true
	case kString:
		if s := n.Value.(string); decimalRE.MatchString(s) {
			return Node{Value: json.Number(strings.TrimPrefix(s, "+")), Type: "decimal"}, true
		}
	}
	return Node{}, false
}

func toStringNode(n Node) (Node, bool) {
	switch kindOf(n) {
	case kString, kDate, kDateTime, kTime:
		return stringNode(n.Value.(string)), true
	case kInt, kDec:
		return stringNode(string(n.Value.(json.Number))), true
	case kBool:
		return stringNode(strconv.FormatBool(n.Value.(bool))), true
	case kQuantity:
		q, ok := quantityOf(n)
		if ok {
			return stringNode(formatRat(q.value) + " '" + q.unit + "'"), true
		}
	}
	return Node{}, false
}

// temporalConverter builds toDate, toDateTime and toTime, which accept a
// value of that kind or a string in its format.
func temporalConverter(typ string, want kind) func(Node) (Node, bool) {
	return func(n Node) (Node, bool) {
		k := kindOf(n)
		if k != want && k != kString && !(want == kDateTime && k == kDate) && !(want == kDate && k == kDateTime) {
			return Node{}, false
		}
		s := n.Value.(string)
		t, ok := parseTemporal(s, want == kTime)
		if !ok {
			return Node{}, false
		}
		if want == kDate && t.prec > 3 {
			s = s[:strings.IndexByte(s, 'T')]
		}
		return Node{Value: s, Type: typ}, true
	}
}

func toQuantity(n Node) (Node, bool) {
	switch kindOf(n) {
	case kQuantity:
		return n, true
	case kInt, kDec:
		return quantity{value: mustRat(n), unit: "1"}.node(), true
	case kString:
		m := quantityRE.FindStringSubmatch(n.Value.(string))
		if m == nil {
			return Node{}, false
		}
		unit := m[2]
		if m[3] != "" {
			if unit = calendarUnits[m[3]]; unit == "" {
				return Node{}, false
			}
		}
		if unit == "" {
			unit = "1"
		}
		r, _ := new(big.Rat).SetString(m[1])
		return quantity{value: r, unit: unit}.node(), true
	}
	return Node{}, false
}

func mustRat(n Node) *big.Rat {
	r, ok := ratValue(n)
	if !ok {
		return new(big.Rat)
	}
	return r
}

// registerMath registers the math functions, computed in float64 except
// for the exact ones.
func registerMath() {
	float := map[string]func(float64) float64{
		"sqrt": math.Sqrt, "exp": math.Exp, "ln": math.Log,
		"ceiling": math.Ceil, "floor": math.Floor, "truncate": math.Trunc, "abs": math.Abs,
	}
	for name, f := range float {
		register(name, 0, 0, argThis, mathFunc(f))
	}
	register("round", 0, 1, argThis, func(c *call, in, dst []Node) []Node {
		digits := int64(0)
		if len(c.vals) > 0 {
			var ok bool
			if digits, ok = c.intArg(0); !ok || digits < 0 {
				return dst
			}
		}
		p := math.Pow(10, float64(digits))
		return mathFunc(func(x float64) float64 { return math.Round(x*p) / p })(c, in, dst)
	})
}

// mathFunc builds a function of a single number; an integer input stays an
// integer when the result is whole (abs, ceiling, floor, truncate).
func mathFunc(f func(float64) float64) func(*call, []Node, []Node) []Node {
	return func(c *call, in, dst []Node) []Node {
		n, ok := c.e.singleton(in, c.f.name+"()")
		if !ok {
			return dst
		}
		k := kindOf(n)
		if !isNumber(k) {
			c.e.fail("%s() on a %s", c.f.name, typeName(n))
			return dst
		}
		x, _ := ratValue(n)
		fx, _ := x.Float64()
		y := f(fx)
		if math.IsNaN(y) || math.IsInf(y, 0) {
			return dst
		}
		r := new(big.Rat)
		r.SetFloat64(y)
		isInt := c.f.name == "ceiling" || c.f.name == "floor" || c.f.name == "truncate" || (k == kInt && c.f.name == "abs")
		return append(dst, numberNode(r, isInt))
	}
}
