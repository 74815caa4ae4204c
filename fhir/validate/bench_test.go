package validate

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// largeEOB is the official example ExplanationOfBenefit EB3500 with its
// items repeated until it holds n of them (about 2.6 KB each), numbered
// anew: a claim of the size a payer sends.
func largeEOB(tb testing.TB, n int) []byte {
	tb.Helper()
	var eob map[string]any
	d := json.NewDecoder(strings.NewReader(string(fixture(tb, "explanationofbenefit.json"))))
	d.UseNumber()
	if err := d.Decode(&eob); err != nil {
		tb.Fatal(err)
	}
	items := eob["item"].([]any)
	var out []any
	for i := range n {
		b, _ := json.Marshal(items[i%len(items)])
		var item map[string]any
		d := json.NewDecoder(strings.NewReader(string(b)))
		d.UseNumber()
		_ = d.Decode(&item)
		item["sequence"] = i + 1
		out = append(out, item)
	}
	eob["item"] = out
	b, err := json.Marshal(eob)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// visitBundle is the transaction Bundle of one patient's visits (the body
// of server's BenchmarkTransactionBundle): 1 Patient, 5 Encounters, 25
// Observations and 5 Conditions, tied together with urn:uuid references.
func visitBundle(n int) []byte {
	urn := func(kind, i int) string { return fmt.Sprintf("urn:uuid:%08x-0000-4000-8000-%04x%08x", n, kind, i) }
	var es []string
	add := func(fullURL, res, typ string) {
		es = append(es, `{"fullUrl":"`+fullURL+`","resource":`+res+`,"request":{"method":"POST","url":"`+typ+`"}}`)
	}
	pat := urn(1, 0)
	add(pat, fmt.Sprintf(`{"resourceType":"Patient","name":[{"family":"Bench%d","given":["Ana","María"]}],"gender":"female",
		"birthDate":"1970-01-01","identifier":[{"system":"http://bench.example/mrn","value":"B-%d"}]}`, n, n), "Patient")
	for e := range 5 {
		enc := urn(2, e)
		add(enc, fmt.Sprintf(`{"resourceType":"Encounter","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},
			"subject":{"reference":"%s"},"period":{"start":"2024-0%d-01T09:00:00Z","end":"2024-0%d-01T10:00:00Z"}}`, pat, e+1, e+1), "Encounter")
		for o := range 5 {
			add(urn(3, e*5+o), fmt.Sprintf(`{"resourceType":"Observation","status":"final",
				"code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},
				"subject":{"reference":"%s"},"encounter":{"reference":"%s"},"effectiveDateTime":"2024-0%d-01T09:%02d:00Z",
				"valueQuantity":{"value":%d,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}`, pat, enc, e+1, o, 60+o), "Observation")
		}
		add(urn(4, e), fmt.Sprintf(`{"resourceType":"Condition","subject":{"reference":"%s"},"encounter":{"reference":"%s"},
			"code":{"coding":[{"system":"http://snomed.info/sct","code":"38341003"}]}}`, pat, enc), "Condition")
	}
	return []byte(`{"resourceType":"Bundle","type":"transaction","entry":[` + strings.Join(es, ",") + `]}`)
}

// BenchmarkWrite validates the bodies of typical writes: a Patient, an
// Observation, a large ExplanationOfBenefit (100 items, about 150 KB) and
// a transaction Bundle of 36 resources.
func BenchmarkWrite(b *testing.B) {
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"Patient", fixture(b, "patient.json")},
		{"Observation", fixture(b, "observation.json")},
		{"ExplanationOfBenefit", fixture(b, "explanationofbenefit.json")},
		{"ExplanationOfBenefit-large", largeEOB(b, 100)},
		{"Bundle-36", visitBundle(1)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.body)))
			for b.Loop() {
				if _, err := Resource(tc.body, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
