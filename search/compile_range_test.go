package search

import (
	"math"
	"testing"
	"time"
)

// The date table: every prefix at several precisions, as the condition
// on the target range [lo, hi] (times in UTC, closed ranges).
func TestDateRangeCond(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		prefix Prefix
		raw    string
		want   string
	}{
		{PrefixNone, "2020", "lo >= 2020-01-01 00:00:00 +0000 UTC AND lo <= 2020-12-31 23:59:59.999999 +0000 UTC AND hi >= 2020-01-01 00:00:00 +0000 UTC AND hi <= 2020-12-31 23:59:59.999999 +0000 UTC"},
		{PrefixEq, "2020-02", "lo >= 2020-02-01 00:00:00 +0000 UTC AND lo <= 2020-02-29 23:59:59.999999 +0000 UTC AND hi >= 2020-02-01 00:00:00 +0000 UTC AND hi <= 2020-02-29 23:59:59.999999 +0000 UTC"},
		{PrefixEq, "2020-02-03T10:00+02:00", "lo >= 2020-02-03 08:00:00 +0000 UTC AND lo <= 2020-02-03 08:00:59.999999 +0000 UTC AND hi >= 2020-02-03 08:00:00 +0000 UTC AND hi <= 2020-02-03 08:00:59.999999 +0000 UTC"},
		{PrefixNe, "2020-02-03", "(lo < 2020-02-03 00:00:00 +0000 UTC OR hi > 2020-02-03 23:59:59.999999 +0000 UTC)"},
		{PrefixGt, "2020", "hi > 2020-12-31 23:59:59.999999 +0000 UTC"},
		{PrefixLt, "2020-06", "lo < 2020-06-01 00:00:00 +0000 UTC"},
		{PrefixGe, "2020", "hi >= 2020-01-01 00:00:00 +0000 UTC AND (hi > 2020-12-31 23:59:59.999999 +0000 UTC OR lo >= 2020-01-01 00:00:00 +0000 UTC)"},
		{PrefixLe, "2020", "lo <= 2020-12-31 23:59:59.999999 +0000 UTC AND (lo < 2020-01-01 00:00:00 +0000 UTC OR hi <= 2020-12-31 23:59:59.999999 +0000 UTC)"},
		{PrefixSa, "2020-02-03T10:00:05", "lo > 2020-02-03 10:00:05.999999 +0000 UTC"},
		{PrefixEb, "2020-02-03T10:00:05.5Z", "hi < 2020-02-03 10:00:05.5 +0000 UTC"},
		// ap: 10% of the gap from now (2024-01-01) to the end of 2013 is
		// 365.2 days on each side of 2013.
		{PrefixAp, "2013", "lo <= 2015-01-01 04:47:59.999999 +0000 UTC AND hi >= 2012-01-01 19:12:00 +0000 UTC"},
		// ap with now inside the range is the range itself.
		{PrefixAp, "2024-01", "lo <= 2024-01-31 23:59:59.999999 +0000 UTC AND hi >= 2024-01-01 00:00:00 +0000 UTC"},
	}
	for _, c := range cases {
		rc, err := dateRangeCond(c.prefix, c.raw, now, false)
		if err != nil {
			t.Errorf("%v%s: %v", c.prefix, c.raw, err)
			continue
		}
		if got := rc.String(); got != c.want {
			t.Errorf("%v%s:\n got %s\nwant %s", c.prefix, c.raw, got, c.want)
		}
	}
	if _, err := dateRangeCond(PrefixEq, "2020-13", now, false); err == nil {
		t.Error("2020-13: no error")
	}
}

// Point targets (_lastUpdated) simplify ge and le.
func TestDateRangeCondPoint(t *testing.T) {
	cases := map[Prefix]string{
		PrefixGe: "lo >= 2020-01-01 00:00:00 +0000 UTC",
		PrefixLe: "hi <= 2020-12-31 23:59:59.999999 +0000 UTC",
		PrefixGt: "hi > 2020-12-31 23:59:59.999999 +0000 UTC",
	}
	for p, want := range cases {
		rc, _ := dateRangeCond(p, "2020", time.Time{}, true)
		if got := rc.String(); got != want {
			t.Errorf("%v2020: got %s, want %s", p, got, want)
		}
	}
}

// The approximation never leaves [MinTime, MaxTime] and is never narrower
// than the value.
func TestApproxDatesClamp(t *testing.T) {
	lo := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	hi := time.Date(1, 12, 31, 23, 59, 59, 999999000, time.UTC)
	alo, ahi := approxDates(lo, hi, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	if !alo.Equal(lo) || !ahi.After(hi) {
		t.Errorf("approxDates(0001) = %v, %v", alo, ahi)
	}
	alo, ahi = approxDates(lo, hi, time.Time{})
	if !alo.Equal(lo) || !ahi.Equal(hi) {
		t.Errorf("approxDates without now = %v, %v", alo, ahi)
	}
}

// The number table: implicit ranges from the precision, exact values for
// the comparisons.
func TestNumberRangeCond(t *testing.T) {
	cases := []struct {
		prefix Prefix
		raw    string
		want   string
	}{
		{PrefixNone, "100", "v >= 99.5 AND v < 100.5"},
		{PrefixEq, "100.00", "v >= 99.995 AND v < 100.005"},
		{PrefixEq, "1e2", "v >= 95 AND v < 105"},
		{PrefixEq, "1.5E2", "v >= 149.5 AND v < 150.5"},
		{PrefixEq, "2.3", "v >= 2.25 AND v < 2.35"},
		{PrefixEq, "-0.5", "v >= -0.55 AND v < -0.45"},
		{PrefixEq, "0", "v >= -0.5 AND v < 0.5"},
		{PrefixEq, ".5", "v >= 0.45 AND v < 0.55"},
		{PrefixEq, "5.", "v >= 4.5 AND v < 5.5"},
		{PrefixNe, "100", "(v < 99.5 OR v >= 100.5)"},
		{PrefixGt, "100", "v > 100"},
		{PrefixLt, "100", "v < 100"},
		{PrefixGe, "100", "v >= 100"},
		{PrefixLe, "100", "v <= 100"},
		{PrefixSa, "100", "v > 100"},
		{PrefixEb, "100", "v < 100"},
		{PrefixAp, "100", "v >= 90 AND v <= 110"},
		{PrefixAp, "-100", "v >= -110 AND v <= -90"},
		{PrefixAp, "0", "v >= -0.5 AND v <= 0.5"},   // never narrower than the precision
		{PrefixAp, "1", "v >= 0.5 AND v <= 1.5"},    // likewise
		{PrefixAp, "1e3", "v >= 900 AND v <= 1100"}, // 10% is wider than ±50
	}
	for _, c := range cases {
		rc, err := numberRangeCond(c.prefix, c.raw)
		if err != nil {
			t.Errorf("%v%s: %v", c.prefix, c.raw, err)
			continue
		}
		if got := rc.String(); got != c.want {
			t.Errorf("%v%s: got %s, want %s", c.prefix, c.raw, got, c.want)
		}
	}
}

func TestNumberBounds(t *testing.T) {
	// The bounds are the float64 nearest to the exact decimal bounds.
	n, err := parseNumber("2.3")
	if err != nil || n.lo != 2.25 || n.hi != 2.35 || n.v != 2.3 {
		t.Errorf("parseNumber(2.3) = %+v, %v", n, err)
	}
	n, _ = parseNumber("1e400")
	if !math.IsInf(n.v, 1) {
		t.Errorf("parseNumber(1e400) = %+v", n)
	}
	for _, bad := range []string{"", "-", ".", "1e", "1e+", "abc", "1.2.3", "1e401", "1 ", "0x10", "1e2e3"} {
		if _, err := parseNumber(bad); err == nil {
			t.Errorf("parseNumber(%q): no error", bad)
		}
	}
}

func TestPrefixSuccessor(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"abc", "abd", true},
		{"ab\U0010FFFF", "ac", true},
		{"a\uD7FF", "a\uE000", true}, // the surrogates are skipped
		{"é", "ê", true},
		{"z\u007f", "z\u0080", true},
		{"\U0010FFFF\U0010FFFF", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		got, ok := prefixSuccessor(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("prefixSuccessor(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
		if ok && !(got > c.in) {
			t.Errorf("prefixSuccessor(%q) = %q is not greater", c.in, got)
		}
	}
}

func TestURIAbove(t *testing.T) {
	got := uriAbove("http://a.org/fhir/ValueSet/1")
	want := []string{"http://a.org/fhir/ValueSet/1", "http://a.org/fhir/ValueSet", "http://a.org/fhir", "http://a.org"}
	if !sameStrings(got, want) {
		t.Errorf("uriAbove = %q", got)
	}
	got = uriAbove("http://a.org/fhir/")
	want = []string{"http://a.org/fhir/", "http://a.org/fhir", "http://a.org"}
	if !sameStrings(got, want) {
		t.Errorf("uriAbove(trailing slash) = %q", got)
	}
	if got := uriAbove("urn:oid:1.2.3"); !sameStrings(got, []string{"urn:oid:1.2.3"}) {
		t.Errorf("uriAbove(urn) = %q", got)
	}
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRefTarget(t *testing.T) {
	cases := []struct {
		v            Value
		typ, id      string
		bare         bool
		descriptions string
	}{
		{Value{Raw: "Patient/1", Parts: []string{"Patient", "1"}}, "Patient", "1", false, "parsed"},
		{Value{Raw: "1", Parts: []string{"", "1"}}, "", "1", true, "parsed bare"},
		{Value{Raw: "Patient/1/_history/2"}, "Patient", "1", false, "by hand, versioned"},
		{Value{Raw: "http://fhir.test/fhir/Patient/1"}, "Patient", "1", false, "own base"},
		{Value{Raw: "http://other.org/Patient/1/_history/3"}, "", "http://other.org/Patient/1", false, "absolute"},
		{Value{Raw: "urn:uuid:abc"}, "", "urn:uuid:abc", false, "urn"},
		{Value{Raw: "7"}, "", "7", true, "by hand, bare"},
	}
	for _, c := range cases {
		typ, id, bare := refTarget(c.v, "http://fhir.test/fhir/")
		if typ != c.typ || id != c.id || bare != c.bare {
			t.Errorf("%s: refTarget(%q) = %q, %q, %v", c.descriptions, c.v.Raw, typ, id, bare)
		}
	}
}
