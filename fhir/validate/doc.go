// Package validate checks the body of every write before it reaches storage.
//
// Resource parses an R4 resource in JSON, validates it with google/fhir's
// jsonformat unmarshaller (structure, primitive formats, value sets of bound
// codes, required elements, reference target types) and with a cheap walk of
// the generic JSON tree for what that library misses (duplicate keys, empty
// strings, arrays and objects, nulls, whitespace around URIs, malformed
// reference strings, local references without a contained resource,
// malformed resource ids, element names in upper camel case).
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
