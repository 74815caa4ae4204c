package search

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhirbase-go/fhird/fhir"
)

// FuzzParse parses arbitrary query strings on Observation and Patient,
// lenient and strict, and checks that Parse never panics, that every
// error is a client error naming a parameter, and that what it accepts
// prints back to text that parses to the same query: each Param's String
// on its own, and Query.Applied as a whole (strictly, since it must hold
// no ignored parameter).
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	types := []*fhir.ResourceType{mustType(f, "Observation"), mustType(f, "Patient")}
	f.Fuzz(func(t *testing.T, raw string) {
		params, _ := url.ParseQuery(raw)
		for _, rt := range types {
			for _, strict := range []bool{false, true} {
				opts := testOptions()
				opts.Strict = strict
				q, err := Parse(rt, params, opts)
				if err != nil {
					checkError(t, err)
					continue
				}
				checkRoundTrip(t, rt, q, opts)
			}
		}
	})
}

// checkRoundTrip checks that q's canonical text parses back to q.
func checkRoundTrip(t *testing.T, rt *fhir.ResourceType, q *Query, opts Options) {
	t.Helper()
	opts.Strict = true
	for _, p := range q.Params {
		text := p.String()
		name, value, _ := strings.Cut(text, "=")
		again, err := Parse(rt, url.Values{name: {value}}, opts)
		if err != nil {
			t.Fatalf("%s: the canonical text %q does not parse: %v", p.Name, text, err)
		}
		if len(again.Params) != 1 || again.Params[0].String() != text {
			t.Fatalf("%s: %q parses to %q", p.Name, text, again)
		}
	}
	again, err := Parse(rt, q.Applied, opts)
	if err != nil {
		t.Fatalf("Applied %v does not parse strictly: %v", q.Applied, err)
	}
	if again.String() != q.String() {
		t.Fatalf("Applied parses to %q, want %q", again, q)
	}
}

// fuzzSeeds returns the queries of the parse tables.
func fuzzSeeds(tb testing.TB) []string {
	files, _ := filepath.Glob("testdata/parse/*.txt")
	var out []string
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			tb.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			_, query, ok := strings.Cut(line, "?")
			if fields := strings.Fields(query); ok && len(fields) > 0 && !strings.ContainsAny(line[:1], "#=!a") {
				out = append(out, fields[0])
			}
		}
	}
	return out
}
