package store_test

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/validate"
	"github.com/fhirbase-go/fhird/search"
	"github.com/fhirbase-go/fhird/store"
	"github.com/fhirbase-go/fhird/store/storetest"
)

// The search semantics scripts live in testdata/search, one subtest per
// file (run one with -run TestSearchSemantics/dates). A script is read line
// by line; '#' starts a comment (a whole line, or " #" after a directive):
//
//	now 2025-01-01T00:00:00Z     the Now of search.Options ("ap"); default time.Now()
//	load                         the lines that follow, one JSON resource each,
//	{"resourceType":...}         are validated and stored with Update (their ids kept)
//	load-other                   the same, into a second tenant the queries must never see
//	delete Patient/p1            deletes a resource
//	mark m1                      waits for a whole second S and one more second, so
//	                             that what was loaded before is older than S and what
//	                             is loaded after is newer than S+1s; {{mark:m1}} is S
//	limit includes=2             changes one of search.DefaultLimits for later queries
//	                             (params, or-values, chain-depth, has-depth, includes,
//	                             sort-keys, value-bytes)
//	query [strict] Type?a=b&c=d  a search, url-encoded as on the wire (strict: the
//	                             Prefer: handling=strict behaviour)
//	expect id...                 the matches, as a set
//	expect-order id...           the matches, in this order
//	expect-include Type/id...    the included resources, as a set (none if absent)
//	expect-total N               Page.Total on every page (_total=accurate)
//	expect-count N               Store.Count (_summary=count or _count=0)
//	expect-error code[|code]     the issue code of the *fhir.Error (invalid,
//	                             not-supported, too-costly, ...); invalid also
//	                             takes its children in the issue-type hierarchy
//	                             (structure, required, value, invariant)
//
// Queries may hold {{mark:name}}, {{seq:prefix:n}} (prefix1,...,prefixn),
// {{and:text:n}} (n copies of text joined by '&') and {{str:c:n}} (c n times).
//
// For every query the runner follows Page.Next to the end, checks that no
// match comes twice and that every page but the last is full, walks back with
// Page.Prev from the last page and checks it meets the same matches in the
// same order, and, when the query has no _count, runs it again with _count=2
// and checks the same matches (and order), includes and totals come back.

const (
	semanticsDir  = "../testdata/search"
	semanticsBase = "http://fhir.test/fhir"
)

func TestSearchSemantics(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(semanticsDir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in %s: %v", semanticsDir, err)
	}
	st := storetest.Shared(t).Store
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			t.Parallel()
			sc, err := parseScript(f)
			if err != nil {
				t.Fatal(err)
			}
			r := &scriptRunner{t: t, st: st, sc: sc, limits: search.DefaultLimits,
				marks: map[string]string{}, loaded: map[string]bool{}, failed: map[int]bool{}}
			r.ctx, _ = storetest.Tenant(t)
			r.run()
		})
	}
}

// script is a parsed semantics file.
type script struct {
	file  string // base name, for messages
	now   time.Time
	steps []*step
}

type stepKind int

const (
	stepLoad stepKind = iota
	stepLoadOther
	stepDelete
	stepMark
	stepLimit
	stepQuery
)

// step is one directive of a script, with its line number.
type step struct {
	line      int
	kind      stepKind
	arg       string         // delete target, mark name, limit setting
	resources []resourceLine // load, load-other
	query     *scriptQuery
}

type resourceLine struct {
	line int
	json string
}

// scriptQuery is a query directive and its expectations.
type scriptQuery struct {
	line     int
	text     string // Type?query, before substitution
	strict   bool
	ids      []string
	hasIDs   bool
	ordered  bool
	includes []string
	total    int64
	hasTotal bool
	count    int64
	hasCount bool
	errCodes []string
}

func parseScript(path string) (*script, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p := &scriptParser{sc: &script{file: filepath.Base(path)}}
	in := bufio.NewScanner(f)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	for in.Scan() {
		p.n++
		if err := p.line(strings.TrimSpace(in.Text())); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", p.sc.file, p.n, err)
		}
	}
	if err := in.Err(); err != nil {
		return nil, err
	}
	for _, s := range p.sc.steps {
		if q := s.query; q != nil && !q.hasIDs && !q.hasCount && q.errCodes == nil {
			return nil, fmt.Errorf("%s:%d: query without expect, expect-order, expect-count or expect-error", p.sc.file, s.line)
		}
	}
	return p.sc, nil
}

// scriptParser reads a script line by line.
type scriptParser struct {
	sc       *script
	n        int   // the line number
	load     *step // the load block being read, if any
	last     *step // the last query, which expect lines belong to
	sawQuery bool
}

func (p *scriptParser) line(line string) error {
	if line == "" || strings.HasPrefix(line, "#") {
		return nil
	}
	if strings.HasPrefix(line, "{") {
		if p.load == nil {
			return fmt.Errorf("a resource outside a load block")
		}
		p.load.resources = append(p.load.resources, resourceLine{p.n, line})
		return nil
	}
	if i := strings.Index(line, " #"); i >= 0 {
		line = strings.TrimSpace(line[:i])
	}
	word, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	if strings.HasPrefix(word, "expect") {
		if p.last == nil {
			return fmt.Errorf("%s without a query", word)
		}
		return expectLine(p.last.query, word, rest)
	}
	p.load, p.last = nil, nil
	return p.directive(word, rest)
}

// directive handles every line but resources and expectations.
func (p *scriptParser) directive(word, rest string) error {
	switch word {
	case "now":
		if p.sawQuery {
			return fmt.Errorf("now must come before the first query")
		}
		var err error
		p.sc.now, err = time.Parse(time.RFC3339, rest)
		return err
	case "load", "load-other":
		p.load = &step{line: p.n, kind: stepLoad}
		if word == "load-other" {
			p.load.kind = stepLoadOther
		}
		p.sc.steps = append(p.sc.steps, p.load)
	case "delete", "mark", "limit":
		if rest == "" {
			return fmt.Errorf("%s needs an argument", word)
		}
		kind := map[string]stepKind{"delete": stepDelete, "mark": stepMark, "limit": stepLimit}[word]
		p.sc.steps = append(p.sc.steps, &step{line: p.n, kind: kind, arg: rest})
	case "query":
		q := &scriptQuery{line: p.n, text: rest}
		if s, ok := strings.CutPrefix(rest, "strict "); ok {
			q.strict, q.text = true, strings.TrimSpace(s)
		}
		p.last = &step{line: p.n, kind: stepQuery, query: q}
		p.sc.steps = append(p.sc.steps, p.last)
		p.sawQuery = true
	default:
		return fmt.Errorf("unknown directive %q", word)
	}
	return nil
}

func expectLine(q *scriptQuery, word, rest string) error {
	fields := strings.Fields(rest)
	switch word {
	case "expect", "expect-order":
		if q.hasIDs {
			return fmt.Errorf("a second %s", word)
		}
		q.ids, q.hasIDs, q.ordered = fields, true, word == "expect-order"
	case "expect-include":
		q.includes = append(q.includes, fields...)
	case "expect-total", "expect-count":
		v, err := strconv.ParseInt(rest, 10, 64)
		if err != nil {
			return fmt.Errorf("%s: %v", word, err)
		}
		if word == "expect-total" {
			q.total, q.hasTotal = v, true
		} else {
			q.count, q.hasCount = v, true
		}
	case "expect-error":
		if len(fields) != 1 {
			return fmt.Errorf("expect-error takes one code (alternatives joined by |)")
		}
		q.errCodes = strings.Split(fields[0], "|")
	default:
		return fmt.Errorf("unknown directive %q", word)
	}
	if q.errCodes != nil && (q.hasIDs || q.hasCount || q.hasTotal || len(q.includes) > 0) {
		return fmt.Errorf("expect-error excludes the other expectations")
	}
	return nil
}

// scriptRunner runs one script in a tenant of its own.
type scriptRunner struct {
	t       *testing.T
	st      *store.Store
	sc      *script
	ctx     context.Context
	other   context.Context
	limits  search.Limits
	marks   map[string]string
	loaded  map[string]bool // Type/id of the live resources of the tenant
	queries int
	failed  map[int]bool // lines of the queries that failed
}

func (r *scriptRunner) run() {
	for _, s := range r.sc.steps {
		switch s.kind {
		case stepLoad, stepLoadOther:
			r.load(s)
		case stepDelete:
			typ, id, _ := strings.Cut(s.arg, "/")
			if _, err := r.st.Delete(r.ctx, typ, id, 0); err != nil {
				r.t.Fatalf("%s:%d: delete %s: %v", r.sc.file, s.line, s.arg, err)
			}
			delete(r.loaded, s.arg)
		case stepMark:
			r.marks[s.arg] = waitMark()
		case stepLimit:
			if err := setLimit(&r.limits, s.arg); err != nil {
				r.t.Fatalf("%s:%d: %v", r.sc.file, s.line, err)
			}
		case stepQuery:
			r.queries++
			r.query(s.query)
		}
	}
	r.t.Logf("%s: %d queries, %d failed", r.sc.file, r.queries, len(r.failed))
}

func (r *scriptRunner) load(s *step) {
	ctx := r.ctx
	if s.kind == stepLoadOther {
		if r.other == nil {
			r.other, _ = storetest.Tenant(r.t)
		}
		ctx = r.other
	}
	for _, res := range s.resources {
		tree, err := validate.Resource([]byte(res.json), "")
		if err != nil {
			r.t.Fatalf("%s:%d: invalid resource: %v", r.sc.file, res.line, err)
		}
		typ, _ := tree["resourceType"].(string)
		id, _ := tree["id"].(string)
		if id == "" {
			r.t.Fatalf("%s:%d: a test resource needs an id", r.sc.file, res.line)
		}
		if _, _, err := r.st.Update(ctx, typ, id, tree, 0); err != nil {
			r.t.Fatalf("%s:%d: store %s/%s: %v", r.sc.file, res.line, typ, id, err)
		}
		if s.kind == stepLoad {
			r.loaded[typ+"/"+id] = true
		}
	}
}

// waitMark returns the next whole second S, after waiting until S+1.1s, so
// that every write before the call is older than S and every write after it
// is newer than the last instant of S at second precision.
func waitMark() string {
	s := time.Now().Truncate(time.Second).Add(time.Second)
	time.Sleep(time.Until(s.Add(1100 * time.Millisecond)))
	return s.UTC().Format("2006-01-02T15:04:05Z")
}

func setLimit(l *search.Limits, arg string) error {
	name, v, ok := strings.Cut(arg, "=")
	n, err := strconv.Atoi(v)
	if !ok || err != nil {
		return fmt.Errorf("limit %q: want name=N", arg)
	}
	fields := map[string]*int{
		"params": &l.MaxParams, "or-values": &l.MaxOrValues, "chain-depth": &l.MaxChainDepth,
		"has-depth": &l.MaxHasDepth, "includes": &l.MaxIncludes, "sort-keys": &l.MaxSortKeys,
		"value-bytes": &l.MaxValueBytes,
	}
	p, ok := fields[name]
	if !ok {
		return fmt.Errorf("unknown limit %q", name)
	}
	*p = n
	return nil
}

var placeholder = regexp.MustCompile(`\{\{([a-z]+):([^}]*)\}\}`)

// expand replaces the placeholders of a query.
func (r *scriptRunner) expand(text string) (string, error) {
	var err error
	out := placeholder.ReplaceAllStringFunc(text, func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		args := strings.Split(sub[2], ":")
		count := func() int {
			n, e := strconv.Atoi(args[len(args)-1])
			if e != nil || len(args) != 2 {
				err = fmt.Errorf("bad placeholder %s", m)
			}
			return n
		}
		switch sub[1] {
		case "mark":
			v, ok := r.marks[sub[2]]
			if !ok {
				err = fmt.Errorf("no mark %q", sub[2])
			}
			return v
		case "seq":
			n := count()
			parts := make([]string, n)
			for i := range parts {
				parts[i] = args[0] + strconv.Itoa(i+1)
			}
			return strings.Join(parts, ",")
		case "and":
			n := count()
			return strings.Join(slices.Repeat([]string{args[0]}, max(n, 0)), "&")
		case "str":
			return strings.Repeat(args[0], max(count(), 0))
		}
		err = fmt.Errorf("unknown placeholder %s", m)
		return m
	})
	return out, err
}

// outcome is what one run of a query returned.
type outcome struct {
	ids      []string // matches, in page order
	includes []string // Type/id, sorted, without duplicates
	totals   []int64  // Page.Total of each page
	count    int64
	counted  bool
	problems []string // paging invariants that did not hold
}

func (r *scriptRunner) query(q *scriptQuery) {
	r.t.Helper()
	text, err := r.expand(q.text)
	if err != nil {
		r.fail(q, q.text, "%v", err)
		return
	}
	typ, raw, _ := strings.Cut(text, "?")
	rt, ok := fhir.LookupType(typ)
	if !ok {
		r.fail(q, text, "unknown resource type %q", typ)
		return
	}
	params, err := url.ParseQuery(raw)
	if err != nil {
		r.fail(q, text, "query string: %v", err)
		return
	}
	r.checkKnownIDs(q, text, typ)
	out, err := r.search(rt, params, q.strict)
	if q.errCodes != nil {
		r.checkError(q, text, out, err)
		return
	}
	if err != nil {
		r.fail(q, text, "unexpected error: %v", err)
		return
	}
	r.compare(q, text, "", out)
	if _, has := params["_count"]; has || out.counted {
		return
	}
	params.Set("_count", "2")
	out, err = r.search(rt, params, q.strict)
	if err != nil {
		r.fail(q, text, "with _count=2: unexpected error: %v", err)
		return
	}
	paged := *q
	if params.Get("_total") == "" {
		// Without _total a total comes only with a page that holds every
		// match, which two at a time need not be.
		paged.hasTotal = false
	}
	r.compare(&paged, text, " (run again with _count=2)", out)
}

// checkKnownIDs flags expectations that name resources the script never
// loaded (or deleted): a typo there would make a test pass vacuously.
func (r *scriptRunner) checkKnownIDs(q *scriptQuery, text, typ string) {
	for _, id := range q.ids {
		if !r.loaded[typ+"/"+id] {
			r.fail(q, text, "script error: expected %s/%s is not a live resource of the script", typ, id)
		}
	}
	for _, ref := range q.includes {
		if !r.loaded[ref] {
			r.fail(q, text, "script error: expected include %s is not a live resource of the script", ref)
		}
	}
}

func (r *scriptRunner) checkError(q *scriptQuery, text string, out *outcome, err error) {
	if err == nil {
		r.fail(q, text, "no error, want %s; got matches %v", strings.Join(q.errCodes, " or "), out.ids)
		return
	}
	fe, ok := fhir.AsError(err)
	if !ok || len(fe.Issues) == 0 {
		r.fail(q, text, "error %v is not a *fhir.Error, want issue code %s", err, strings.Join(q.errCodes, " or "))
		return
	}
	if !slices.ContainsFunc(q.errCodes, func(c string) bool { return issueIs(fe.Issues[0].Code, c) }) {
		r.fail(q, text, "error code %s (%v), want %s", fe.Issues[0].Code, err, strings.Join(q.errCodes, " or "))
	}
}

// issueIs reports whether the issue code got is want or, in the issue-type
// hierarchy of FHIR, one of its children: structure, required, value and
// invariant are kinds of invalid.
func issueIs(got fhir.IssueType, want string) bool {
	if string(got) == want {
		return true
	}
	switch got {
	case fhir.IssueStructure, fhir.IssueRequired, fhir.IssueValue, fhir.IssueInvariant:
		return want == string(fhir.IssueInvalid)
	}
	return false
}

func (r *scriptRunner) compare(q *scriptQuery, text, variant string, out *outcome) {
	for _, p := range out.problems {
		r.fail(q, text, "%s%s", p, variant)
	}
	if q.hasCount {
		if !out.counted || out.count != q.count {
			r.fail(q, text, "count%s: got %d (counted=%v), want %d", variant, out.count, out.counted, q.count)
		}
		return
	}
	if out.counted {
		r.fail(q, text, "the query is a count (_summary=count or _count=0); use expect-count")
		return
	}
	if q.ordered {
		if !slices.Equal(out.ids, q.ids) {
			r.fail(q, text, "matches%s in order:\n\tgot  %v\n\twant %v", variant, out.ids, q.ids)
		}
	} else if got, want := sorted(out.ids), sorted(q.ids); !slices.Equal(got, want) {
		r.fail(q, text, "matches%s:\n\tgot  %v\n\twant %v\n\tmissing %v, unexpected %v",
			variant, got, want, minus(want, got), minus(got, want))
	}
	if want := sorted(q.includes); !slices.Equal(out.includes, want) {
		r.fail(q, text, "includes%s:\n\tgot  %v\n\twant %v", variant, out.includes, want)
	}
	if q.hasTotal {
		for i, total := range out.totals {
			if total != q.total {
				r.fail(q, text, "total%s on page %d: got %d, want %d", variant, i+1, total, q.total)
				break
			}
		}
	}
}

func (r *scriptRunner) fail(q *scriptQuery, text, format string, args ...any) {
	r.t.Helper()
	r.failed[q.line] = true
	r.t.Errorf("%s:%d: %s\n\t%s", r.sc.file, q.line, text, fmt.Sprintf(format, args...))
}

// search parses and runs the query: the count, or every page.
func (r *scriptRunner) search(rt *fhir.ResourceType, params url.Values, strict bool) (*outcome, error) {
	now := r.sc.now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	q, err := search.Parse(rt, params, search.Options{Strict: strict, DefaultCount: 50, MaxCount: 1000,
		BaseURL: semanticsBase, Now: now, Limits: r.limits})
	if err != nil {
		return &outcome{}, err
	}
	out := &outcome{}
	if q.Summary == search.SummaryCount || q.Count == 0 {
		out.counted = true
		out.count, err = r.st.Count(r.ctx, q)
		return out, err
	}
	return out, r.pages(q, out)
}

// pages follows every next page from the first, checking the paging
// invariants on the way, then walks back from the last page.
func (r *scriptRunner) pages(q *search.Query, out *outcome) error {
	var pages [][]string
	var after *search.After
	includes := map[string]bool{}
	seen := map[string]bool{}
	problem := func(format string, args ...any) { out.problems = append(out.problems, fmt.Sprintf(format, args...)) }
	for {
		p, err := r.st.Search(r.ctx, q, after)
		if err != nil {
			return err
		}
		if after == nil && p.Prev != nil {
			problem("the first page has a previous link")
		}
		ids := make([]string, len(p.Matches))
		for i, m := range p.Matches {
			ids[i] = m.ID
			if m.Type != q.Type.Name {
				problem("match %s/%s is not a %s", m.Type, m.ID, q.Type.Name)
			}
			if seen[m.ID] {
				problem("%s came twice while paging", m.ID)
			}
			seen[m.ID] = true
		}
		for _, inc := range p.Included {
			includes[inc.Type+"/"+inc.ID] = true
		}
		if after == nil && p.Next == nil && p.Total != int64(len(ids)) {
			problem("the only page has %d matches and total %d", len(ids), p.Total)
		}
		pages = append(pages, ids)
		out.totals = append(out.totals, p.Total)
		out.ids = append(out.ids, ids...)
		if p.Next == nil {
			if len(pages) > 1 {
				r.walkBack(q, p.Prev, pages, out)
			}
			break
		}
		if len(ids) != q.Count {
			problem("page %d has %d matches and a next page, want %d", len(pages), len(ids), q.Count)
		}
		if len(pages) > 1000 {
			problem("more than 1000 pages")
			break
		}
		after = p.Next
	}
	for k := range includes {
		out.includes = append(out.includes, k)
	}
	slices.Sort(out.includes)
	return nil
}

// walkBack follows Page.Prev from the last page and checks that the pages
// it meets, read backwards, hold the matches before the last page in the
// same order.
func (r *scriptRunner) walkBack(q *search.Query, prev *search.After, pages [][]string, out *outcome) {
	last := pages[len(pages)-1]
	want := out.ids[:len(out.ids)-len(last)]
	var back [][]string
	for prev != nil && len(back) <= len(pages) {
		p, err := r.st.Search(r.ctx, q, prev)
		if err != nil {
			out.problems = append(out.problems, fmt.Sprintf("walking back with Prev: %v", err))
			return
		}
		ids := make([]string, len(p.Matches))
		for i, m := range p.Matches {
			ids[i] = m.ID
		}
		if len(ids) == 0 {
			out.problems = append(out.problems, "walking back with Prev: an empty page")
			return
		}
		back = append(back, ids)
		prev = p.Prev
	}
	var got []string
	for i := len(back) - 1; i >= 0; i-- {
		got = append(got, back[i]...)
	}
	if !slices.Equal(got, want) {
		out.problems = append(out.problems, fmt.Sprintf("walking back with Prev from the last page:\n\tgot  %v\n\twant %v", got, want))
	}
}

func sorted(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// minus returns the elements of a (sorted) not in b (sorted).
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if _, found := slices.BinarySearch(b, x); !found {
			out = append(out, x)
		}
	}
	return out
}
