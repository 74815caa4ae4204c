package fhirpath

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// definitionsDir returns the unpacked R4 definitions of
// scripts/fetch-definitions.sh. Without a cache it skips the test, loudly,
// unless CI is set: then the script fetches the package, and the test fails
// when it cannot.
func definitionsDir(tb testing.TB) string {
	tb.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, ".cache", "definitions")); err != nil && os.Getenv("CI") == "" {
		tb.Skip("SKIPPED: no R4 definitions in .cache (run scripts/fetch-definitions.sh); CI would fail here")
	}
	cmd := exec.Command(filepath.Join(root, "scripts", "fetch-definitions.sh"))
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("scripts/fetch-definitions.sh: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// constraint is one ElementDefinition.constraint of the definitions.
type constraint struct {
	Type, Path, Key, Severity, Expression string
}

// loadConstraints reads every constraint that has an expression from the
// base definitions of the data types and resources, in file order.
func loadConstraints(tb testing.TB) []constraint {
	tb.Helper()
	dir := definitionsDir(tb)
	var out []constraint
	for _, f := range []string{"profiles-types.json", "profiles-resources.json"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			tb.Fatal(err)
		}
		var bundle struct {
			Entry []struct {
				Resource struct {
					ResourceType, Derivation string
					// Type is a boolean in an OperationDefinition.
					Type     any
					Snapshot struct {
						Element []struct {
							Path       string
							Constraint []struct{ Key, Severity, Expression string }
						}
					}
				}
			}
		}
		if err := json.Unmarshal(data, &bundle); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		for _, e := range bundle.Entry {
			sd := e.Resource
			if sd.ResourceType != "StructureDefinition" || sd.Derivation == "constraint" {
				continue
			}
			typ, _ := sd.Type.(string)
			for _, el := range sd.Snapshot.Element {
				for _, c := range el.Constraint {
					if c.Expression != "" {
						out = append(out, constraint{typ, el.Path, c.Key, c.Severity, c.Expression})
					}
				}
			}
		}
	}
	return out
}

// TestCompileInvariants compiles the expression of every error-level
// constraint of every R4 data type and resource.
func TestCompileInvariants(t *testing.T) {
	seen := map[string]bool{}
	n := 0
	for _, c := range loadConstraints(t) {
		if c.Severity != "error" {
			continue
		}
		n++
		if seen[c.Expression] {
			continue
		}
		seen[c.Expression] = true
		if _, err := Compile(c.Expression); err != nil {
			t.Errorf("%s %s: %v", c.Path, c.Key, err)
		}
	}
	t.Logf("%d error-level constraints, %d distinct expressions", n, len(seen))
	if n < 1000 {
		t.Errorf("only %d error-level constraints found", n)
	}
}
