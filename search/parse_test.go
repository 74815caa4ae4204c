package search

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fhirbase-go/fhird/fhir"
)

// The parse tables live in testdata/parse/*.txt. Each case is a line
//
//	Type?query [flag ...]
//
// followed by the expected result:
//
//	=> canonical query           (Query.String without "_count=20")
//	!! issue-code expression     (the error's issue code and Expression)
//
// and, optionally, "applied: encoded Query.Applied". The query is URL
// encoded as in a request. Flags: "strict", and limits "params=N",
// "or=N", "chain=N", "has=N", "sort=N", "bytes=N". Lines starting with '#'
// are comments.

// testNow is the Now of every parse test.
var testNow = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// testOptions are the options parse cases start from.
func testOptions() Options {
	return Options{DefaultCount: 20, MaxCount: 100, BaseURL: "http://fhir.test/fhir/", Now: testNow}
}

// parseCase is one case of a parse table.
type parseCase struct {
	file    string
	line    int
	input   string
	typ     string
	query   string
	opts    Options
	want    string
	applied *string
}

func TestParseTables(t *testing.T) {
	files, err := filepath.Glob("testdata/parse/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no parse tables: %v", err)
	}
	for _, f := range files {
		for _, c := range readCases(t, f) {
			t.Run(filepath.Base(f)+":"+strconv.Itoa(c.line), func(t *testing.T) { c.run(t) })
		}
	}
}

// readCases reads the cases of one table.
func readCases(t *testing.T, file string) []*parseCase {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cases []*parseCase
	var cur *parseCase
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "=>") || strings.HasPrefix(line, "!!"):
			if cur == nil || cur.want != "" {
				t.Fatalf("%s:%d: result without a case", file, i+1)
			}
			cur.want = line
		case strings.HasPrefix(line, "applied:"):
			a := strings.TrimSpace(strings.TrimPrefix(line, "applied:"))
			cur.applied = &a
		default:
			cur = newCase(t, file, i+1, line)
			cases = append(cases, cur)
		}
	}
	for _, c := range cases {
		if c.want == "" {
			t.Fatalf("%s:%d: case without a result", c.file, c.line)
		}
	}
	return cases
}

// newCase reads a case line.
func newCase(t *testing.T, file string, line int, text string) *parseCase {
	t.Helper()
	c := &parseCase{file: file, line: line, input: text, opts: testOptions()}
	fields := strings.Fields(text)
	c.typ, c.query, _ = strings.Cut(fields[0], "?")
	for _, f := range fields[1:] {
		name, n, _ := strings.Cut(f, "=")
		v, _ := strconv.Atoi(n)
		l := &c.opts.Limits
		limits := map[string]*int{"params": &l.MaxParams, "or": &l.MaxOrValues, "chain": &l.MaxChainDepth,
			"has": &l.MaxHasDepth, "sort": &l.MaxSortKeys, "bytes": &l.MaxValueBytes}
		switch {
		case f == "strict":
			c.opts.Strict = true
		case limits[name] != nil:
			*limits[name] = v
		default:
			t.Fatalf("%s:%d: unknown flag %q", file, line, f)
		}
	}
	return c
}

// run parses the case's query and compares with the expected result.
func (c *parseCase) run(t *testing.T) {
	rt, ok := fhir.LookupType(c.typ)
	if !ok {
		t.Fatalf("%s:%d: unknown type %q", c.file, c.line, c.typ)
	}
	params, err := url.ParseQuery(c.query)
	if err != nil {
		t.Fatalf("%s:%d: bad query: %v", c.file, c.line, err)
	}
	q, err := Parse(rt, params, c.opts)
	got := resultLine(q, err)
	if got != c.want {
		t.Errorf("%s:%d: %s\n got: %s\nwant: %s", c.file, c.line, c.input, got, c.want)
	}
	if err == nil && c.applied != nil && q.Applied.Encode() != *c.applied {
		t.Errorf("%s:%d: %s\n got applied: %s\nwant applied: %s", c.file, c.line, c.input, q.Applied.Encode(), *c.applied)
	}
	if err != nil {
		checkError(t, err)
		fe, _ := fhir.AsError(err)
		if _, ok := params[fe.Issues[0].Expression[0]]; !ok {
			t.Errorf("%s:%d: the error names %q, not a parameter of the query", c.file, c.line, fe.Issues[0].Expression[0])
		}
	}
}

// resultLine renders a Parse result as a table's result line.
func resultLine(q *Query, err error) string {
	if err != nil {
		fe, ok := fhir.AsError(err)
		if !ok || len(fe.Issues) == 0 {
			return "!! not a *fhir.Error: " + err.Error()
		}
		is := fe.Issues[0]
		return strings.TrimSpace("!! " + string(is.Code) + " " + strings.Join(is.Expression, " "))
	}
	var parts []string
	for _, p := range strings.Split(q.String(), "&") {
		if p != "_count=20" {
			parts = append(parts, p)
		}
	}
	return strings.TrimSpace("=> " + strings.Join(parts, "&"))
}

// checkError checks the invariants of every Parse error: a *fhir.Error of
// a client kind whose issue names a parameter and says what is wrong.
func checkError(t testing.TB, err error) {
	t.Helper()
	var fe *fhir.Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *fhir.Error", err, err)
	}
	if fe.Kind != fhir.KindInvalid && fe.Kind != fhir.KindTooCostly {
		t.Errorf("error %v has kind %d, want KindInvalid or KindTooCostly", err, fe.Kind)
	}
	if len(fe.Issues) != 1 || len(fe.Issues[0].Expression) != 1 || fe.Issues[0].Diagnostics == "" {
		t.Fatalf("error %v: want one issue with a diagnostic and one expression, got %+v", err, fe.Issues)
	}
	code := fe.Issues[0].Code
	costly := fe.Kind == fhir.KindTooCostly
	if costly != (code == fhir.IssueTooCostly) {
		t.Errorf("error %v: kind %d with issue code %s", err, fe.Kind, code)
	}
	switch code {
	case fhir.IssueInvalid, fhir.IssueValue, fhir.IssueNotSupported, fhir.IssueTooCostly:
	default:
		t.Errorf("error %v: unexpected issue code %s", err, code)
	}
}
