package index

import (
	"slices"
	"strings"
	"sync"

	"github.com/fhirbase-go/fhird/fhir"
)

// Some parameters need no rows of their own, because their values are
// those of other parameters of the same type, and storing them again
// would double the index (an Observation's composites and combo-*
// parameters were most of its rows):
//
//   - A union parameter's expression is the union of the expressions of
//     other parameters of its type and kind: Observation combo-code is
//     "Observation.code | Observation.component.code", the union of code
//     and component-code. It matches a resource when one of its members
//     does, and the search compiler looks up the members' rows.
//   - A root composite is evaluated on the resource itself (Observation
//     code-value-quantity: expression "Observation"), so each of its
//     components has the values of the component's own parameter (code,
//     value-quantity), and "same item" is "same resource": the composite
//     is the conjunction of its components' parameters. This holds only
//     when each component's expression is, term for term, that of its
//     parameter (code-value-string's value.as(string) is not
//     value-string, which also indexes CodeableConcept.text); other
//     composites keep their rows.
//
// Extract emits no rows (not even Present) for either kind, and the
// compiler reads their members' rows; both call Shape.

// Shape is how a parameter of a resource type is indexed.
type Shape struct {
	// Members, for a union parameter, are the codes of the parameters it
	// is the union of, sorted; nil for a parameter with rows of its own.
	Members []string
	// Conjunction is set for a root composite whose components are its
	// components' parameters.
	Conjunction bool
}

// Derived reports whether the parameter has no rows of its own.
func (s Shape) Derived() bool { return s.Members != nil || s.Conjunction }

// shapes caches, per *fhir.ResourceType, a map from code to Shape of the
// derived parameters.
var shapes sync.Map

// ShapeOf returns how the parameter code of t is indexed.
func ShapeOf(t *fhir.ResourceType, code string) Shape {
	if t == nil {
		return Shape{}
	}
	v, ok := shapes.Load(t)
	if !ok {
		v, _ = shapes.LoadOrStore(t, deriveShapes(t))
	}
	return v.(map[string]Shape)[code]
}

// deriveShapes finds the union parameters and root composites of t.
func deriveShapes(t *fhir.ResourceType) map[string]Shape {
	out := map[string]Shape{}
	terms := make([][]string, len(t.Params))
	for i := range t.Params {
		terms[i] = exprTerms(t.Params[i].Expression)
	}
	for i := range t.Params {
		p := &t.Params[i]
		if !unionable(p) || len(terms[i]) < 2 {
			continue
		}
		var members, covered []string
		for j := range t.Params {
			q := &t.Params[j]
			if j == i || !unionable(q) || q.Type != p.Type || !sameComponents(p, q) ||
				len(terms[j]) >= len(terms[i]) || !subset(terms[j], terms[i]) {
				continue
			}
			members = append(members, q.Code)
			covered = append(covered, terms[j]...)
		}
		if members != nil && subset(terms[i], covered) {
			slices.Sort(members)
			out[p.Code] = Shape{Members: members}
		}
	}
	// A member that is itself a union is covered by its own members,
	// which are members too (subsets of subsets): drop it.
	for code, s := range out {
		out[code] = Shape{Members: slices.DeleteFunc(s.Members, func(m string) bool { return out[m].Members != nil })}
	}
	for i := range t.Params {
		p := &t.Params[i]
		if p.Type == fhir.ParamComposite && p.Expression == t.Name && componentsAreParams(t, p) {
			out[p.Code] = Shape{Conjunction: true}
		}
	}
	return out
}

// unionable reports the parameters a union may be made of or be: those
// with index rows whose kind the compiler can OR (references are left
// out: includes, chains and _has read their rows by their own hash).
func unionable(p *fhir.SearchParam) bool {
	switch p.Type {
	case fhir.ParamToken, fhir.ParamString, fhir.ParamURI, fhir.ParamDate,
		fhir.ParamNumber, fhir.ParamQuantity, fhir.ParamComposite:
		return p.Expression != "" && !onMainTable(p.Code)
	}
	return false
}

// sameComponents reports whether two parameters have the same components
// (both none, for parameters that are not composites).
func sameComponents(p, q *fhir.SearchParam) bool {
	return slices.EqualFunc(p.Components, q.Components, func(a, b fhir.Component) bool {
		return a.Expression == b.Expression
	})
}

// componentsAreParams reports whether each component of the root
// composite p selects, from the resource, exactly what its parameter
// indexes: the same terms once the component is rooted at the type,
// "X as T" read as "X.as(T)", and the terms no row is made of (a Range,
// Ratio or SampledData value) ignored.
func componentsAreParams(t *fhir.ResourceType, p *fhir.SearchParam) bool {
	if len(p.Components) == 0 {
		return false
	}
	for _, c := range p.Components {
		q, ok := t.Param(c.Code)
		if !ok || !unionable(q) || q.Type == fhir.ParamComposite {
			return false
		}
		var own []string
		for _, term := range exprTerms(c.Expression) {
			own = append(own, canonicalTerm(t.Name+"."+term))
		}
		var theirs []string
		for _, term := range exprTerms(q.Expression) {
			if term = canonicalTerm(term); !unindexed(term) {
				theirs = append(theirs, term)
			}
		}
		if !subset(own, theirs) || !subset(theirs, own) {
			return false
		}
	}
	return true
}

// unindexed reports the terms whose values Extract makes no rows of.
func unindexed(term string) bool {
	for _, s := range []string{".as(range)", ".as(ratio)", ".as(sampleddata)"} {
		if strings.HasSuffix(term, s) {
			return true
		}
	}
	return false
}

// canonicalTerm writes "X as T" as "X.as(t)" and lower-cases the type
// of every as(T), so that the operator and the function compare equal.
func canonicalTerm(term string) string {
	term = trimParens(term)
	if i := strings.LastIndex(term, " as "); i > 0 && !strings.ContainsAny(term[i+4:], " .()") {
		term = trimParens(term[:i]) + ".as(" + term[i+4:] + ")"
	}
	if i := strings.LastIndex(term, ".as("); i >= 0 && strings.HasSuffix(term, ")") {
		term = term[:i+4] + strings.ToLower(term[i+4:])
	}
	return term
}

// exprTerms splits a FHIRPath expression at its top-level "|" operators
// (outside parentheses and string literals) into its trimmed terms, outer
// parentheses removed.
func exprTerms(expr string) []string {
	var out []string
	depth, start, quoted := 0, 0, false
	for i := 0; i < len(expr); i++ {
		switch ch := expr[i]; {
		case quoted:
			if ch == '\\' {
				i++
			} else if ch == '\'' {
				quoted = false
			}
		case ch == '\'':
			quoted = true
		case ch == '(':
			depth++
		case ch == ')':
			depth--
		case ch == '|' && depth == 0:
			out = append(out, trimParens(expr[start:i]))
			start = i + 1
		}
	}
	if s := trimParens(expr[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// trimParens trims white space and the parentheses around the whole of s.
func trimParens(s string) string {
	for {
		s = strings.TrimSpace(s)
		if len(s) < 2 || s[0] != '(' || s[len(s)-1] != ')' || !balancedInside(s[1:len(s)-1]) {
			return s
		}
		s = s[1 : len(s)-1]
	}
}

// balancedInside reports whether s never closes more parentheses than it
// opened, so that "(a) | (b)" is not taken for one parenthesized term.
func balancedInside(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

// subset reports whether every element of a is in b.
func subset(a, b []string) bool {
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}
