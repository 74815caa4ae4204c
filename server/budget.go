package server

import (
	"github.com/fhirbase-go/fhird/fhir"
)

// budget is what one batch or transaction response may still carry, in
// bytes of resources: a response is built in memory, so the read entries
// of one request must not be able to fill the process's memory (a batch
// of 300 reads of a 2.8 MB resource made an 881 MB response). Reads check
// it before they run and spend it after; a read that passes it is served
// (one resource is bounded by the body limit), and the reads after it
// answer too-costly. Writes are not counted: they answer with what they
// were sent, which the body limit bounds.
type budget struct {
	max, used int
}

func newBudget(max int) *budget { return &budget{max: max} }

// check fails when the budget is spent.
func (b *budget) check() error {
	if b == nil || b.used < b.max {
		return nil
	}
	return fhir.Errorf(fhir.KindTooCostly, fhir.IssueTooCostly,
		"the response holds %d bytes of resources already, and this server answers with at most %d; send this entry in another request",
		b.used, b.max)
}

// left is what remains of the budget (at least 1 byte while unspent).
func (b *budget) left() int {
	if b == nil {
		return int(^uint(0) >> 1)
	}
	return max(b.max-b.used, 1)
}

func (b *budget) spend(n int) {
	if b != nil {
		b.used += n
	}
}
