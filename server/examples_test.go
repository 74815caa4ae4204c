package server_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/examples"
	"github.com/fhirbase-go/fhird/server"
	"github.com/fhirbase-go/fhird/store/storetest"
)

// examplesPrint makes TestExamples print the refusals the list does not
// explain, as lines to paste into testdata/examples/refused.txt once their
// reasons are checked against the specification and written.
var examplesPrint = flag.Bool("examples.print", false,
	"TestExamples: print the unexplained refusals as lines for testdata/examples/refused.txt")

// refusedList is the list of the examples the server is right to refuse;
// bugList the list of the valid examples it refuses, each for a known bug
// of the server, expected until it is fixed.
const (
	refusedList = "../testdata/examples/refused.txt"
	bugList     = "../testdata/examples/bugs.txt"
)

// exampleWorkers is how many examples are written at once: enough to keep
// the database busy while the server validates the next body.
const exampleWorkers = 8

// exampleBodyBytes is the body limit of TestExamples' server: the largest
// example (Bundle-resources.json) has 35 MB.
const exampleBodyBytes = 64 << 20

// exampleResult is what the server did with one example.
type exampleResult struct {
	ex       examples.Example
	status   int    // of the PUT, 0 when it could not be sent
	outcome  string // the body of a refusal
	query    string // the search on an extracted value, "" when none
	kind     string // the kind of value query searches
	took     time.Duration
	problems []string
}

func (r *exampleResult) fail(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// accepted reports whether the server stored the example.
func (r *exampleResult) accepted() bool { return r.status == 200 || r.status == 201 }

// refused reports whether the server refused the example as invalid.
func (r *exampleResult) refused() bool { return r.status == 400 || r.status == 422 }

// TestExamples writes every official R4 example of a stored type through
// the server, each by PUT to its own id in one tenant (update as create, so
// references between examples resolve): each is accepted, or refused for a
// genuine error that testdata/examples/refused.txt names (or, until it is
// fixed, for a known bug of the server that testdata/examples/bugs.txt
// names). Each accepted example reads back equal to what was sent and is
// found by _id and by a search on one of its extracted values. It takes
// minutes, so -short skips it.
func TestExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: writing the 5,300 official examples takes minutes")
	}
	start := time.Now()
	db := storetest.Shared(t)
	c := ownServer(t, db.Store, func(cfg *server.Config) { cfg.MaxBodyBytes = exampleBodyBytes })
	lists := exampleLists{refused: examples.Refused(t, refusedList), bugs: examples.Refused(t, bugList)}
	var skipped int
	all := examples.All(t, func(e examples.Example) bool {
		_, ok := fhir.LookupType(e.Type)
		if !ok {
			skipped++
		}
		return ok
	})
	results := runExamples(c, all)
	s := reportExamples(t, results, lists)
	t.Logf("examples: %d written (%d of types not stored skipped), %d accepted, %d refused %v, %d searched by a value %v and %d by _id only %v, in %s; slowest: %s",
		s.written, skipped, s.accepted, s.refused, s.categories, s.searched, s.kinds, s.idOnly, s.idOnlyTypes,
		time.Since(start).Round(time.Second), slowest(results, 3))
}

// runExamples checks every example with exampleWorkers workers and
// returns the results in the order of all.
func runExamples(c *client, all []examples.Example) []exampleResult {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: exampleWorkers}}
	defer hc.CloseIdleConnections()
	results := make([]exampleResult, len(all))
	next := make(chan int)
	var wg sync.WaitGroup
	for range exampleWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				start := time.Now()
				results[i] = checkExample(c, hc, all[i])
				results[i].took = time.Since(start)
			}
		}()
	}
	for _, i := range largestFirst(all) {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

// largestFirst returns the indexes of all, the largest example first: the
// few Bundles of tens of megabytes take most of the time, and started
// first they run while the workers check the small examples beside them
// instead of at the end, alone.
func largestFirst(all []examples.Example) []int {
	order := make([]int, len(all))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(len(all[b].Body), len(all[a].Body)) })
	return order
}

// checkExample writes one example, then reads and searches it when the
// server accepted it.
func checkExample(c *client, hc *http.Client, ex examples.Example) exampleResult {
	r := exampleResult{ex: ex}
	path := "/fhir/" + ex.Type + "/" + url.PathEscape(ex.ID)
	status, body, err := exampleRequest(c, hc, "PUT", path, string(ex.Body))
	if err != nil {
		r.fail("PUT: %v", err)
		return r
	}
	r.status = status
	switch {
	case r.refused():
		r.outcome = string(body)
		return r
	case !r.accepted():
		r.fail("PUT: status %d, want 200, 201, or a refusal (400, 422): %s", status, clip(body))
		return r
	}
	readBack(c, hc, &r, path)
	searchExample(c, hc, &r)
	return r
}

// readBack reads the stored example and compares it with what was sent.
func readBack(c *client, hc *http.Client, r *exampleResult, path string) {
	status, body, err := exampleRequest(c, hc, "GET", path, "")
	if err != nil || status != 200 {
		r.fail("GET: status %d, error %v: %s", status, err, clip(body))
		return
	}
	if diff, err := semanticDiff(r.ex.Body, body); err != nil {
		r.fail("read back: %v", err)
	} else if diff != "" {
		r.fail("read back differs from what was sent: %s", diff)
	}
}

// searchExample finds the example by _id, and by one of its extracted
// values together with _id (so that a value many examples share need not
// be paged through: the value's predicate must still hold).
func searchExample(c *client, hc *http.Client, r *exampleResult) {
	byID := "_id=" + url.QueryEscape(r.ex.ID)
	if err := mustFind(c, hc, r.ex, byID); err != nil {
		r.fail("%v", err)
	}
	q, kind, err := valueQuery(r.ex)
	if err != nil {
		r.fail("choosing a search value: %v", err)
		return
	}
	if r.query, r.kind = q, kind; q == "" {
		return
	}
	if err := mustFind(c, hc, r.ex, q+"&"+byID); err != nil {
		r.fail("%v", err)
	}
}

// mustFind fails unless the search query of the example's type returns it
// as a match.
func mustFind(c *client, hc *http.Client, ex examples.Example, query string) error {
	path := "/fhir/" + ex.Type + "?" + query + "&_elements=id"
	status, body, err := exampleRequest(c, hc, "GET", path, "")
	if err != nil || status != 200 {
		return fmt.Errorf("GET %s: status %d, error %v: %s", path, status, err, clip(body))
	}
	var b struct {
		Entry []struct {
			Resource struct{ ID string }
			Search   struct{ Mode string }
		}
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	for _, e := range b.Entry {
		if e.Search.Mode == "match" && e.Resource.ID == ex.ID {
			return nil
		}
	}
	return fmt.Errorf("GET %s does not find %s/%s: %s", path, ex.Type, ex.ID, clip(body))
}

// exampleRequest sends one request of the client's tenant with hc; unlike
// client.do it never stops the test, so workers may call it.
func exampleRequest(c *client, hc *http.Client, method, path, body string) (int, []byte, error) {
	req, err := c.request(method, path, body)
	if err != nil {
		return 0, nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.Bytes(), err
}

// clip shortens a body for a message.
func clip(b []byte) string {
	const max = 2000
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

// exampleSummary counts the results.
type exampleSummary struct {
	written, accepted, refused, searched, idOnly int
	// categories counts the refusals by the category of their reasons,
	// kinds the value searches by the kind of value, idOnlyTypes the
	// examples found by _id only by their types.
	categories, kinds, idOnlyTypes counts
}

// counts counts things by name.
type counts map[string]int

// String lists the counts by name: "(a 1, b 2)".
func (c counts) String() string {
	var parts []string
	for name, n := range c {
		parts = append(parts, fmt.Sprintf("%s %d", name, n))
	}
	sort.Strings(parts)
	return "(" + strings.Join(parts, ", ") + ")"
}

// slowest names the n examples that took longest to check.
func slowest(results []exampleResult, n int) string {
	rs := slices.Clone(results)
	slices.SortFunc(rs, func(a, b exampleResult) int { return cmp.Compare(b.took, a.took) })
	var parts []string
	for _, r := range rs[:min(n, len(rs))] {
		parts = append(parts, fmt.Sprintf("%s (%d kB) %s", r.ex.File, len(r.ex.Body)>>10, r.took.Round(time.Millisecond)))
	}
	return strings.Join(parts, ", ")
}

// reasonCategory is the category of a reason of the list: the text before
// its first ": " (e.g. "txt-2", "reference target").
func reasonCategory(reason string) string {
	cat, _, _ := strings.Cut(reason, ": ")
	return cat
}

// exampleLists are the refusals TestExamples expects: for a genuine error
// of the example (refused) or for a known bug of the server (bugs).
type exampleLists struct{ refused, bugs map[string]string }

// expected returns the category of an expected refusal of file, and the
// list and the line's reason that expect it; ok is false when no list does.
func (l exampleLists) expected(file string) (category, list, reason string, ok bool) {
	if reason, ok := l.refused[file]; ok {
		return reasonCategory(reason), refusedList, reason, true
	}
	if reason, ok := l.bugs[file]; ok {
		return "server bug", bugList, reason, true
	}
	return "", "", "", false
}

// reportExamples fails the test for every problem, every refusal no list
// explains and every line of the lists whose example the server now
// accepts or that names no example, and counts the results.
func reportExamples(t *testing.T, results []exampleResult, lists exampleLists) exampleSummary {
	s := exampleSummary{written: len(results), categories: counts{}, kinds: counts{}, idOnlyTypes: counts{}}
	seen := map[string]bool{}
	var unexplained []exampleResult
	for i := range results {
		r := &results[i]
		seen[r.ex.File] = true
		for _, p := range r.problems {
			t.Errorf("%s: %s", r.ex.File, p)
		}
		category, list, reason, listed := lists.expected(r.ex.File)
		switch {
		case r.refused() && listed:
			s.refused++
			s.categories[category]++
		case r.refused():
			s.refused++
			s.categories["unexplained"]++
			unexplained = append(unexplained, *r)
			t.Errorf("%s: refused (%d), and neither %s nor %s lists it: %s", r.ex.File, r.status, refusedList, bugList, clip([]byte(r.outcome)))
		case r.accepted():
			s.accepted++
			if listed {
				t.Errorf("%s: accepted, but %s lists it as refused (%s): remove the line", r.ex.File, list, reason)
			}
			if r.query != "" {
				s.searched++
				s.kinds[r.kind]++
			} else {
				s.idOnly++
				s.idOnlyTypes[r.ex.Type]++
			}
		}
	}
	for _, l := range []struct {
		path  string
		lines map[string]string
	}{{refusedList, lists.refused}, {bugList, lists.bugs}} {
		for file := range l.lines {
			if !seen[file] {
				t.Errorf("%s lists %s, which is no example of a stored type: remove the line", l.path, file)
			}
		}
	}
	if *examplesPrint && len(unexplained) > 0 {
		printUnexplained(unexplained)
	}
	return s
}

// printUnexplained prints the unexplained refusals as list lines whose
// reason is the server's first diagnostics, marked TODO: each must be
// checked against the specification and rewritten as the genuine error
// before it goes into the list (or reported as a server bug).
func printUnexplained(rs []exampleResult) {
	fmt.Printf("# %d unexplained refusals for %s:\n", len(rs), refusedList)
	for _, r := range rs {
		var oo struct {
			Issue []struct {
				Diagnostics string
				Expression  []string
			}
		}
		_ = json.Unmarshal([]byte(r.outcome), &oo)
		var what []string
		for _, is := range oo.Issue {
			what = append(what, strings.Join(is.Expression, ",")+" "+is.Diagnostics)
		}
		fmt.Printf("%s\tTODO: %s\n", r.ex.File, strings.ReplaceAll(strings.Join(what, " | "), "\n", " "))
	}
}
