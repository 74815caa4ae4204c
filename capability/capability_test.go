package capability_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/fhirbase-go/fhird/capability"
	"github.com/fhirbase-go/fhird/fhir"
)

var update = flag.Bool("update", false, "rewrite the golden file")

func build(t *testing.T) []byte {
	t.Helper()
	b, err := capability.Build(capability.Options{BaseURL: "http://localhost:8080/fhir", Software: "fhird",
		Version: "test", ReleaseDate: "2026-11-23", Limits: capability.Limits{MaxBodyBytes: 10 << 20, MaxBundleEntries: 1000,
			MaxResponseBytes: 16 << 20, DefaultCount: 50, MaxCount: 1000, MaxParams: 32, MaxOrValues: 100, MaxIncludes: 1000,
			RequestTimeout: 30 * time.Second, MaxPatchOps: 1000, MaxIssues: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatal(err)
	}
	return append(out.Bytes(), '\n')
}

func TestGolden(t *testing.T) {
	got := build(t)
	const golden = "testdata/capability.golden.json"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./capability -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("CapabilityStatement differs from %s; if the change is intended, run go test ./capability -update\n%s", golden, got)
	}
}

func TestListsEveryStoredType(t *testing.T) {
	var cs struct {
		FhirVersion string `json:"fhirVersion"`
		Rest        []struct {
			Resource []struct {
				Type        string `json:"type"`
				Interaction []struct {
					Code string `json:"code"`
				} `json:"interaction"`
				SearchParam []any `json:"searchParam"`
			} `json:"resource"`
		} `json:"rest"`
	}
	if err := json.Unmarshal(build(t), &cs); err != nil {
		t.Fatal(err)
	}
	if cs.FhirVersion != "4.0.1" || len(cs.Rest) != 1 {
		t.Fatalf("fhirVersion %q, %d rest entries", cs.FhirVersion, len(cs.Rest))
	}
	if len(cs.Rest[0].Resource) != len(fhir.Types()) {
		t.Errorf("%d resources listed, the server stores %d types", len(cs.Rest[0].Resource), len(fhir.Types()))
	}
	for _, r := range cs.Rest[0].Resource {
		codes := map[string]bool{}
		for _, in := range r.Interaction {
			codes[in.Code] = true
		}
		if len(r.SearchParam) == 0 {
			t.Errorf("%s lists no search parameters", r.Type)
		}
		for _, want := range []string{"read", "vread", "update", "delete", "create", "history-instance", "history-type", "search-type"} {
			if !codes[want] {
				t.Errorf("%s lacks interaction %s", r.Type, want)
			}
		}
	}
}
