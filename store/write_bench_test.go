package store_test

import (
	"testing"

	"github.com/fhirbase-go/fhird/store/storetest"
)

// BenchmarkUpdate measures an update that changes index rows (the family
// name alternates), the row statement and the index statement in one
// round trip; BenchmarkDelete a delete and re-creation pair.
func BenchmarkUpdate(b *testing.B) {
	st := storetest.Shared(b).Store
	ctx, _ := storetest.Tenant(b)
	names := []string{"Tremblay", "Gagnon"}
	if _, _, err := st.Update(ctx, "Patient", "bench", patient(names[0]), 0); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := st.Update(ctx, "Patient", "bench", patient(names[i%2]), 0); err != nil {
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
