package bulk_test

import (
	"fmt"
	"testing"

	"github.com/fhirbase-go/fhird/bulk"
	"github.com/fhirbase-go/fhird/store/storetest"
)

// BenchmarkImport runs the whole pipeline (read, validate, COPY) over
// 2,500 generated Patients and 2,500 Observations into a fresh tenant per
// iteration, for several batch sizes and worker counts.
func BenchmarkImport(b *testing.B) {
	st := storetest.Shared(b).Store
	dir := b.TempDir()
	const pairs = 2500
	synthetic(b, dir, pairs)
	for _, batch := range []int{500, 1000, 5000} {
		for _, workers := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("batch=%d/workers=%d", batch, workers), func(b *testing.B) {
				total := int64(0)
				for b.Loop() {
					b.StopTimer()
					ctx, _ := storetest.Tenant(b)
					b.StartTimer()
					rep, err := bulk.Import(ctx, st, []string{dir}, bulk.Options{BatchSize: batch, Workers: workers})
					if err != nil || rep.Loaded != 2*pairs {
						b.Fatalf("import: %+v %v", rep, err)
					}
					total += rep.Loaded
				}
				b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "resources/s")
			})
		}
	}
}
