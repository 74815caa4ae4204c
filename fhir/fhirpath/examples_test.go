package fhirpath

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// compiledInvariant is an error-level constraint ready to check: rest
// navigates from an instance of the type that declares it to the elements
// it is declared on (nil for the type itself).
type compiledInvariant struct {
	path, key string
	rest, x   *Expr
}

// invariantsByType compiles every error-level constraint, grouped by the
// type whose definition declares it.
func invariantsByType(tb testing.TB) map[string][]compiledInvariant {
	tb.Helper()
	out := map[string][]compiledInvariant{}
	for _, c := range loadConstraints(tb) {
		if c.Severity != "error" {
			continue
		}
		inv := compiledInvariant{path: c.Path, key: c.Key, x: MustCompile(c.Expression)}
		if rest, ok := strings.CutPrefix(c.Path, c.Type+"."); ok {
			inv.rest = MustCompile(strings.ReplaceAll(rest, "[x]", ""))
		}
		out[c.Type] = append(out[c.Type], inv)
	}
	return out
}

// checkAllInvariants checks every invariant of the types of the resource
// and of each of its descendants, as a validator would, and returns the
// number of checks and the failures (with errors). A resource nested in
// another is %resource for its elements; a contained one keeps its
// container as %rootResource, a Bundle entry is its own.
func checkAllInvariants(invs map[string][]compiledInvariant, res map[string]any) (int, []string) {
	w := &invariantWalk{invs: invs}
	root := ResourceNode(res)
	w.walk(root, root, root, false)
	return w.checks, w.failures
}

type invariantWalk struct {
	invs     map[string][]compiledInvariant
	checks   int
	failures []string
	buf      []Node
}

func (w *invariantWalk) walk(node, resource, root Node, contained bool) {
	for _, inv := range w.invs[node.Type] {
		foci := []Node{node}
		if inv.rest != nil {
			foci = inv.rest.EvalNode(node)
		}
		for _, f := range foci {
			w.checks++
			if ok, err := inv.x.Check(f, resource, root); !ok || err != nil {
				w.failures = append(w.failures, fmt.Sprintf("%s %s (%v)", inv.path, inv.key, err))
			}
		}
	}
	obj, _ := node.Value.(map[string]any)
	children := appendChildren(nil, node)
	for _, c := range children {
		if !isResource(c.Value) {
			w.walk(c, resource, root, false)
			continue
		}
		inContained := false
		for _, v := range asList(obj["contained"]) {
			if m, ok := v.(map[string]any); ok && isSameMap(m, c.Value) {
				inContained = true
			}
		}
		if inContained {
			w.walk(c, c, root, true)
		} else {
			w.walk(c, c, c, false)
		}
	}
}

func isSameMap(a map[string]any, b any) bool {
	m, ok := b.(map[string]any)
	return ok && fmt.Sprintf("%p", a) == fmt.Sprintf("%p", m)
}

// examplesDir returns the official R4 examples package, under the same
// rules as definitionsDir.
func examplesDir(tb testing.TB) string {
	tb.Helper()
	definitionsDir(tb)
	root, err := filepath.Abs("../..")
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(root, "scripts", "fetch-definitions.sh"), "examples")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		if os.Getenv("CI") == "" {
			tb.Skipf("SKIPPED: no R4 examples package (scripts/fetch-definitions.sh examples: %v)", err)
		}
		tb.Fatalf("scripts/fetch-definitions.sh examples: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func readExample(tb testing.TB, path string) map[string]any {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return m
}

// TestExamplesSatisfyInvariants checks every error-level invariant on
// the official R4 example resources, which should satisfy them: each
// failure is a false positive of the evaluator, or an example that breaks
// its own rules (listed in testdata/example-failures.txt with the reason).
// It reads one example in 25 unless FHIRPATH_ALL_EXAMPLES is set: all
// 5,306 take some 6 million checks and over a minute.
func TestExamplesSatisfyInvariants(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the official examples")
	}
	step := 25
	if os.Getenv("FHIRPATH_ALL_EXAMPLES") != "" {
		step = 1
	}
	invs := invariantsByType(t)
	dir := examplesDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	known := knownExampleFailures(t)
	checks, resources := 0, 0
	var got []string
	for i, f := range files {
		base := filepath.Base(f)
		if i%step != 0 {
			continue
		}
		if base == "package.json" || strings.HasPrefix(base, ".") {
			continue
		}
		res := readExample(t, f)
		if _, ok := res["resourceType"].(string); !ok {
			continue
		}
		resources++
		n, failures := checkAllInvariants(invs, res)
		checks += n
		for _, fl := range failures {
			got = append(got, base+" "+fl)
		}
	}
	sort.Strings(got)
	for _, g := range got {
		if !known[g] {
			t.Errorf("%s", g)
		}
	}
	t.Logf("%d examples, %d checks, %d failures (%d known)", resources, checks, len(got), len(known))
}

// knownExampleFailures reads the examples that break their invariants.
func knownExampleFailures(t *testing.T) map[string]bool {
	data, err := os.ReadFile("testdata/example-failures.txt")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		item, _, _ := strings.Cut(line, "\t")
		m[item] = true
	}
	return m
}

// BenchmarkInvariants measures the cost per resource of checking every
// error-level invariant of an official example Patient and Observation.
func BenchmarkInvariants(b *testing.B) {
	invs := invariantsByType(b)
	dir := examplesDir(b)
	for _, name := range []string{"Patient-example.json", "Observation-f001.json", "Observation-blood-pressure.json"} {
		res := readExample(b, filepath.Join(dir, name))
		b.Run(strings.TrimSuffix(name, ".json"), func(b *testing.B) {
			n := 0
			for b.Loop() {
				n, _ = checkAllInvariants(invs, res)
			}
			b.ReportMetric(float64(n), "checks/op")
		})
	}
}
