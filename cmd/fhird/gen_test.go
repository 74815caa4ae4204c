package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ndjsonLines reads a file of JSON lines and checks that each parses.
func ndjsonLines(t *testing.T, file string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		out = append(out, m)
	}
	return out
}

func TestGenTenantsWriteIndependentDirectories(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	if err := runGen(context.Background(), []string{"-patients", "4", "-seed", "3", "-tenants", "2", "-out", dir}, nil, &stderr); err != nil {
		t.Fatal(err)
	}
	var first []map[string]any
	for _, tenant := range []string{"t1", "t2"} {
		for _, typ := range []string{"Organization", "Practitioner", "Schedule", "Patient", "Encounter", "Observation", "Condition", "Slot", "Appointment"} {
			lines := ndjsonLines(t, filepath.Join(dir, tenant, typ+".ndjson"))
			if lines[0]["resourceType"] != typ {
				t.Errorf("%s/%s.ndjson holds %v", tenant, typ, lines[0]["resourceType"])
			}
		}
		pats := ndjsonLines(t, filepath.Join(dir, tenant, "Patient.ndjson"))
		if len(pats) != 4 {
			t.Errorf("%s: %d patients, want 4", tenant, len(pats))
		}
		if first != nil && pats[0]["id"] == first[0]["id"] {
			t.Error("tenants t1 and t2 have the same first patient")
		}
		first = pats
	}
	if !strings.Contains(stderr.String(), "Patient                   8") || !strings.Contains(stderr.String(), "resources/s") {
		t.Errorf("summary:\n%s", stderr.String())
	}
}

func TestGenBundleFormat(t *testing.T) {
	dir := t.TempDir()
	if err := runGen(context.Background(), []string{"-patients", "3", "-format", "bundle", "-out", dir}, nil, new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	bundles := ndjsonLines(t, filepath.Join(dir, "bundles.ndjson"))
	if len(bundles) != 3 || bundles[0]["type"] != "transaction" {
		t.Errorf("%d bundles, the first of type %v", len(bundles), bundles[0]["type"])
	}
	if _, err := os.Stat(filepath.Join(dir, "Practitioner.ndjson")); err != nil {
		t.Errorf("shared resources missing: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "Patient.ndjson")); err == nil {
		t.Error("the bundle format also wrote Patient.ndjson")
	}
}

func TestGenStdout(t *testing.T) {
	var out, stderr bytes.Buffer
	if err := runGen(context.Background(), []string{"-patients", "2", "-out", "-", "-workers", "1"}, &out, &stderr); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := runGen(context.Background(), []string{"-patients", "2", "-out", "-", "-workers", "3"}, &again, &stderr); err != nil {
		t.Fatal(err)
	}
	if out.Len() == 0 || !bytes.Equal(out.Bytes(), again.Bytes()) {
		t.Errorf("stdout output of %d bytes differs with the worker count", out.Len())
	}
}

func TestGenFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-patients", "2"},
		{"-out", "-", "-format", "xml"},
		{"-out", "-", "-tenants", "0"},
		{"-out", "-", "-ref", "yesterday"},
	} {
		if err := runGen(context.Background(), args, new(bytes.Buffer), new(bytes.Buffer)); err == nil {
			t.Errorf("fhird gen %v: no error", args)
		}
	}
}
