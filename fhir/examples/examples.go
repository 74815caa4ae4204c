// Package examples gives tests the official FHIR R4 examples package
// (hl7.fhir.r4.examples 4.0.1, pinned in scripts/fetch-definitions.sh):
// every example resource of the specification, one file each.
//
// Invariant: Dir fetches the package at most once per process, through the
// script that pins and verifies it; a test that cannot have it fails when
// CI is set and is skipped loudly otherwise, never passes silently.
package examples

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Example is one example resource of the package.
type Example struct {
	File string // base name, e.g. "Patient-example.json"
	Type string // its resourceType
	ID   string // its id, "" when it has none
	Body []byte
}

var (
	once   sync.Once
	dir    string
	dirErr error
)

// Dir returns the unpacked package directory, fetching it on first use.
func Dir(tb testing.TB) string {
	tb.Helper()
	once.Do(func() { dir, dirErr = fetch() })
	if dirErr != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("examples: the official R4 examples are required (CI is set): %v", dirErr)
		}
		fmt.Fprintf(os.Stderr, "\n*** examples: SKIPPING, the official R4 examples are unavailable: %v ***\n\n", dirErr)
		tb.Skipf("official R4 examples unavailable: %v", dirErr)
	}
	return dir
}

// fetch runs the pinning script from the repository root.
func fetch() (string, error) {
	_, here, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(here), "..", "..")
	cmd := exec.Command(filepath.Join(root, "scripts", "fetch-definitions.sh"), "examples")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("scripts/fetch-definitions.sh examples: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// All returns every example resource of the package that keep accepts,
// sorted by file name.
func All(tb testing.TB, keep func(Example) bool) []Example {
	tb.Helper()
	d := Dir(tb)
	files, err := filepath.Glob(filepath.Join(d, "*.json"))
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(files)
	var out []Example
	for _, f := range files {
		base := filepath.Base(f)
		if base == "package.json" || strings.HasPrefix(base, ".") {
			continue
		}
		body, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var head struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		if err := json.Unmarshal(body, &head); err != nil {
			tb.Fatalf("examples: %s: %v", base, err)
		}
		if e := (Example{File: base, Type: head.ResourceType, ID: head.ID, Body: body}); keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// Smallest returns, per resource type, its smallest example keep accepts.
func Smallest(tb testing.TB, keep func(Example) bool) map[string]Example {
	tb.Helper()
	out := map[string]Example{}
	for _, e := range All(tb, keep) {
		if cur, ok := out[e.Type]; !ok || len(e.Body) < len(cur.Body) {
			out[e.Type] = e
		}
	}
	return out
}

// Refused reads a list of refused examples (testdata/examples/refused.txt):
// one a line, the file name, a tab and the reason; blank lines and lines
// starting with '#' are ignored. It maps each file to its reason.
func Refused(tb testing.TB, path string) map[string]string {
	tb.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]string{}
	for i, line := range strings.Split(string(src), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		file, reason, ok := strings.Cut(line, "\t")
		if !ok || strings.TrimSpace(reason) == "" {
			tb.Fatalf("%s:%d: want a file name, a tab and a reason", path, i+1)
		}
		out[file] = strings.TrimSpace(reason)
	}
	return out
}
