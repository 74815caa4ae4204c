package fhirpath

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// temporal is a parsed date, dateTime or time, with its precision.
type temporal struct {
	// parts are year, month, day, hour, minute, second and nanosecond; a
	// time leaves the first three at zero.
	parts [7]int
	// prec is the number of parts given: 1 (year) to 6 (seconds, with or
	// without a fraction, which FHIRPath treats as one precision); for a
	// time, 4 (hour) to 6.
	prec int
	// zoned reports an explicit time zone, offset its offset in minutes.
	zoned  bool
	offset int
}

var (
	dateTimeRE = regexp.MustCompile(`^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T(?:(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?)?(Z|[+-]\d{2}:\d{2})?)?$`)
	timeRE     = regexp.MustCompile(`^(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?$`)
)

// parseTemporal parses a FHIR date, dateTime or instant (isTime false) or a
// time (isTime true).
func parseTemporal(s string, isTime bool) (temporal, bool) {
	var t temporal
	if isTime {
		m := timeRE.FindStringSubmatch(s)
		if m == nil {
			return t, false
		}
		t.prec = 3
		fill(&t, m[1:4], 3, m[4])
		return t, t.valid()
	}
	m := dateTimeRE.FindStringSubmatch(s)
	if m == nil {
		return t, false
	}
	fill(&t, []string{m[1], m[2], m[3], m[4], m[5], m[6]}, 0, m[7])
	if m[8] != "" {
		t.zoned = true
		if m[8] != "Z" {
			h, _ := strconv.Atoi(m[8][1:3])
			mi, _ := strconv.Atoi(m[8][4:6])
			t.offset = h*60 + mi
			if m[8][0] == '-' {
				t.offset = -t.offset
			}
		}
	}
	return t, t.valid()
}

// valid checks the ranges of the parts: a month from 1 to 12, a day that
// the month has, a time of day below 24:00:00.
func (t temporal) valid() bool {
	p := t.parts
	switch {
	case t.prec >= 2 && p[0] != 0 && (p[1] < 1 || p[1] > 12):
		return false
	case t.prec >= 3 && p[0] != 0 && (p[2] < 1 || p[2] > daysIn(p[0], p[1])):
		return false
	}
	return p[3] < 24 && p[4] < 60 && p[5] < 60
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// fill sets the parts of t from the digits groups, starting at part from,
// and the fraction of the second.
func fill(t *temporal, groups []string, from int, frac string) {
	for i, g := range groups {
		if g == "" {
			break
		}
		t.parts[from+i], _ = strconv.Atoi(g)
		t.prec = from + i + 1
	}
	if frac != "" {
		for len(frac) < 9 {
			frac += "0"
		}
		t.parts[6], _ = strconv.Atoi(frac[:9])
	}
}

// utc returns t moved to UTC when it has a time of day; a value without a
// zone is taken as UTC.
func (t temporal) utc() temporal {
	if t.prec < 4 || !t.zoned || t.offset == 0 || t.parts[0] == 0 {
		return t
	}
	p := t.parts
	tm := time.Date(p[0], time.Month(p[1]), p[2], p[3], p[4], p[5], p[6], time.UTC)
	tm = tm.Add(-time.Duration(t.offset) * time.Minute)
	t.parts = [7]int{tm.Year(), int(tm.Month()), tm.Day(), tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond()}
	t.offset = 0
	return t
}

// compare orders two temporals at their common precision; the result is
// unknown when they are equal there and their precisions differ.
func (t temporal) compare(u temporal) (int, bool) {
	if t.prec >= 4 && u.prec >= 4 {
		t, u = t.utc(), u.utc()
	}
	p := min(t.prec, u.prec)
	last := p
	if p == 6 {
		last = 7
	}
	for i := 0; i < last; i++ {
		if t.parts[i] != u.parts[i] {
			if t.parts[i] < u.parts[i] {
				return -1, true
			}
			return 1, true
		}
	}
	if t.prec != u.prec {
		return 0, false
	}
	return 0, true
}

// parseDateLiteral parses the text of a "@" literal into a date, dateTime
// or time literal node.
func parseDateLiteral(p *parser, text string) (node, error) {
	typ, val := "date", text
	switch {
	case len(text) > 0 && text[0] == 'T':
		typ, val = "time", text[1:]
	case len(text) > 0 && text[len(text)-1] == 'T':
		// A partial dateTime such as @2015T.
		typ, val = "dateTime", text[:len(text)-1]
	case containsByte(text, 'T'):
		typ = "dateTime"
	}
	if _, ok := parseTemporal(val, typ == "time"); !ok {
		p.pos--
		return nil, p.errorf("malformed date/time literal @%s", text)
	}
	return &literalNode{val: Node{Value: val, Type: typ}}, nil
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// durationUnits maps the units a date may be moved by (calendar keywords
// and their UCUM codes) to a calendar keyword.
var durationUnits = map[string]string{
	"year": "year", "a": "year", "month": "month", "mo": "month", "week": "week", "wk": "week",
	"day": "day", "d": "day", "hour": "hour", "h": "hour", "minute": "minute", "min": "minute",
	"second": "second", "s": "second", "millisecond": "millisecond", "ms": "millisecond",
}

// addDuration is date + quantity (or minus, when neg is set) for a time
// valued quantity; the result keeps the precision and zone of the date.
// The amount is truncated to a whole number of its unit.
func addDuration(a Node, ka kind, qn Node, neg bool) (Node, bool) {
	q, ok := quantityOf(qn)
	unit := durationUnits[q.unit]
	if !ok || unit == "" {
		return Node{}, false
	}
	s := a.Value.(string)
	t, ok := parseTemporal(s, ka == kTime)
	if !ok {
		return Node{}, false
	}
	f, _ := q.value.Float64()
	n := int(f)
	if neg {
		n = -n
	}
	p := t.parts
	year := p[0]
	if ka == kTime {
		year = 2000
	}
	tm := time.Date(year, time.Month(max(p[1], 1)), max(p[2], 1), p[3], p[4], p[5], p[6], time.UTC)
	switch unit {
	case "year":
		tm = addMonths(tm, 12*n)
	case "month":
		tm = addMonths(tm, n)
	case "week":
		tm = tm.AddDate(0, 0, 7*n)
	case "day":
		tm = tm.AddDate(0, 0, n)
	default:
		d := map[string]time.Duration{"hour": time.Hour, "minute": time.Minute, "second": time.Second, "millisecond": time.Millisecond}[unit]
		tm = tm.Add(time.Duration(n) * d)
	}
	return Node{Value: formatTemporal(tm, t, s, ka), Type: a.Type}, true
}

// addMonths moves tm by n months, keeping the day within the target month
// (January 31 plus one month is the last day of February) as FHIRPath
// specifies, where time.AddDate would overflow into March.
func addMonths(tm time.Time, n int) time.Time {
	first := time.Date(tm.Year(), tm.Month(), 1, tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond(), time.UTC)
	first = first.AddDate(0, n, 0)
	day := min(tm.Day(), daysIn(first.Year(), int(first.Month())))
	return first.AddDate(0, 0, day-1)
}

// formatTemporal prints tm at the precision of t, with the zone suffix of
// the original text src.
func formatTemporal(tm time.Time, t temporal, src string, ka kind) string {
	layouts := []string{"2006", "2006-01", "2006-01-02", "2006-01-02T15", "2006-01-02T15:04", "2006-01-02T15:04:05"}
	if ka == kTime {
		layouts = []string{"", "", "", "15", "15:04", "15:04:05"}
	}
	out := tm.Format(layouts[t.prec-1])
	if t.prec == 6 && t.parts[6] != 0 {
		out += tm.Format(".000")
	}
	if t.prec >= 4 && t.zoned && ka != kTime {
		if i := strings.LastIndexAny(src, "Z+-"); i > 10 {
			out += src[i:]
		}
	}
	return out
}
