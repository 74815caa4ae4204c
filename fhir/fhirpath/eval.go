package fhirpath

import (
	"encoding/json"
	"strconv"
	"sync"
)

// Node is one item of a FHIRPath collection: a value of the JSON tree and
// its FHIR type ("HumanName", "Quantity", "dateTime", "Patient.contact" for
// a backbone element, a resource type for a resource). Type is empty when
// the evaluator does not know it.
type Node struct {
	Value any
	Type  string
}

// ResourceNode returns the node of a resource: the tree itself, typed by its
// resourceType.
func ResourceNode(res map[string]any) Node {
	typ, _ := res["resourceType"].(string)
	return Node{Value: res, Type: typ}
}

// Expr is a compiled expression. It is immutable and safe for concurrent
// use.
type Expr struct {
	src  string
	root node
}

// Compile parses a FHIRPath expression of the supported subset.
func Compile(src string) (*Expr, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tokEOF {
		return nil, p.errorf("unexpected %q", p.peek().text)
	}
	return &Expr{src: src, root: root}, nil
}

// MustCompile is Compile for expressions known to be valid; it panics on
// an error.
func MustCompile(src string) *Expr {
	x, err := Compile(src)
	if err != nil {
		panic(err)
	}
	return x
}

// String returns the source of the expression.
func (x *Expr) String() string { return x.src }

// Eval evaluates the expression with the resource as its context.
func (x *Expr) Eval(res map[string]any) []Node {
	return x.AppendEval(nil, ResourceNode(res))
}

// EvalNode evaluates the expression with ctx as its context, e.g. the
// components of a composite search parameter on each item its expression
// yields.
func (x *Expr) EvalNode(ctx Node) []Node {
	return x.AppendEval(nil, ctx)
}

// AppendEval evaluates the expression with ctx as its context and appends
// the result to dst, so that callers can reuse a buffer.
func (x *Expr) AppendEval(dst []Node, ctx Node) []Node {
	e := envPool.Get().(*env)
	in := append(e.get(), ctx)
	dst = x.root.eval(e, in, dst)
	e.put(in)
	envPool.Put(e)
	return dst
}

// node is a compiled expression: eval evaluates it on the input
// collection in and appends its result to dst.
type node interface {
	eval(e *env, in, dst []Node) []Node
}

// env holds reusable scratch collections for one evaluation.
type env struct{ free [][]Node }

var envPool = sync.Pool{New: func() any { return &env{} }}

func (e *env) get() []Node {
	if n := len(e.free); n > 0 {
		b := e.free[n-1]
		e.free = e.free[:n-1]
		return b
	}
	return make([]Node, 0, 8)
}

// put returns a scratch collection, cleared so that the pool does not keep
// resources alive.
func (e *env) put(b []Node) {
	clear(b)
	e.free = append(e.free, b[:0])
}

// evalOn evaluates n with the single item ctx as input and returns its
// boolean value as a three-valued logic result.
func (e *env) evalOn(n node, ctx Node) []Node {
	in := append(e.get(), ctx)
	out := n.eval(e, in, e.get())
	e.put(in)
	var res []Node
	if b, known := toBool(out); known {
		res = boolSlice(b)
	}
	e.put(out)
	return res
}

var (
	trueSlice  = []Node{{Value: true, Type: "boolean"}}
	falseSlice = []Node{{Value: false, Type: "boolean"}}
)

// boolSlice returns a shared, read-only singleton collection.
func boolSlice(b bool) []Node {
	if b {
		return trueSlice
	}
	return falseSlice
}

func boolNode(b bool) Node { return Node{Value: b, Type: "boolean"} }

// toBool converts a collection to a boolean the way FHIRPath evaluates a
// singleton in a boolean context: a single boolean is itself, any other
// single item is true, and an empty or longer collection is unknown.
func toBool(c []Node) (value, known bool) {
	if len(c) != 1 {
		return false, false
	}
	if b, ok := c[0].Value.(bool); ok {
		return b, true
	}
	return true, true
}

func isTrue(c []Node) bool {
	b, known := toBool(c)
	return known && b
}

// thisNode is $this: the input itself.
type thisNode struct{}

func (thisNode) eval(_ *env, in, dst []Node) []Node { return append(dst, in...) }

// literalNode is a constant.
type literalNode struct{ val Node }

func (l *literalNode) eval(_ *env, _, dst []Node) []Node { return append(dst, l.val) }

// chainNode evaluates its steps in turn, each on the output of the
// previous one.
type chainNode struct{ steps []node }

func (c *chainNode) eval(e *env, in, dst []Node) []Node {
	cur := c.steps[0].eval(e, in, e.get())
	for _, s := range c.steps[1:] {
		next := s.eval(e, cur, e.get())
		e.put(cur)
		cur = next
	}
	dst = append(dst, cur...)
	e.put(cur)
	return dst
}

// unionNode is "|": both operands evaluated on the same input,
// concatenated.
type unionNode struct{ left, right node }

func (u *unionNode) eval(e *env, in, dst []Node) []Node {
	dst = u.left.eval(e, in, dst)
	return u.right.eval(e, in, dst)
}

// memberNode navigates to the child elements called name. When head is
// set (an upper-case identifier starting an expression), an input item of
// that type passes through instead, as FHIRPath specifies for type names.
type memberNode struct {
	name string
	head bool
}

func (m *memberNode) eval(_ *env, in, dst []Node) []Node {
	for _, n := range in {
		if m.head && isTypeHead(n, m.name) {
			dst = append(dst, n)
			continue
		}
		if obj, ok := n.Value.(map[string]any); ok {
			dst = appendChild(dst, obj, n.Type, m.name)
		}
	}
	return dst
}

func isTypeHead(n Node, name string) bool {
	if n.Type == name {
		return true
	}
	if name == "Resource" || name == "DomainResource" {
		return isResource(n.Value)
	}
	return false
}

func isResource(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	_, ok = m["resourceType"].(string)
	return ok
}

// eqNode is "=" (or "!=" when neg is set).
type eqNode struct {
	left, right node
	neg         bool
}

func (q *eqNode) eval(e *env, in, dst []Node) []Node {
	l := q.left.eval(e, in, e.get())
	r := q.right.eval(e, in, e.get())
	if len(l) > 0 && len(r) > 0 {
		eq := len(l) == len(r)
		for i := 0; eq && i < len(l); i++ {
			eq = valuesEqual(l[i].Value, r[i].Value)
		}
		dst = append(dst, boolNode(eq != q.neg))
	}
	e.put(l)
	e.put(r)
	return dst
}

// valuesEqual compares two primitive values; complex values are never
// equal (the subset compares elements with literals only).
func valuesEqual(a, b any) bool {
	switch av := a.(type) {
	case string:
		bv, ok := b.(string)
		return ok && av == bv
	case bool:
		bv, ok := b.(bool)
		return ok && av == bv
	case json.Number:
		bv, ok := b.(json.Number)
		if !ok {
			return false
		}
		x, err1 := strconv.ParseFloat(string(av), 64)
		y, err2 := strconv.ParseFloat(string(bv), 64)
		return err1 == nil && err2 == nil && x == y
	}
	return false
}

// logicNode is "and" (or "or" when or is set) with FHIRPath's three-valued
// logic: an empty operand is unknown.
type logicNode struct {
	left, right node
	or          bool
}

func (g *logicNode) eval(e *env, in, dst []Node) []Node {
	l := g.left.eval(e, in, e.get())
	lv, lk := toBool(l)
	e.put(l)
	if lk && lv == g.or {
		// false and x = false; true or x = true.
		return append(dst, boolNode(lv))
	}
	r := g.right.eval(e, in, e.get())
	rv, rk := toBool(r)
	e.put(r)
	switch {
	case rk && rv == g.or:
		return append(dst, boolNode(rv))
	case lk && rk:
		return append(dst, boolNode(lv))
	}
	return dst
}
