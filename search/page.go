package search

import "github.com/fhirbase-go/fhird/fhir"

// Page is one page of search results as the store returns it.
type Page struct {
	// Matches are in page order; Included follow no order.
	Matches  []*fhir.Resource
	Included []*fhir.Resource
	// Next is the position after the last match when another page
	// follows; Prev is the position before the first match when the page
	// is not the first.
	Next, Prev *After
	// Total is the number of matches when it was asked for or the first
	// page holds them all; -1 otherwise.
	Total int64
}
