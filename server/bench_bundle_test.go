package server_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// visit returns the transaction Bundle of one generated patient visit
// history: 1 Patient, 5 Encounters, 25 Observations and 5 Conditions, tied
// together with urn:uuid references.
func visit(n int) string {
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
	return `{"resourceType":"Bundle","type":"transaction","entry":[` + strings.Join(es, ",") + `]}`
}

// BenchmarkTransactionBundle posts visit bundles (36 resources each)
// through POST /fhir with 1, 4 and 16 concurrent clients and reports
// resources per second.
func BenchmarkTransactionBundle(b *testing.B) {
	for _, clients := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			c := testServer(b)
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						n := int(next.Add(1))
						if n > b.N {
							return
						}
						req, _ := http.NewRequest("POST", c.base+"/fhir", strings.NewReader(visit(n)))
						req.Header.Set("X-Tenant-ID", c.tenant)
						req.Header.Set("Content-Type", "application/fhir+json")
						req.Header.Set("Prefer", "return=minimal")
						resp, err := http.DefaultClient.Do(req)
						if err != nil || resp.StatusCode != 200 {
							body, _ := io.ReadAll(resp.Body)
							b.Errorf("transaction: %v %s", err, body)
							return
						}
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N*36)/time.Since(start).Seconds(), "resources/s")
		})
	}
}
