package fhirpath

import (
	"math/big"
	"strings"
)

// newBinary builds the node of a binary operator.
func newBinary(op string, left, right node) node {
	switch op {
	case "and", "or", "xor", "implies":
		return &logicNode{op: op, left: left, right: right}
	case "|":
		return &unionNode{left: left, right: right}
	}
	return &binaryNode{op: op, left: left, right: right}
}

// binaryNode is an operator whose operands are both evaluated first:
// equality, comparison, membership and arithmetic.
type binaryNode struct {
	op          string
	left, right node
}

func (b *binaryNode) eval(e *env, in, dst []Node) []Node {
	l := b.left.eval(e, in, e.get())
	r := b.right.eval(e, in, e.get())
	defer e.put(l)
	defer e.put(r)
	if e.failed() {
		return dst
	}
	switch b.op {
	case "=", "!=":
		return equalityOp(l, r, b.op == "!=", dst)
	case "~", "!~":
		return append(dst, boolNode(equivalentColl(l, r) != (b.op == "!~")))
	case "in":
		return membership(e, l, r, dst)
	case "contains":
		return membership(e, r, l, dst)
	case "<", "<=", ">", ">=":
		return comparison(e, b.op, l, r, dst)
	case "&":
		return append(dst, Node{Value: concatString(l) + concatString(r), Type: "string"})
	}
	return arithmetic(e, b.op, l, r, dst)
}

// equalityOp is "=" and "!=" on collections: empty when either is empty,
// false when their sizes differ, else the items compared pairwise.
func equalityOp(l, r []Node, neg bool, dst []Node) []Node {
	if len(l) == 0 || len(r) == 0 {
		return dst
	}
	eq, known := len(l) == len(r), true
	for i := 0; eq && i < len(l); i++ {
		var k bool
		eq, k = equal(l[i], r[i])
		known = known && k
	}
	if eq && !known {
		return dst
	}
	return append(dst, boolNode(eq != neg))
}

// equivalentColl is "~" on collections: true for two empty ones, and
// otherwise the same size with every item equivalent to one of the other,
// in any order.
func equivalentColl(l, r []Node) bool {
	if len(l) != len(r) {
		return false
	}
	for _, a := range l {
		found := false
		for _, b := range r {
			if equivalent(a, b) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// membership is "in" (and "contains", with its operands swapped): whether
// the single item of item equals an item of coll.
func membership(e *env, item, coll, dst []Node) []Node {
	n, ok := e.singleton(item, "in/contains")
	if !ok {
		return dst
	}
	for _, c := range coll {
		if eq, known := equal(n, c); eq && known {
			return append(dst, boolNode(true))
		}
	}
	return append(dst, boolNode(false))
}

// comparison is "<", "<=", ">" and ">=" on single items.
func comparison(e *env, op string, l, r []Node, dst []Node) []Node {
	a, ok1 := e.singleton(l, op)
	b, ok2 := e.singleton(r, op)
	if !ok1 || !ok2 {
		return dst
	}
	cmp, known, comparable := compare(a, b)
	if !comparable {
		e.fail("cannot compare a %s with a %s", typeName(a), typeName(b))
		return dst
	}
	if !known {
		return dst
	}
	var res bool
	switch op {
	case "<":
		res = cmp < 0
	case "<=":
		res = cmp <= 0
	case ">":
		res = cmp > 0
	default:
		res = cmp >= 0
	}
	return append(dst, boolNode(res))
}

// concatString is an operand of "&": its string, or "" when empty.
func concatString(c []Node) string {
	var b strings.Builder
	for _, n := range c {
		if s, ok := stringOf(n); ok {
			b.WriteString(s)
		}
	}
	return b.String()
}

// arithmetic is "+", "-", "*", "/", "div" and "mod" on single items.
func arithmetic(e *env, op string, l, r []Node, dst []Node) []Node {
	a, ok1 := e.singleton(l, op)
	b, ok2 := e.singleton(r, op)
	if !ok1 || !ok2 {
		return dst
	}
	ka, kb := kindOf(a), kindOf(b)
	switch {
	case isNumber(ka) && isNumber(kb):
		x, _ := ratValue(a)
		y, _ := ratValue(b)
		if x == nil || y == nil {
			return dst
		}
		return numeric(op, x, y, ka == kInt && kb == kInt, dst)
	case op == "+" && ka == kString && kb == kString:
		return append(dst, Node{Value: a.Value.(string) + b.Value.(string), Type: "string"})
	case (op == "+" || op == "-") && isTemporal(ka) && kb == kQuantity:
		if n, ok := addDuration(a, ka, b, op == "-"); ok {
			return append(dst, n)
		}
	}
	e.fail("cannot apply %s to a %s and a %s", op, typeName(a), typeName(b))
	return dst
}

// numeric computes op on two numbers; division by zero yields empty.
func numeric(op string, x, y *big.Rat, ints bool, dst []Node) []Node {
	z := new(big.Rat)
	switch op {
	case "+":
		z.Add(x, y)
	case "-":
		z.Sub(x, y)
	case "*":
		z.Mul(x, y)
	case "/":
		if y.Sign() == 0 {
			return dst
		}
		return append(dst, numberNode(z.Quo(x, y), false))
	case "div", "mod":
		if y.Sign() == 0 {
			return dst
		}
		q := new(big.Int).Quo(new(big.Int).Mul(x.Num(), y.Denom()), new(big.Int).Mul(x.Denom(), y.Num()))
		if op == "div" {
			return append(dst, numberNode(z.SetInt(q), true))
		}
		z.Sub(x, new(big.Rat).Mul(y, new(big.Rat).SetInt(q)))
	}
	return append(dst, numberNode(z, ints))
}

// logicNode is "and", "or", "xor" and "implies" with FHIRPath's
// three-valued logic: an empty operand is unknown. The right operand is
// evaluated only when it can change the result.
type logicNode struct {
	op          string
	left, right node
}

func (g *logicNode) eval(e *env, in, dst []Node) []Node {
	l := g.left.eval(e, in, e.get())
	lv, lk := e.toBool(l)
	e.put(l)
	switch {
	case g.op == "and" && lk && !lv, g.op == "or" && lk && lv:
		return append(dst, boolNode(lv))
	case g.op == "implies" && lk && !lv:
		return append(dst, boolNode(true))
	}
	r := g.right.eval(e, in, e.get())
	rv, rk := e.toBool(r)
	e.put(r)
	var res, known bool
	switch g.op {
	case "and":
		res, known = lv && rv, (lk && rk) || (rk && !rv)
	case "or":
		res, known = lv || rv, (lk && rk) || (rk && rv)
	case "xor":
		res, known = lv != rv, lk && rk
	default: // implies, left true or unknown
		res, known = rv, rk && (lk || rv)
	}
	if !known {
		return dst
	}
	return append(dst, boolNode(res))
}

// unionNode is "|": both operands evaluated on the same input, merged
// without duplicates. In search mode it concatenates, which is cheaper and
// enough for the index (it deduplicates its rows).
type unionNode struct{ left, right node }

func (u *unionNode) eval(e *env, in, dst []Node) []Node {
	if !e.strict {
		dst = u.left.eval(e, in, dst)
		return u.right.eval(e, in, dst)
	}
	l := u.left.eval(e, in, e.get())
	l = u.right.eval(e, in, l)
	dst = appendDistinct(dst, l)
	e.put(l)
	return dst
}

// appendDistinct appends the items of src that are not equal to an item
// already appended.
func appendDistinct(dst, src []Node) []Node {
	start := len(dst)
	for _, n := range src {
		if !containsEqual(dst[start:], n) {
			dst = append(dst, n)
		}
	}
	return dst
}

func containsEqual(c []Node, n Node) bool {
	for _, m := range c {
		if eq, known := equal(m, n); eq && known {
			return true
		}
	}
	return false
}
