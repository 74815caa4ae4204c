package validate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
)

// Resource parses body as an R4 resource in JSON and validates it. wantType,
// when not empty, is the type the URL names.
//
// It returns the resource as a generic JSON tree (objects map[string]any,
// arrays []any, numbers json.Number so that decimals keep their precision,
// strings, booleans) ready for storage, or a *fhir.Error of kind
// fhir.KindInvalid listing every problem found, each issue with a FHIRPath
// expression rooted at the resource type, in the order of the body. Problems
// with the body as a whole (empty, not JSON, not an object) come back as a
// single issue of code structure without an expression.
func Resource(body []byte, wantType string) (map[string]any, error) {
	tree, dups, fatal := decode(body)
	if fatal != nil {
		return nil, invalid(body, []issue{*fatal}, nil)
	}
	typ, c := rootChecker(tree, wantType, dups)
	c.resource(tree, typ, nil, false)
	var cause error
	if r4Types[typ] {
		issues, err := libraryIssues(tree, body, typ, c.embedded, c.nulls)
		c.issues = append(c.issues, issues...)
		cause = err
	}
	if len(c.issues) > 0 {
		return nil, invalid(body, c.issues, cause)
	}
	return tree, nil
}

// rootChecker checks the resourceType of the top-level object and returns
// it (or "" when it is unusable) with a checker whose expressions start with
// it. When the body names no usable type, expressions start with wantType,
// or with "Resource" when the URL names none either.
func rootChecker(tree map[string]any, wantType string, dups map[string][]dupKey) (string, *checker) {
	v, present := tree["resourceType"]
	typ, _ := v.(string)
	root := typ
	if !isIdentifier(root) {
		root = cmp.Or(wantType, "Resource")
	}
	c := &checker{root: root, dups: dups}
	c.push(seg{kind: segKey, key: "resourceType"})
	defer c.pop()
	switch {
	case !present:
		c.add(fhir.IssueRequired, "resourceType is missing.")
	case typ == "":
		c.add(fhir.IssueValue, "resourceType must be a non-empty string.")
	case !r4Types[typ]:
		c.add(fhir.IssueNotSupported, "%q is not an R4 resource type.", typ)
	case wantType != "" && typ != wantType:
		c.add(fhir.IssueInvalid, "resourceType is %q but the URL names %q.", typ, wantType)
	}
	return typ, c
}

// invalid turns the issues into the error Resource returns: one issue per
// element, in the order of the body.
func invalid(body []byte, issues []issue, cause error) *fhir.Error {
	issues = dedupe(issues)
	locate(body, issues)
	slices.SortStableFunc(issues, func(a, b issue) int {
		if c := cmp.Compare(a.offset, b.offset); c != 0 {
			return c
		}
		if c := strings.Compare(a.expr, b.expr); c != 0 {
			return c
		}
		return strings.Compare(a.msg, b.msg)
	})
	e := &fhir.Error{Kind: fhir.KindInvalid, Err: cause, Issues: make([]fhir.Issue, len(issues))}
	for i, is := range issues {
		e.Issues[i] = fhir.Issue{Severity: fhir.SeverityError, Code: is.code, Diagnostics: is.msg}
		if is.expr != "" {
			e.Issues[i].Expression = []string{is.expr}
		}
	}
	return e
}

// rank orders issue codes for dedupe: when two checks flag the same element,
// the issue with the lower rank is kept. A wrong shape explains everything
// else; a missing required element is the weakest claim, because the retry
// pass in library.go may have removed the element itself.
var rank = map[fhir.IssueType]int{
	fhir.IssueStructure:    0,
	fhir.IssueNotSupported: 1,
	fhir.IssueInvariant:    2,
	fhir.IssueValue:        3,
	fhir.IssueInvalid:      4,
	fhir.IssueRequired:     5,
}

// dedupe keeps one issue per element. google/fhir and the generic walk often
// see the same problem (an invalid id, an empty date), and the client should
// read it once.
func dedupe(issues []issue) []issue {
	best := make(map[string]int, len(issues)) // element → index in out
	out := issues[:0:0]
	for _, is := range issues {
		key := canonicalExpr(is.expr)
		i, seen := best[key]
		switch {
		case is.expr == "" || !seen:
			best[key] = len(out)
			out = append(out, is)
		case rank[is.code] < rank[out[i].code]:
			out[i] = is
		}
	}
	return out
}

// canonicalExpr is the element an expression points at, type filters aside.
func canonicalExpr(expr string) string {
	if _, p, ok := parseExpr(expr); ok {
		return p.canonical()
	}
	return expr
}

// String formats an issue for test failures.
func (is issue) String() string {
	return fmt.Sprintf("%s %s: %s", is.code, is.expr, is.msg)
}
