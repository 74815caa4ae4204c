package validate

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The differential test: google/fhir's unmarshaller, which validated
// writes before the element model did, is the oracle. Over every example
// resource of the official R4 package, what one of the two accepts and the
// other refuses is either fixed or listed, with the reason, in
// testdata/validate/oracle.txt.

// examplesDir returns the unpacked official examples package, skipping
// the test when it is not there (scripts/fetch-definitions.sh examples
// unpacks it; make check-generate does, so CI has it).
func examplesDir(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join("..", "..", ".cache", "examples", "4.0.1", "package")
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("the official examples package is missing (%v): run scripts/fetch-definitions.sh examples", err)
		}
		tb.Skipf("the official examples package is missing (%v): run scripts/fetch-definitions.sh examples", err)
	}
	return dir
}

// exampleFiles returns the files of the package that hold a resource of
// an R4 type, by name.
func exampleFiles(tb testing.TB, dir string) map[string][]byte {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if json.Unmarshal(body, &head) == nil && model().resources[head.ResourceType] {
			out[filepath.Base(f)] = body
		}
	}
	return out
}

// difference is one example on which the validator and the library
// disagree: "library" when only the library refuses it, "model" when only
// the validator does.
type difference struct{ file, refuses string }

// readDifferences reads the listed differences: lines "file<TAB>library|model<TAB>reason".
func readDifferences(t *testing.T) map[difference]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "validate", "oracle.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[difference]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 || (parts[1] != "library" && parts[1] != "model") || parts[2] == "" {
			t.Fatalf("oracle.txt: bad line %q", line)
		}
		out[difference{parts[0], parts[1]}] = parts[2]
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOracle(t *testing.T) {
	if testing.Short() {
		t.Skip("runs google/fhir over the whole examples package")
	}
	files := exampleFiles(t, examplesDir(t))
	if len(files) < 2000 {
		t.Fatalf("only %d example resources", len(files))
	}
	listed := readDifferences(t)
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range files {
			if !yield(n) {
				return
			}
		}
	})
	// Both run on every example, in parallel: google/fhir takes a while.
	type result struct {
		err error
		lib []string
	}
	results := make([]result, len(names))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				_, err := Resource(files[names[i]], "")
				results[i] = result{err, libraryErrors(files[names[i]])}
			}
		}()
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	found := map[difference]bool{}
	for i, name := range names {
		err, lib := results[i].err, results[i].lib
		switch {
		case err == nil && len(lib) > 0:
			d := difference{name, "library"}
			found[d] = true
			if listed[d] == "" {
				t.Errorf("%s: only google/fhir refuses it:\n\t%s", name, strings.Join(lib, "\n\t"))
			}
		case err != nil && len(lib) == 0:
			d := difference{name, "model"}
			found[d] = true
			if listed[d] == "" {
				t.Errorf("%s: only the validator refuses it: %v", name, err)
			}
		}
	}
	for d := range listed {
		if !found[d] {
			t.Errorf("oracle.txt lists %s (%s refuses it), which is no longer a difference: remove the line", d.file, d.refuses)
		}
	}
	t.Logf("%d example resources, %d differences listed", len(files), len(listed))
}

// TestOracleSummary prints the differences by reason (go test -run
// OracleSummary -v), to review oracle.txt.
func TestOracleSummary(t *testing.T) {
	if !testing.Verbose() || testing.Short() {
		t.Skip("a report for review: run with -v")
	}
	byReason := map[string][]string{}
	for d, why := range readDifferences(t) {
		byReason[d.refuses+": "+why] = append(byReason[d.refuses+": "+why], d.file)
	}
	for _, why := range slices.Sorted(func(yield func(string) bool) {
		for k := range byReason {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Printf("%4d  %s\n", len(byReason[why]), why)
	}
}
