package validate

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fhirbase-go/fhird/fhir"
)

// keysBody is a Patient with the members "<prefix>NNNNNN":1 for the given
// numbers, in that order.
func keysBody(prefix string, nums []int) []byte {
	var b strings.Builder
	b.WriteString(`{"resourceType":"Patient"`)
	for _, n := range nums {
		fmt.Fprintf(&b, `,"%s%06d":1`, prefix, n)
	}
	b.WriteString("}")
	return []byte(b.String())
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// issuesOf returns the issues of err, which must be a KindInvalid error.
func issuesOf(t *testing.T, err error) []fhir.Issue {
	t.Helper()
	fe, ok := fhir.AsError(err)
	if !ok || fe.Kind != fhir.KindInvalid {
		t.Fatalf("error = %v, want a KindInvalid *fhir.Error", err)
	}
	return fe.Issues
}

// checkMore asserts that issues are MaxIssues problems and the notice that
// there are more, and returns the problems' expressions.
func checkMore(t *testing.T, issues []fhir.Issue, root string) []string {
	t.Helper()
	if len(issues) != MaxIssues+1 {
		t.Fatalf("got %d issues, want %d and the notice", len(issues), MaxIssues)
	}
	last := issues[MaxIssues]
	if last.Severity != fhir.SeverityError || last.Code != fhir.IssueTooCostly ||
		!slices.Equal(last.Expression, []string{root}) || !strings.Contains(last.Diagnostics, "more problems than the 100 listed") {
		t.Errorf("last issue = %+v, want the too-costly notice at %s", last, root)
	}
	var exprs []string
	for _, is := range issues[:MaxIssues] {
		if is.Code == fhir.IssueTooCostly || len(is.Expression) != 1 {
			t.Fatalf("issue %+v: want a problem with one expression", is)
		}
		exprs = append(exprs, is.Expression[0])
	}
	return exprs
}

// TestMaxIssues: an outcome lists MaxIssues problems and says that there
// are more, for problems found by the model (unknown keys) and by the
// walk (empty strings, upper-case keys); with exactly MaxIssues, it lists
// them all and says nothing more.
func TestMaxIssues(t *testing.T) {
	t.Run("exactly", func(t *testing.T) {
		_, err := Resource(keysBody("x", seq(MaxIssues)), "")
		issues := issuesOf(t, err)
		if len(issues) != MaxIssues || issues[MaxIssues-1].Code == fhir.IssueTooCostly {
			t.Fatalf("got %d issues (last %+v), want %d problems and no notice", len(issues), issues[len(issues)-1], MaxIssues)
		}
	})
	t.Run("model", func(t *testing.T) {
		_, err := Resource(keysBody("x", seq(20_000)), "")
		exprs := checkMore(t, issuesOf(t, err), "Patient")
		for i, e := range exprs {
			if want := fmt.Sprintf("Patient.x%06d", i); e != want {
				t.Fatalf("issue %d at %s, want %s", i, e, want)
			}
		}
	})
	t.Run("walk", func(t *testing.T) {
		body := `{"resourceType":"Patient","name":[{"given":[` + strings.Repeat(`"",`, 20_000) + `""]}]}`
		_, err := Resource([]byte(body), "")
		exprs := checkMore(t, issuesOf(t, err), "Patient")
		for i, e := range exprs {
			if want := fmt.Sprintf("Patient.name[0].given[%d]", i); e != want {
				t.Fatalf("issue %d at %s, want %s", i, e, want)
			}
		}
	})
	t.Run("no type", func(t *testing.T) {
		body := `{"name":[{"given":[` + strings.Repeat(`"",`, 200) + `""]}]}`
		_, err := Resource([]byte(body), "Patient")
		checkMore(t, issuesOf(t, err), "Patient")
	})
}

// TestMaxIssuesStable: which problems are listed does not depend on the
// order of map iteration, whichever check finds them.
func TestMaxIssuesStable(t *testing.T) {
	nums := seq(1000)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(nums), func(i, j int) { nums[i], nums[j] = nums[j], nums[i] })
	for _, prefix := range []string{"x", "X"} { // unknown keys; in upper camel case
		body := keysBody(prefix, nums)
		_, err := Resource(body, "")
		first := fmt.Sprint(issuesOf(t, err))
		for range 20 {
			if _, err := Resource(body, ""); fmt.Sprint(issuesOf(t, err)) != first {
				t.Fatalf("%s: outcomes differ:\n%v\n%s", prefix, err, first)
			}
		}
	}
	// Nested resources are validated in the order of their paths.
	var b strings.Builder
	b.WriteString(`{"resourceType":"Bundle","type":"collection","entry":[`)
	for i := range 300 {
		if i > 0 {
			b.WriteString(",")
		}
		// The contained resources miss required elements: one in the
		// response, then two in the resource, which the walk meets in the
		// order of map iteration.
		fmt.Fprintf(&b, `{"response":{"status":"200","outcome":{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"value"}],`+
			`"contained":[{"resourceType":"Basic","id":"b","subject":{"reference":"#"}}]}},`+
			`"resource":{"resourceType":"Patient","contained":[{"resourceType":"Observation","id":"o%d","focus":[{"reference":"#"}]}]}}`, i)
	}
	b.WriteString("]}")
	_, err := Resource([]byte(b.String()), "")
	checkMore(t, issuesOf(t, err), "Bundle")
	first := fmt.Sprint(issuesOf(t, err))
	for range 20 {
		if _, err := Resource([]byte(b.String()), ""); fmt.Sprint(issuesOf(t, err)) != first {
			t.Fatalf("bundle: outcomes differ:\n%v\n%s", err, first)
		}
	}
}

// TestIssueText: an outcome whose expressions are long (long element
// names, deep) stops listing once their text passes maxIssueText.
func TestIssueText(t *testing.T) {
	key := strings.Repeat("k", 5_000)
	body := `{"resourceType":"Patient","_x":` + strings.Repeat(`{"`+key+`":`, 20) + `["","",""]` + strings.Repeat("}", 20) + `}`
	_, err := Resource([]byte(body), "")
	issues := issuesOf(t, err)
	size := 0
	for _, is := range issues {
		size += len(is.Diagnostics) + len(strings.Join(is.Expression, ""))
	}
	if len(issues) != 2 || issues[1].Code != fhir.IssueTooCostly || size > 2*len(body) {
		t.Errorf("got %d issues of %d bytes for a body of %d, want one problem and the notice", len(issues), size, len(body))
	}
}

func TestClip(t *testing.T) {
	long := strings.Repeat("é", 50_000)
	for _, body := range []string{
		`{"resourceType":"Patient","id":"` + long + `","gender":"` + long + `","birthDate":"0000` + long + `"}`,
		`{"resourceType":"Patient","generalPractitioner":[{"reference":"Practitioner/` + long + `"}],"` + long + `":1,"X` + long + `":1}`,
		`{"resourceType":"` + long + `"}`,
		`{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><` + strings.Repeat("a", 100_000) + `/></div>"}}`,
	} {
		_, err := Resource([]byte(body), "")
		for _, is := range issuesOf(t, err) {
			if len(is.Diagnostics) > 300 || !utf8.ValidString(is.Diagnostics) {
				t.Errorf("diagnostics of %d bytes at %v: %.100s", len(is.Diagnostics), is.Expression, is.Diagnostics)
			}
		}
	}
	if got := clip(long); !strings.HasSuffix(got, "… (100000 bytes)") || len(got) > 100 {
		t.Errorf("clip = %q", got)
	}
	if short := strings.Repeat("x", 80); clip(short) != short {
		t.Errorf("clip(%q) = %q", short, clip(short))
	}
}
