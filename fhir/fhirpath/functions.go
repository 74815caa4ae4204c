package fhirpath

import (
	"fmt"
	"sort"
	"sync"
)

// argMode says against what the arguments of a function are evaluated.
type argMode int

const (
	// argThis evaluates arguments once, on $this: literals, and
	// collections such as "%resource.code.coding" or "$this.descendants()".
	argThis argMode = iota
	// argEach evaluates arguments on each input item in turn, which is
	// $this (and $index) for the duration: where, select, all, exists...
	argEach
	// argInput evaluates arguments on the input collection as a whole, with
	// $this bound to it: iif, whose criterion tests the input
	// ("resolve().iif(empty(), ...)").
	argInput
	// argType takes a type name, not an expression: is, as, ofType.
	argType
)

// function is the definition of a function: its arity, how its arguments
// are evaluated, and its implementation. Functions with argThis receive
// their evaluated arguments in vals; the others receive the argument nodes
// and evaluate them themselves.
type function struct {
	min, max int
	mode     argMode
	impl     func(c *call, in, dst []Node) []Node
}

// call is one invocation of a function, during evaluation.
type call struct {
	e    *env
	f    *funcNode
	vals [][]Node
}

// arg returns the node of the i-th argument.
func (c *call) arg(i int) node { return c.f.args[i] }

// funcNode is a compiled function call.
type funcNode struct {
	name string
	fn   *function
	args []node
	typ  string // the type argument of is, as and ofType
}

func (f *funcNode) eval(e *env, in, dst []Node) []Node {
	if e.failed() {
		return dst
	}
	c := call{e: e, f: f}
	if f.fn.mode == argThis && len(f.args) > 0 {
		var buf [3][]Node
		c.vals = buf[:0]
		for _, a := range f.args {
			c.vals = append(c.vals, e.evalArg(a))
		}
		defer func() {
			for _, v := range c.vals {
				e.put(v)
			}
		}()
	}
	return f.fn.impl(&c, in, dst)
}

// functions maps names to definitions. It is filled on first use by the
// register functions of the files that implement each group, rather than
// by init functions, so that package-level variables may compile
// expressions.
var (
	functions    = map[string]*function{}
	registerOnce sync.Once
)

func registerAll() {
	registerCollections()
	registerStrings()
	registerConversions()
	registerFHIR()
}

// lookupFunction returns the definition of the function name.
func lookupFunction(name string) (*function, bool) {
	registerOnce.Do(registerAll)
	fn, ok := functions[name]
	return fn, ok
}

func register(name string, min, max int, mode argMode, impl func(c *call, in, dst []Node) []Node) {
	functions[name] = &function{min: min, max: max, mode: mode, impl: impl}
}

// parseFunction parses the arguments of the function name, whose opening
// parenthesis has been read, and returns its node. Unknown functions are
// compile errors.
func (p *parser) parseFunction(name string) (node, error) {
	fn, ok := lookupFunction(name)
	if !ok {
		p.pos--
		return nil, p.errorf("unsupported function %s()", name)
	}
	n := &funcNode{name: name, fn: fn}
	if fn.mode == argType {
		typ, err := p.parseTypeSpec()
		if err != nil {
			return nil, err
		}
		n.typ = typ
		return n, p.expect(")")
	}
	args, err := p.parseArgs()
	if err != nil {
		return nil, err
	}
	if len(args) < fn.min || len(args) > fn.max {
		return nil, p.errorf("%s() takes %d to %d arguments, got %d", name, fn.min, fn.max, len(args))
	}
	n.args = args
	if name == "matches" || name == "replaceMatches" {
		if lit, ok := args[0].(*literalNode); ok {
			if _, err := compileRegex(fmt.Sprint(lit.val.Value)); err != nil {
				return nil, p.errorf("%s(): %v", name, err)
			}
		}
	}
	if name == "extension" {
		if lit, ok := args[0].(*literalNode); !ok || lit.val.Type != "string" {
			return nil, p.errorf("extension() takes a string literal")
		}
	}
	return n, nil
}

// FunctionNames returns the names of the supported functions, sorted.
func FunctionNames() []string {
	registerOnce.Do(registerAll)
	names := make([]string, 0, len(functions))
	for n := range functions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
