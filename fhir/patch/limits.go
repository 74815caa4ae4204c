package patch

import "github.com/fhirbase-go/fhird/fhir"

// MaxOperations is the most operations one patch may hold, in either
// format; a patch with more is refused, before any is applied, with an
// error of kind fhir.KindTooCostly. A patch changes a few elements of one
// resource: a thousand operations is far beyond what a client needs, and
// keeps one PATCH from holding a transaction open while it applies
// 100,000 (issue 11, finding 10).
const MaxOperations = 1000

// MaxElementsReached bounds the work of one FHIRPath Patch: the elements
// its paths reach, every step of every operation counted. A path collects
// every element it names (Patient.name.suffix reaches each name, then each
// suffix), so without it MaxOperations operations on a resource of 17,000
// names took 4 s; a million elements is about a quarter of a second, and
// a thousand times what a patch of a few operations on an ordinary
// resource reaches. A patch that reaches more is refused with an error of
// kind fhir.KindTooCostly.
const MaxElementsReached = 1_000_000

// tooManyOperations is the error for a patch of n operations, of the given
// format.
func tooManyOperations(format string, n int) *fhir.Error {
	return fhir.Errorf(fhir.KindTooCostly, fhir.IssueTooCostly,
		"the %s has %d operations; this server applies at most %d in one patch", format, n, MaxOperations)
}
