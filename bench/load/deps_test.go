package load

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoDatabaseDriver keeps the invariant of doc.go: the driver reaches
// the database only through the Floor interface, never through pgx or the
// store (the test binary may; the package may not).
func TestNoDatabaseDriver(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range []string{"github.com/jackc/pgx", "github.com/fhirbase-go/fhird/store"} {
			if dep == bad || strings.HasPrefix(dep, bad+"/") {
				t.Errorf("package load depends on %s", dep)
			}
		}
	}
}
