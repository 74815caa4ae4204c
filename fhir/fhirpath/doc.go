// Package fhirpath evaluates the small subset of FHIRPath that the search
// parameters of the server's resource types use, over the generic JSON
// tree that encoding/json produces with UseNumber (map[string]any, []any,
// string, bool and json.Number).
//
// The subset is: paths (with a leading type name such as Patient or
// Resource acting as a type filter), $this, string, boolean and number
// literals, parentheses, the indexer "[n]", the operators "|", "is", "as", "=", "!=", "and"
// and "or", and the functions where, exists, empty, not, first, last,
// resolve, as, ofType, is and extension. Anything else is a compile error,
// so an expression is either evaluated faithfully or rejected up front.
//
// Every Node remembers its FHIR type. Types come from a built-in table of
// the elements of the supported resource types and the data types they use
// (see model.go), and for choice elements from the suffix of the JSON key
// (valueQuantity is a Quantity, effectivePeriod a Period). A node whose type
// is not known carries the empty type, and callers fall back on its shape.
//
// Deviations from the specification, chosen because the evaluator only
// feeds the search index: "as" and "as()" filter a collection of any size
// instead of failing on more than one item; "|" concatenates without
// removing duplicates (the index deduplicates its rows); resolve() does not
// read the target but yields a node whose type is the type named by the
// reference (the "Type/id" string, or the Reference.type element when the
// reference has no string), which is what "resolve() is Patient" needs;
// evaluation never fails: input that does not fit yields empty results.
//
// Invariant: a compiled Expr is immutable and safe for concurrent use, and
// Eval never panics and never modifies the tree it reads.
package fhirpath
