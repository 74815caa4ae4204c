// Package patch applies the two patch formats of the FHIR R4 patch
// interaction (http://hl7.org/fhir/R4/http.html#patch) to a resource.
//
// JSON applies an RFC 6902 JSON Patch document to the resource's JSON bytes
// with github.com/evanphx/json-patch/v5. FHIRPath applies a FHIRPath Patch
// (http://hl7.org/fhir/R4/fhirpatch.html), a Parameters resource, to the
// generic JSON tree that encoding/json produces with UseNumber.
//
// FHIRPath Patch paths are restricted to simple paths: dotted element names
// from the resource type, each optionally followed by an indexer, such as
// Patient.name[0].given. A choice element is named by its base name
// (Patient.deceased reaches deceasedBoolean). Functions, operators and
// anything else FHIRPath offers are rejected as not supported.
//
// The cardinality and type of elements come from the R4 message descriptors
// of github.com/google/fhir, the library the validator uses, so that an add
// of a repeating element the resource does not have yet creates a list
// (Patient.contact) and an add of a single element creates a single value
// (Patient.birthDate). An element those descriptors do not know is created
// as a single value, and appended to when it already holds a list.
//
// Diagnostics number operations from 1, in the order of the patch document.
// A patch of either format holds at most MaxOperations operations, and the
// paths of a FHIRPath Patch reach at most MaxElementsReached elements.
//
// Invariant: patch is pure; it does no I/O and keeps no state. It applies
// the operations faithfully but does not check that the result is a valid
// resource, nor that resourceType and id are unchanged: the caller validates
// the result. Every error it returns is a *fhir.Error.
package patch
