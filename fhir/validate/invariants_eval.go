package validate

import (
	"fmt"
	"sync"

	"github.com/fhirbase-go/fhird/fhir/fhirpath"
)

// Every call into the FHIRPath engine is in this file: compiling an
// invariant's expression, and holds, which evaluates it.

// compiledExpr is an invariant's expression as the engine compiled it.
type compiledExpr = *fhirpath.Expr

// compiledInvariants caches the compilation of each expression text: the
// same invariant is shared by the types that inherit it, and compiled
// once per process, the first time a type that has it is validated.
var compiledInvariants sync.Map // expression → *compileResult

type compileResult struct {
	once sync.Once
	x    compiledExpr
	err  error
}

// compileInvariant returns the compiled expression, or the error of the
// engine, which cannot compile every expression of R4 yet.
func compileInvariant(expr string) (compiledExpr, error) {
	v, _ := compiledInvariants.LoadOrStore(expr, &compileResult{})
	r := v.(*compileResult)
	r.once.Do(func() {
		defer func() {
			if p := recover(); p != nil {
				r.x, r.err = nil, fmt.Errorf("the engine panicked compiling it: %v", p)
			}
		}()
		r.x, r.err = fhirpath.Compile(expr)
	})
	return r.x, r.err
}

// holds reports whether the invariant x holds on focus, the element it is
// defined on; resource and root are %resource and %rootResource. It holds
// when the expression yields true or nothing (fhirpath.Expr.Check); an
// error means the expression yields something else, which says nothing
// either way.
func holds(x compiledExpr, focus, resource, root fhirpath.Node) (ok bool, err error) {
	defer func() {
		if p := recover(); p != nil { // no input may crash a write
			ok, err = false, fmt.Errorf("the engine panicked evaluating %s: %v", x, p)
		}
	}()
	return x.Check(focus, resource, root)
}
