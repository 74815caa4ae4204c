package store

import (
	"slices"
	"testing"

	"github.com/fhirbase-go/fhird/fhir/index"
)

func TestUniqueStringsKeepsTheFirstRowOfEachKey(t *testing.T) {
	rows := []index.String{
		{Hash: 1, Norm: "a", Exact: "A"},
		{Hash: 1, Norm: "a2", Exact: "A"}, // same key (hash, exact) as the first
		{Hash: 1, Norm: "b", Exact: "B"},
		{Hash: 2, Norm: "a", Exact: "A"},
	}
	got := uniqueStrings(rows)
	want := []index.String{rows[0], rows[2], rows[3]}
	if !slices.Equal(got, want) {
		t.Errorf("uniqueStrings = %v, want %v", got, want)
	}
	if rows[1].Norm != "a2" {
		t.Error("uniqueStrings changed its input")
	}
}
