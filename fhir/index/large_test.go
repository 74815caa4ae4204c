package index

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
)

// The large Patients of an outside probe (issue 11, finding 10), about
// 2.8 MB each: the cost of their extraction must follow their size.

// manyElements is a Patient with n names, identifiers and extensions.
func manyElements(n int) string {
	var b strings.Builder
	b.WriteString(`{"resourceType":"Patient","id":"big","name":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"use":"official","family":"Family%d","given":["Given%d","Middle"]}`, i, i)
	}
	b.WriteString(`],"identifier":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"system":"http://example.org/mrn","value":"MRN-%d"}`, i)
	}
	b.WriteString(`],"extension":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"url":"http://example.org/ext/%d","valueString":"value %d"}`, i, i)
	}
	b.WriteString(`]}`)
	return b.String()
}

// bigPhoto is a Patient whose one photo holds n bytes of base64 data.
func bigPhoto(n int) string {
	return `{"resourceType":"Patient","id":"big","name":[{"family":"Photo"}],"photo":[{"contentType":"image/png","data":"` +
		strings.Repeat("QUJD", n/4) + `"}]}`
}

// bigName is a Patient whose one family name, with accents, is n times
// "Émile " (7 bytes).
func bigName(n int) string {
	return `{"resourceType":"Patient","id":"big","name":[{"family":"` + strings.Repeat("Émile ", n) + `"}]}`
}

// BenchmarkExtractLarge extracts the rows of the probe's two large Patients,
// and of one whose name is nearly the 1 MB google/fhir lets a string have.
func BenchmarkExtractLarge(b *testing.B) {
	rt, _ := fhir.LookupType("Patient")
	for _, tc := range []struct{ name, body string }{
		{"many-elements", manyElements(14_500)},
		{"big-photo", bigPhoto(2_800_000)},
		{"big-name", bigName(140_000)},
	} {
		res, err := decodeJSON([]byte(tc.body))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.body)))
			for b.Loop() {
				if _, err := ExtractUnder(rt, res, "http://fhir.test/fhir"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
