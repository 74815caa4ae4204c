package validate

import (
	"fmt"
	"strings"
	"testing"
)

// The large bodies of an outside probe (issue 11, finding 10): each is
// about the size of the default body limit, and each must cost time in
// proportion to its size.

// unknownKeys is a Patient with n members no resource has.
func unknownKeys(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"resourceType":"Patient"`)
	for i := range n {
		fmt.Fprintf(&b, `,"x%06d":1`, i)
	}
	b.WriteString("}")
	return []byte(b.String())
}

// manyElements is a valid Patient with n names, identifiers and extensions.
func manyElements(n int) []byte {
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
	return []byte(b.String())
}

// bigPhoto is a valid Patient whose one photo holds n bytes of base64 data.
func bigPhoto(n int) []byte {
	data := strings.Repeat("QUJD", n/4)
	return []byte(`{"resourceType":"Patient","id":"big","name":[{"family":"Photo"}],"photo":[{"contentType":"image/png","data":"` + data + `"}]}`)
}

// manyParameters is a valid Parameters holding n resources.
func manyParameters(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"resourceType":"Parameters","parameter":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"name":"p%d","resource":{"resourceType":"Basic","code":{"text":"t"}}}`, i)
	}
	b.WriteString("]}")
	return []byte(b.String())
}

// emptyStrings is a Patient with n empty given names, which only the walk
// of the tree sees.
func emptyStrings(n int) []byte {
	return []byte(`{"resourceType":"Patient","name":[{"given":[` + strings.Repeat(`"",`, n-1) + `""]}]}`)
}

// BenchmarkResourceLarge validates the probe's bodies: 200,000 unknown
// keys (invalid), and two valid Patients of about 2.8 MB, one of many
// elements and one of a single large string; and, of the same size, a
// body of 700,000 empty strings (invalid) and a valid Parameters of 30,000
// resources.
func BenchmarkResourceLarge(b *testing.B) {
	cases := []struct {
		name  string
		body  []byte
		valid bool
	}{
		{"unknown-keys", unknownKeys(200_000), false},
		{"many-elements", manyElements(14_500), true},
		{"big-photo", bigPhoto(2_800_000), true},
		{"empty-strings", emptyStrings(700_000), false},
		{"many-parameters", manyParameters(30_000), true},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.body)))
			for b.Loop() {
				_, err := Resource(tc.body, "")
				if (err == nil) != tc.valid {
					b.Fatalf("valid = %v, want %v: %.200v", err == nil, tc.valid, err)
				}
			}
		})
	}
}
