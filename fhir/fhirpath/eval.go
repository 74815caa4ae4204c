package fhirpath

import (
	"errors"
	"fmt"
	"sync"
)

// Node is one item of a FHIRPath collection: a value of the JSON tree and
// its FHIR type ("HumanName", "Quantity", "dateTime", "Patient.contact" for
// a backbone element, a resource type for a resource). Type is empty when
// the evaluator does not know it.
//
// Ext is the companion object of a primitive element in the FHIR JSON
// format (the "_birthDate" of "birthDate"), which holds the element's id
// and extensions; Value is nil when the primitive has extensions but no
// value. Navigation fills it in; other callers may leave it nil.
type Node struct {
	Value any
	Type  string
	Ext   map[string]any
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

// Compile parses a FHIRPath expression. Unknown functions, operators and
// variables are compile errors, so that an expression is either evaluated
// faithfully or rejected up front.
func Compile(src string) (*Expr, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	root, err := p.parseExpr()
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

// Eval evaluates the expression in search mode with the resource as its
// context.
func (x *Expr) Eval(res map[string]any) []Node {
	return x.AppendEval(nil, ResourceNode(res))
}

// EvalNode evaluates the expression in search mode with ctx as its context,
// e.g. the components of a composite search parameter on each item its
// expression yields.
func (x *Expr) EvalNode(ctx Node) []Node {
	return x.AppendEval(nil, ctx)
}

// AppendEval evaluates the expression in search mode with ctx as its
// context and appends the result to dst, so that callers can reuse a
// buffer. Search mode never fails (see the package documentation).
func (x *Expr) AppendEval(dst []Node, ctx Node) []Node {
	e := envPool.Get().(*env)
	e.reset(false, ctx, ctx, ctx)
	in := append(e.get(), ctx)
	dst = x.root.eval(e, in, dst)
	e.put(in)
	e.release()
	return dst
}

// AppendEvalIn is AppendEval with resource as %resource (and
// %rootResource): the components of a composite that name
// %resource.variant.start (MolecularSequence) read the resource, not the
// item they are evaluated on.
func (x *Expr) AppendEvalIn(dst []Node, ctx, resource Node) []Node {
	e := envPool.Get().(*env)
	e.reset(false, ctx, resource, resource)
	in := append(e.get(), ctx)
	dst = x.root.eval(e, in, dst)
	e.put(in)
	e.release()
	return dst
}

// ErrNotBoolean is the error of Check for an expression whose result is
// neither empty nor a single boolean.
var ErrNotBoolean = errors.New("fhirpath: the result of an invariant is not a boolean")

// Check reports whether an invariant holds: focus is the element the
// constraint is declared on ($this, %context), resource is %resource (the
// resource that contains focus; a contained or bundled resource for
// elements inside it), root is %rootResource. It evaluates with the
// semantics of the specification. The invariant holds when the result is a
// single true or empty (an unknown result does not show a violation), and
// fails on a single false; any other result, or an error raised during
// evaluation (such as a singleton operator applied to several items), is
// returned as an error.
func (x *Expr) Check(focus, resource, root Node) (bool, error) {
	var buf [4]Node
	out, err := x.appendStrict(buf[:0], focus, resource, root)
	ok := len(out) == 0
	switch {
	case err != nil:
	case len(out) == 1:
		b, isBool := out[0].Value.(bool)
		ok = b
		if !isBool {
			err = fmt.Errorf("%w: it yields a %s", ErrNotBoolean, typeName(out[0]))
		}
	case len(out) > 1:
		err = fmt.Errorf("%w: it yields %d items", ErrNotBoolean, len(out))
	}
	if err != nil {
		return false, fmt.Errorf("fhirpath: invariant %q: %w", x.src, err)
	}
	return ok, nil
}

// appendStrict evaluates the expression with the semantics of the
// specification, as Check does, and appends the result to dst.
func (x *Expr) appendStrict(dst []Node, focus, resource, root Node) ([]Node, error) {
	e := envPool.Get().(*env)
	e.reset(true, focus, resource, root)
	in := append(e.get(), focus)
	dst = x.root.eval(e, in, dst)
	err := e.err
	e.put(in)
	e.release()
	return dst, err
}

// node is a compiled expression: eval evaluates it on the input
// collection in and appends its result to dst.
type node interface {
	eval(e *env, in, dst []Node) []Node
}

// env is the state of one evaluation: the mode, the variables, the first
// error met, and reusable scratch collections.
type env struct {
	// strict selects the semantics of the specification (Check) over the
	// lenient search semantics (Eval).
	strict bool
	err    error
	// this is $this: the focus at the top level, the current item inside
	// the argument of an iterating function. index and total are $index and
	// $total.
	this                    []Node
	index                   int
	total                   []Node
	context, resource, root Node
	// steps counts evaluated nodes, to bound the cost of repeat() and of
	// deeply nested iterations.
	steps int
	free  [][]Node
	one   [1]Node
}

// maxSteps bounds the work of one evaluation. An expression that exceeds
// it fails (Check) or yields what it had (Eval).
const maxSteps = 1 << 22

var envPool = sync.Pool{New: func() any { return &env{} }}

func (e *env) reset(strict bool, ctx, resource, root Node) {
	e.strict, e.err, e.steps, e.index, e.total = strict, nil, 0, 0, nil
	e.context, e.resource, e.root = ctx, resource, root
	e.one[0] = ctx
	e.this = e.one[:]
}

// release clears the references to the tree and returns e to the pool.
func (e *env) release() {
	e.context, e.resource, e.root, e.this, e.total = Node{}, Node{}, Node{}, nil, nil
	e.one[0] = Node{}
	e.err = nil
	envPool.Put(e)
}

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

// fail records an error in strict mode; the first one wins. Search mode
// ignores errors: the offending operation yields an empty result instead.
func (e *env) fail(format string, args ...any) {
	if e.strict && e.err == nil {
		e.err = fmt.Errorf(format, args...)
	}
}

// failed reports whether evaluation should stop: an error was recorded or
// the step budget is spent.
func (e *env) failed() bool {
	e.steps++
	if e.steps > maxSteps && e.err == nil {
		e.err = errors.New("evaluation too costly")
	}
	return e.err != nil
}

// evalWith evaluates n on the single item item, which is $this (with the
// index i) for the duration, and appends the result to dst.
func (e *env) evalWith(n node, item Node, i int, dst []Node) []Node {
	savedThis, savedIndex := e.this, e.index
	in := append(e.get(), item)
	e.this, e.index = in, i
	dst = n.eval(e, in, dst)
	e.this, e.index = savedThis, savedIndex
	e.put(in)
	return dst
}

// boolWith evaluates n on item as $this and returns its result as a
// three-valued boolean.
func (e *env) boolWith(n node, item Node, i int) (value, known bool) {
	out := e.evalWith(n, item, i, e.get())
	value, known = e.toBool(out)
	e.put(out)
	return value, known
}

// evalArg evaluates a non-iterating function argument, on $this as the
// specification's reference implementation does, so that an argument such
// as "%resource.code" or "$this.descendants()" means the same wherever the
// call stands in a path.
func (e *env) evalArg(n node) []Node {
	return n.eval(e, e.this, e.get())
}

func boolNode(b bool) Node { return Node{Value: b, Type: "boolean"} }

// toBool converts a collection to a boolean the way FHIRPath evaluates a
// collection in a boolean context: a single boolean is itself, any other
// single item is true, and an empty collection is unknown. More than one
// item is an error (strict mode) or unknown.
func (e *env) toBool(c []Node) (value, known bool) {
	switch len(c) {
	case 0:
		return false, false
	case 1:
		if b, ok := c[0].Value.(bool); ok {
			return b, true
		}
		return true, true
	}
	e.fail("a boolean operand has %d items", len(c))
	return false, false
}

// singleton returns the only item of c; it records an error when c has
// more than one item and reports false when c has none.
func (e *env) singleton(c []Node, what string) (Node, bool) {
	switch len(c) {
	case 1:
		return c[0], true
	case 0:
		return Node{}, false
	}
	e.fail("%s expects a single item, got %d", what, len(c))
	return Node{}, false
}

// typeName describes a node for error messages.
func typeName(n Node) string {
	if n.Type != "" {
		return n.Type
	}
	return fmt.Sprintf("%T", n.Value)
}
