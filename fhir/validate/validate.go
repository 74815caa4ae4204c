package validate

import (
	"cmp"

	"github.com/fhirbase-go/fhird/fhir"
)

// Resource parses body as an R4 resource in JSON and validates it. wantType,
// when not empty, is the type the URL names.
//
// It returns the resource as a generic JSON tree (objects map[string]any,
// arrays []any, numbers json.Number so that decimals keep their precision,
// strings, booleans) ready for storage, or a *fhir.Error of kind
// fhir.KindInvalid listing the problems found, each issue with a FHIRPath
// expression rooted at the resource type, in the order of the body; when
// there are more than MaxIssues, the first found and an issue saying so.
// Problems with the body as a whole (empty, not JSON, not an object) come
// back as a single issue of code structure without an expression.
func Resource(body []byte, wantType string) (map[string]any, error) {
	return resource(model(), body, wantType)
}

// resource is Resource against the model m.
func resource(m *rmodel, body []byte, wantType string) (map[string]any, error) {
	tree, dups, fatal := decode(body)
	if fatal != nil {
		return nil, invalid(body, &issueSet{list: []issue{*fatal}}, nil)
	}
	c := check(m, tree, wantType, dups)
	if len(c.set.list) > 0 {
		return nil, invalid(body, c.set, nil)
	}
	return tree, nil
}

// check walks the tree. A walk that finds more problems than one outcome
// lists stops there; it is then done again in the order of the member
// names, so that which problems it found does not depend on the order of
// map iteration, which changes from one run to the next.
func check(m *rmodel, tree map[string]any, wantType string, dups map[string][]dupKey) *checker {
	typ, c := rootChecker(m, tree, wantType, dups)
	c.resource(tree, typ, nil, false)
	if c.set.full() {
		typ, c = rootChecker(m, tree, wantType, dups)
		c.ordered = true
		c.resource(tree, typ, nil, false)
	}
	return c
}

// rootChecker checks the resourceType of the top-level object and returns
// it (or "" when it is unusable) with a checker whose expressions start with
// it. When the body names no usable type, expressions start with wantType,
// or with "Resource" when the URL names none either.
func rootChecker(m *rmodel, tree map[string]any, wantType string, dups map[string][]dupKey) (string, *checker) {
	v, present := tree["resourceType"]
	typ, _ := v.(string)
	root := typ
	if !isIdentifier(root) {
		root = cmp.Or(wantType, "Resource")
	}
	c := &checker{m: m, root: root, dups: dups, set: &issueSet{root: root}}
	if dups != nil {
		c.dupDepths = map[int]bool{}
		for at := range dups {
			_, p, ok := parseExpr(root + at)
			if !ok {
				c.dupDepths = nil // look every object up
				break
			}
			c.dupDepths[len(p)] = true
		}
	}
	c.push(seg{kind: segKey, key: "resourceType"})
	defer c.pop()
	switch {
	case !present:
		c.add(fhir.IssueRequired, "resourceType is missing.")
	case typ == "":
		c.add(fhir.IssueValue, "resourceType must be a non-empty string.")
	case !m.resources[typ]:
		c.add(fhir.IssueNotSupported, "%q is not an R4 resource type.", clip(typ))
	case wantType != "" && typ != wantType:
		c.add(fhir.IssueInvalid, "resourceType is %q but the URL names %q.", clip(typ), wantType)
	}
	return typ, c
}

// Warm loads the element model and compiles the invariants of every type,
// which the first validation of each type would otherwise pay for (about
// 6 ms for the model, and the compilation of the type's invariants), so
// that a server does it before it listens rather than in its first
// requests. It is safe to call more than once and concurrently with
// Resource.
func Warm() {
	for _, t := range model().types {
		t.compiledKeys()
	}
}
