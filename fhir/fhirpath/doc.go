// Package fhirpath compiles and evaluates FHIRPath (N1, with the additions
// of FHIR R4) over the generic JSON tree that encoding/json produces with
// UseNumber (map[string]any, []any, string, bool and json.Number). It
// serves two callers: the search-parameter extractor (fhir/index), through
// Eval, EvalNode and AppendEval, and the validator of writes, which checks
// the invariants of the R4 definitions through Check.
//
// The language covered is what the search parameters and the error-level
// invariants of R4 use, and the rest of N1 around it: paths (with a leading
// type name acting as a type filter), indexers, every operator (implies,
// or, xor, and, in, contains, =, ~, !=, !~, <, <=, >, >=, |, is, as, +, -,
// &, *, /, div, mod, unary signs), string, number, boolean, date, dateTime,
// time and quantity literals and {}, comments, $this, $index, $total, the
// environment variables %context, %resource, %rootResource, %ucum, %sct and
// %loinc, and the functions that FunctionNames lists. Anything else,
// memberOf() and conformsTo() among them (they need a terminology service
// and a profile registry; no R4 invariant uses them), is a compile error,
// so that an expression is either evaluated faithfully or rejected up
// front. htmlChecks() is CheckNarrative, whose documentation states exactly
// what it checks.
//
// Every Node remembers its FHIR type. Types come from a table of the
// elements of every R4 resource type, backbone element and complex data
// type, generated from the definitions (model_gen.go, by cmd/fhirgen), and
// for choice elements from the suffix of the JSON key (valueQuantity is a
// Quantity, effectivePeriod a Period). A node whose type is not known
// carries the empty type, and callers fall back on its shape. A primitive
// element carries its "_name" companion (id and extensions) in Node.Ext.
//
// Two modes. Check evaluates with the semantics of the specification:
// "|" and union() remove duplicates, the "as" operator on several items
// (the function as() filters in both modes, as R4's dom-3 needs), a
// singleton
// operator or function on several items and operands of the wrong type are
// errors, and resolve() finds contained resources and Bundle entries.
// Search mode (Eval, EvalNode, AppendEval) keeps the deviations the index
// relies on: "as" and "as()" filter a collection of any size instead of
// failing on more than one item; "|" concatenates without removing
// duplicates (the index deduplicates its rows); resolve() does not read the
// target but yields a node whose type is the type named by the reference
// (the "Type/id" string, or the Reference.type element when the reference
// has no string), which is what "resolve() is Patient" needs (Check falls
// back on that stub when the target is not at hand); evaluation never
// fails: input that does not fit yields empty results. The compiled
// expression is the same in both modes.
//
// Further deviations, in both modes: quantities compare and add only in
// the same unit (the definite calendar durations equal their UCUM codes:
// 1 day = 1 'd'), without UCUM conversion; a dateTime without a time zone
// is taken as UTC; decimals are exact (math/big) and division keeps eight
// fractional digits; matches() searches (it is not anchored) in
// single-line mode, with Go's RE2 syntax.
//
// Invariant: a compiled Expr is immutable and safe for concurrent use, and
// evaluation never panics, never modifies the tree it reads, and is
// bounded (an expression nested beyond 200 levels does not compile; one
// evaluation performs at most a few million steps).
package fhirpath
