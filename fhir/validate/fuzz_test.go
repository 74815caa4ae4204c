package validate

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
)

// seeds are bodies that reach every branch worth mutating.
var seeds = []string{
	``,
	`[]`,
	`{"resourceType":"Patient","birthDate":12,"gender":"robot","colour":1}`,
	`{"resourceType":"Observation","status":"nope","subject":{"reference":"Patient/1/_history/x y"}}`,
	`{"resourceType":"Parameters","parameter":[{"name":"x","resource":{"resourceType":"Observation","foo":1}},{"part":[{"resource":{"resourceType":"Patient","id":"a b"}}]}]}`,
	`{"resourceType":"Patient","contained":[{"resourceType":"Observation","id":"o","subject":{"reference":"#nope"}}],"name":[{"family":"x","family":"y"}]}`,
	`{"resourceType":"Bundle","type":"batch","entry":[{"resource":{"resourceType":"Parameters","parameter":[{"name":"x","resource":{"resourceType":"Patient","Gender":"x"}}]}},{"response":{"status":"200","outcome":{"resourceType":"OperationOutcome"}}}]}`,
	`{"resourceType":"Patient","_birthDate":{"extension":[{"url":" x","valueString":""}]},"name":[{"given":["a",null]}],"a b":{}}`,
	`{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>a&#160;<img src=\"x\" onload=\"y\"/></p></div>"},"extension":[{"url":"u","extension":[{"url":"v"}]}]}`,
}

func FuzzResource(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s), "")
	}
	for _, name := range []string{"patient.json", "observation.json", "encounter.json"} {
		f.Add(fixture(f, name), "Patient")
	}
	f.Fuzz(func(t *testing.T, body []byte, wantType string) {
		tree, err := Resource(body, wantType)
		if err != nil {
			if tree != nil {
				t.Fatal("Resource returned both a tree and an error")
			}
			var fe *fhir.Error
			if !errors.As(err, &fe) || fe.Kind != fhir.KindInvalid || len(fe.Issues) == 0 {
				t.Fatalf("error = %#v, want a KindInvalid *fhir.Error with issues", err)
			}
			return
		}
		// A tree that passed must pass again once written back: storage
		// hands it out as it was stored.
		again, err := marshal(tree)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if _, err := Resource(again, wantType); err != nil {
			t.Fatalf("the stored form of a valid body is invalid: %v\n%s", err, again)
		}
	})
}

// TestConcurrent runs validations in parallel so that the race detector can
// check that the shared unmarshaller is safe for concurrent use.
func TestConcurrent(t *testing.T) {
	bodies := append([]string(nil), seeds...)
	for _, name := range []string{"patient.json", "observation.json", "encounter.json"} {
		bodies = append(bodies, string(fixture(t, name)))
	}
	want := make([]string, len(bodies))
	for i, b := range bodies {
		_, err := Resource([]byte(b), "")
		want[i] = fmt.Sprint(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 20; n++ {
				i := (g + n) % len(bodies)
				if _, err := Resource([]byte(bodies[i]), ""); fmt.Sprint(err) != want[i] {
					t.Errorf("body %d: got %v, want %s", i, err, want[i])
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkResource(b *testing.B) {
	for _, name := range []string{"patient.json", "observation.json"} {
		body := fixture(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := Resource(body, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
