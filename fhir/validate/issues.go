package validate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/fhirbase-go/fhird/fhir"
)

// MaxIssues is the most problems one validation lists. A body with more
// gets the first MaxIssues found, in the order of the body, and one more
// issue (code too-costly) saying that there are others; the checks stop
// as soon as they have found one more than MaxIssues. A client fixes a
// resource from its first problems, and 100 issues are about 15 KB of
// OperationOutcome: enough for any resource a person or a program got
// nearly right, while a body of 200,000 unknown keys no longer costs
// seconds and an outcome of 23 MB (issue 11, finding 10).
const MaxIssues = 100

// maxIssueText bounds the text (expressions and diagnostics) of the issues
// listed, the first aside: element names can be as long as the body, and
// each issue below a long name repeats it in its expression.
const maxIssueText = 64 << 10

// issue is one problem found, before it becomes a fhir.Issue.
type issue struct {
	code fhir.IssueType
	expr string
	msg  string
	// offset is the position in the body used to order issues; -1 means
	// it is looked up from expr when the issues are sorted.
	offset int64
}

func (is issue) size() int { return len(is.expr) + len(is.msg) }

// issueSet collects the problems of one validation, one per element (see
// rank), until it is full: until it holds more issues, or more text, than
// one outcome lists, so that at least one will go unlisted.
type issueSet struct {
	root  string // the resource's expression, where the notice of more points
	list  []issue
	at    map[string]int // canonical element → index in list
	bytes int            // the size of the issues in list
}

// full reports whether the set has found more than it will list; every
// check stops there.
func (s *issueSet) full() bool {
	return len(s.list) > MaxIssues || (len(s.list) > 1 && s.bytes > maxIssueText)
}

// add records is, unless the set is full. Two checks often see the same
// problem (an invalid id, an empty date), and the client should read it
// once: for an element already listed, the issue whose code ranks first is
// kept.
func (s *issueSet) add(is issue) {
	if s.full() {
		return
	}
	if is.expr != "" {
		key := canonicalExpr(is.expr)
		if i, seen := s.at[key]; seen {
			if rank[is.code] < rank[s.list[i].code] {
				s.bytes += is.size() - s.list[i].size()
				s.list[i] = is
			}
			return
		}
		if s.at == nil {
			s.at = map[string]int{}
		}
		s.at[key] = len(s.list)
	}
	s.list = append(s.list, is)
	s.bytes += is.size()
}

// addSorted adds issues found in an order that is not the same from one
// run to the next (the order of a map), sorted first, so that which of
// them fit when the set fills up does not change either.
func (s *issueSet) addSorted(issues []issue) {
	slices.SortFunc(issues, func(a, b issue) int {
		return cmp.Or(strings.Compare(a.expr, b.expr), strings.Compare(a.msg, b.msg))
	})
	for _, is := range issues {
		s.add(is)
	}
}

// rank orders issue codes for add: when two checks flag the same element,
// the issue with the lower rank is kept. A wrong shape explains everything
// else; a missing required element is the weakest claim.
var rank = map[fhir.IssueType]int{
	fhir.IssueStructure:    0,
	fhir.IssueNotSupported: 1,
	fhir.IssueInvariant:    2,
	fhir.IssueValue:        3,
	fhir.IssueInvalid:      4,
	fhir.IssueRequired:     5,
}

// canonicalExpr is the element an expression points at, type filters aside.
func canonicalExpr(expr string) string {
	if _, p, ok := parseExpr(expr); ok {
		return p.canonical()
	}
	return expr
}

// invalid turns the issues of s into the error Resource returns: one issue
// per element, in the order of the body, and, when s is full, a last one
// saying that the list stops there.
func invalid(body []byte, s *issueSet, cause error) *fhir.Error {
	issues := s.list
	locate(body, issues)
	slices.SortStableFunc(issues, func(a, b issue) int {
		if c := cmp.Compare(a.offset, b.offset); c != 0 {
			return c
		}
		if c := strings.Compare(a.expr, b.expr); c != 0 {
			return c
		}
		return strings.Compare(a.msg, b.msg)
	})
	listed, text := 0, 0
	for _, is := range issues {
		text += is.size()
		if listed > 0 && (listed == MaxIssues || text > maxIssueText) {
			break
		}
		listed++
	}
	e := &fhir.Error{Kind: fhir.KindInvalid, Err: cause, Issues: make([]fhir.Issue, listed, listed+1)}
	for i, is := range issues[:listed] {
		e.Issues[i] = fhir.Issue{Severity: fhir.SeverityError, Code: is.code, Diagnostics: is.msg}
		if is.expr != "" {
			e.Issues[i].Expression = []string{is.expr}
		}
	}
	if listed < len(issues) {
		e.Issues = append(e.Issues, moreIssue(s.root, listed))
	}
	return e
}

// moreIssue is the last issue of an outcome that does not list every
// problem. Its severity is error because it stands for errors of the
// resource (the ones not listed); its code is too-costly because listing
// them is what was stopped "to protect server resources"
// (http://hl7.org/fhir/R4/valueset-issue-type.html).
func moreIssue(root string, listed int) fhir.Issue {
	return fhir.Issue{
		Severity: fhir.SeverityError,
		Code:     fhir.IssueTooCostly,
		Diagnostics: fmt.Sprintf("The resource has more problems than the %d listed: validation stops after "+
			"%d (or %d KB of issue text) and lists the first it found.", listed, MaxIssues, maxIssueText>>10),
		Expression: []string{root},
	}
}

// clip shortens a value quoted in a diagnostic: a value can be as long as
// the body, and the outcome need not repeat it.
func clip(s string) string {
	const keep = 64
	if len(s) <= keep+16 {
		return s
	}
	cut := keep
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes)", s[:cut], len(s))
}

// String formats an issue for test failures.
func (is issue) String() string {
	return fmt.Sprintf("%s %s: %s", is.code, is.expr, is.msg)
}
