// Package validate checks the body of every write before it reaches storage.
//
// Resource parses an R4 resource in JSON into a generic tree and walks it
// against the element model of R4 that cmd/fhirgen generates from the
// pinned definitions (model_gen.txt, read once; model.go): every member is
// an element of its type (no unknown elements, no _name beside a
// non-primitive), with its cardinality (required elements, arrays exactly
// where the element repeats, maximum counts), its JSON type and format
// (formats.go: id, date, dateTime, instant, time, integers and their
// ranges, decimal, uri, code, base64Binary, string), one type per choice
// element, its fixed and pattern values, the codes of its required value
// set (a code; a Coding's system and code; a CodeableConcept with one such
// coding), and the resource types its References may point at. Contained
// resources, Bundle entries and outcomes and Parameters resources are
// checked as their own types. The error-level invariants of the
// definitions are evaluated with package fhirpath (invariants_eval.go);
// those the engine cannot compile yet are skipped, and a few of them have
// hand-written stand-ins (rules.go) until it can. The walk itself checks
// what the tree shows without the model: duplicate keys, nulls, empty
// strings, arrays and objects, whitespace around URIs, malformed reference
// strings, local references without a contained resource, malformed
// resource ids, narratives (txt-1, txt-2), extensions (ext-1) and the
// rules of contained resources (dom-2 to dom-5).
//
// Invariant: Resource returns either a tree that passed every check, or a
// *fhir.Error of kind fhir.KindInvalid that lists the problems found, each
// issue located by a FHIRPath expression rooted at the resource type, ordered
// by position in the body: all of them, or, when there are more than
// MaxIssues, the first MaxIssues found and a last issue (too-costly) saying
// so, the checks having stopped there. Which problems are listed is the
// same from one run to the next. It never returns both, never panics on any
// input, and is safe for concurrent use.
package validate
