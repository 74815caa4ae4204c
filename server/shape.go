package server

import (
	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/elements"
	"github.com/fhirbase-go/fhird/search"
)

// shape applies _summary and _elements to a search result. Without them
// the stored JSON is served as it is, never decoded.
func shape(q *search.Query, r *fhir.Resource) ([]byte, error) {
	t, ok := fhir.LookupType(r.Type)
	if !ok {
		return r.JSON, nil
	}
	switch {
	case q.Summary == search.SummaryTrue:
		return elements.Summary(t, r.JSON, "true")
	case q.Summary == search.SummaryText:
		return elements.Summary(t, r.JSON, "text")
	case q.Summary == search.SummaryData:
		return elements.Summary(t, r.JSON, "data")
	case len(q.Elements) > 0:
		return elements.Elements(t, r.JSON, q.Elements)
	}
	return r.JSON, nil
}
