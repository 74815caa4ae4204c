package validate

import (
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// javaRegex compiles a regex of the definitions, written for Java, whose
// \s and \S include the vertical tab that RE2's leave out.
func javaRegex(t *testing.T, re string) *regexp.Regexp {
	t.Helper()
	re = strings.ReplaceAll(re, `[ \r\n\t\S]`, `[^\x0B\f]`) // string, markdown
	re = strings.ReplaceAll(re, `[^\s]`, `\S`)              // code
	re = strings.ReplaceAll(re, `\s`, `[ \t\n\x0B\f\r]`)
	re = strings.ReplaceAll(re, `\S`, `[^ \t\n\x0B\f\r]`)
	return regexp.MustCompile(`^(?:` + re + `)$`)
}

// formatSamples are values near the edges of each format.
var formatSamples = []string{
	"", " ", "a", "a b", "a  b", " a", "a ", "a\tb", "a\vb", "a\fb", "\x01", "é",
	"0", "1", "-1", "01", "-0", "+1", "2147483647", "2147483648", "-2147483648", "-2147483649", "1.5", "1e3", "99999999999",
	"2020", "0000", "0001", "2020-01", "2020-13", "2020-00", "2020-01-31", "2020-02-29", "2021-02-29", "2020-04-31", "2020-1-01",
	"2020-01-01T10:00:00Z", "2020-01-01T10:00:00", "2020-01-01T24:00:00Z", "2020-01-01T10:00:60Z", "2020-01-01T10:00:00.123+01:00",
	"2020-01-01T10:00:00+14:00", "2020-01-01T10:00:00+14:01", "2020-01-01T10:00:00-13:59", "2020-01-01T10:00Z", "2020-01-01T10:00:00.Z",
	"10:00:00", "23:59:60", "24:00:00", "10:00", "10:00:00.5", "10:00:00Z",
	"urn:oid:1.2.3", "urn:oid:3.1", "urn:oid:1.02", "urn:oid:1", "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a",
	"urn:uuid:61EBE359-BFDC-4613-8BF2-C5E300945F0A", "http://x/y", "http://x y",
	"QUJD", "QUJ", "QU JD", "QUJD QUJD", " QUJD ", "QUJD\nQUJD", "QU=D", "QUJD!", "abc-DEF.1", strings.Repeat("a", 64), strings.Repeat("a", 65),
}

// TestFormatsAgreeWithRegexes: the scanners of the primitive types accept
// what the definitions' regexes accept, but for dates that do not exist
// (2021-02-29), which the regexes let through.
func TestFormatsAgreeWithRegexes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	samples := append([]string(nil), formatSamples...)
	for range 3000 { // mutations of the samples
		s := []byte(samples[r.IntN(len(formatSamples))])
		if len(s) > 0 {
			s[r.IntN(len(s))] = "0123456789-:.TZ+ aA/="[r.IntN(21)]
		}
		samples = append(samples, string(s))
	}
	checked := 0
	for name, typ := range model().types {
		p := typ.prim
		if typ.kind != kindPrimitive || typ.regex == "" || p.check == nil {
			continue
		}
		re := javaRegex(t, typ.regex)
		checked++
		for _, s := range samples {
			if s == "" {
				continue // never a value: the walk refuses empty strings first
			}
			want := re.MatchString(s)
			got := p.check(s) == ""
			if p.json == jsonNumber && !isJSONNumber(s) {
				continue // the decoder has refused it before
			}
			if name == "string" || name == "markdown" || name == "positiveInt" || name == "unsignedInt" || name == "integer" {
				// Bounds the datatypes page adds to the regexes.
				if strings.Trim(s, "0123456789-") == "" && len(strings.TrimLeft(s, "-")) >= 10 {
					continue
				}
			}
			if got != want && !(want && !got && impossibleDate(s)) {
				t.Errorf("%s %q: scanner %v, regex %v (%s)", name, s, got, want, p.check(s))
			}
		}
	}
	if checked < 18 {
		t.Errorf("only %d primitive types checked", checked)
	}
}

// impossibleDate reports whether s looks like a date whose day the month
// does not have.
func impossibleDate(s string) bool {
	if len(s) < 10 {
		return false
	}
	y, ok1 := digits(s, 0, 4)
	m, ok2 := digits(s, 5, 2)
	d, ok3 := digits(s, 8, 2)
	return ok1 && ok2 && ok3 && m >= 1 && m <= 12 && d > daysIn(y, m)
}

func isJSONNumber(s string) bool {
	var n json.Number
	return json.Unmarshal([]byte(s), &n) == nil && strings.TrimSpace(s) == s && s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9')
}
