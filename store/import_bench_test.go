package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/store"
	"github.com/fhirbase-go/fhird/store/storetest"
)

// benchItems returns n Patients and n Observations, fresh trees each call.
func benchItems(n int) []fhir.NewResource {
	out := make([]fhir.NewResource, 0, 2*n)
	for i := range n {
		out = append(out,
			fhir.NewResource{Type: "Patient", ID: fmt.Sprintf("p%d", i), Res: patient(fmt.Sprintf("Family%d", i%500))},
			fhir.NewResource{Type: "Observation", ID: fmt.Sprintf("o%d", i), Res: observation(fmt.Sprintf("p%d", i))})
	}
	return out
}

// BenchmarkImportVsWriteAll stores the same 4,000 resources in batches of
// 1,000 into a fresh tenant per iteration, through COPY (Import) and
// through one statement per resource (WriteAll), one batch at a time.
func BenchmarkImportVsWriteAll(b *testing.B) {
	st := storetest.Shared(b).Store
	const pairs, batch = 2000, 1000
	paths := map[string]func(*store.Store) func(ctxItems) error{
		"Import": func(st *store.Store) func(ctxItems) error {
			return func(c ctxItems) error { _, err := st.Import(c.ctx, c.items); return err }
		},
		"WriteAll": func(st *store.Store) func(ctxItems) error {
			return func(c ctxItems) error {
				ws := make([]fhir.Write, len(c.items))
				for i, it := range c.items {
					ws[i] = fhir.Write{Method: "POST", Type: it.Type, ID: it.ID, Res: it.Res}
				}
				_, err := st.WriteAll(c.ctx, ws)
				return err
			}
		},
	}
	for _, name := range []string{"Import", "WriteAll"} {
		write := paths[name](st)
		b.Run(name, func(b *testing.B) {
			total := 0
			for b.Loop() {
				b.StopTimer()
				ctx, _ := storetest.Tenant(b)
				items := benchItems(pairs)
				b.StartTimer()
				for i := 0; i < len(items); i += batch {
					if err := write(ctxItems{ctx, items[i:min(i+batch, len(items))]}); err != nil {
						b.Fatal(err)
					}
				}
				total += len(items)
			}
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "resources/s")
		})
	}
}

type ctxItems struct {
	ctx   context.Context
	items []fhir.NewResource
}
