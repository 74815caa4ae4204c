package store_test

import (
	"fmt"
	"testing"

	"github.com/fhirbase-go/fhird/store/storetest"
)

// BenchmarkUpdate measures updates that change index rows (the family
// name alternates), each the row statement and the index statement in one
// round trip, over 500 resources in turn; BenchmarkDeleteAndRecreate a
// delete and re-creation pair.
func BenchmarkUpdate(b *testing.B) {
	st := storetest.Shared(b).Store
	ctx, _ := storetest.Tenant(b)
	names := []string{"Tremblay", "Gagnon"}
	const resources = 500
	for i := range resources {
		if _, _, err := st.Update(ctx, "Patient", fmt.Sprint("bench", i), patient(names[0]), 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := fmt.Sprint("bench", i%resources)
		if _, _, err := st.Update(ctx, "Patient", id, patient(names[(i/resources+1)%2]), 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDeleteAndRecreate(b *testing.B) {
	st := storetest.Shared(b).Store
	ctx, _ := storetest.Tenant(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := st.Update(ctx, "Patient", "bench", patient("Roy"), 0); err != nil {
			b.Fatal(err)
		}
		if _, err := st.Delete(ctx, "Patient", "bench", 0); err != nil {
			b.Fatal(err)
		}
	}
}
