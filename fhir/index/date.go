package index

import (
	"fmt"
	"time"
)

// MinTime and MaxTime bound every date range: an open Period start is
// MinTime, an open end MaxTime, and ranges are clamped into [MinTime,
// MaxTime].
var (
	MinTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// DateRange returns the closed range [lo, hi] that a FHIR date, dateTime or
// instant covers given its precision, in UTC with microsecond precision:
// "2020" is [2020-01-01T00:00:00Z, 2020-12-31T23:59:59.999999Z], and
// likewise for a month, a day, a minute ("2020-01-01T10:00"), a second and
// fractional seconds ("…:05.5" covers …:05.500000 to …:05.599999; digits
// beyond the sixth are truncated and the range is then one microsecond). A
// value without a time zone is taken as UTC, the server's zone; offsets
// are honoured. Malformed or out-of-range text is an error.
func DateRange(s string) (lo, hi time.Time, err error) {
	d, err := parseDate(s)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	lo = time.Date(d.year, time.Month(d.month), d.day, d.hour, d.min, d.sec, d.nsec, time.UTC)
	var end time.Time
	switch d.prec {
	case precYear:
		end = time.Date(d.year+1, 1, 1, 0, 0, 0, 0, time.UTC)
	case precMonth:
		end = time.Date(d.year, time.Month(d.month)+1, 1, 0, 0, 0, 0, time.UTC)
	case precDay:
		end = time.Date(d.year, time.Month(d.month), d.day+1, 0, 0, 0, 0, time.UTC)
	case precMinute:
		end = lo.Add(time.Minute)
	case precSecond:
		end = lo.Add(time.Second)
	default:
		end = lo.Add(d.step)
	}
	lo = lo.Add(-d.offset)
	hi = end.Add(-d.offset - time.Microsecond)
	return clamp(lo), clamp(hi), nil
}

func clamp(t time.Time) time.Time {
	switch {
	case t.Before(MinTime):
		return MinTime
	case t.After(MaxTime):
		return MaxTime
	}
	return t
}

// precision is how much of a date is given.
type precision int

const (
	precYear precision = iota
	precMonth
	precDay
	precMinute
	precSecond
	precFraction
)

// dateParts is a parsed date; step is the span of the fractional digits.
type dateParts struct {
	year, month, day, hour, min, sec, nsec int
	offset, step                           time.Duration
	prec                                   precision
}

// parseDate reads YYYY[-MM[-DD[Thh:mm[:ss[.f+]][Z|(+|-)hh:mm]]]].
func parseDate(s string) (dateParts, error) {
	d := dateParts{month: 1, day: 1}
	p := &dateScanner{s: s}
	d.year = p.digits(4, 1, 9999)
	if p.more() {
		p.lit('-')
		d.month, d.prec = p.digits(2, 1, 12), precMonth
	}
	if p.more() {
		p.lit('-')
		d.day, d.prec = p.digits(2, 1, daysIn(d.year, d.month)), precDay
	}
	if p.more() {
		p.lit('T')
		d.hour = p.digits(2, 0, 23)
		p.lit(':')
		d.min, d.prec = p.digits(2, 0, 59), precMinute
		if p.more() && p.peek() == ':' {
			p.lit(':')
			d.sec, d.prec = p.digits(2, 0, 60), precSecond
			if p.more() && p.peek() == '.' {
				p.lit('.')
				d.nsec, d.step = p.fraction()
				d.prec = precFraction
			}
		}
		if p.more() {
			d.offset = p.zone()
		}
	}
	if p.err == nil && p.more() {
		p.fail()
	}
	if p.err != nil {
		return dateParts{}, fmt.Errorf("index: invalid date %q", s)
	}
	return d, nil
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// dateScanner reads a date left to right; after the first error every
// method is a no-op.
type dateScanner struct {
	s   string
	i   int
	err error
}

func (p *dateScanner) fail() {
	if p.err == nil {
		p.err = fmt.Errorf("bad date")
	}
}

// more reports whether input remains and no error occurred.
func (p *dateScanner) more() bool { return p.err == nil && p.i < len(p.s) }

func (p *dateScanner) peek() byte { return p.s[p.i] }

func (p *dateScanner) lit(c byte) {
	if !p.more() || p.s[p.i] != c {
		p.fail()
		return
	}
	p.i++
}

// digits reads exactly n digits and checks that their value lies in
// [lo, hi].
func (p *dateScanner) digits(n, lo, hi int) int {
	if p.err != nil || p.i+n > len(p.s) {
		p.fail()
		return lo
	}
	v := 0
	for _, c := range []byte(p.s[p.i : p.i+n]) {
		if c < '0' || c > '9' {
			p.fail()
			return lo
		}
		v = v*10 + int(c-'0')
	}
	p.i += n
	if v < lo || v > hi {
		p.fail()
		return lo
	}
	return v
}

// fraction reads the digits of fractional seconds and returns them in
// nanoseconds, truncated to microseconds, with the span they cover.
func (p *dateScanner) fraction() (int, time.Duration) {
	start := p.i
	nsec, scale := 0, int(time.Second)
	for p.more() && p.peek() >= '0' && p.peek() <= '9' {
		if scale > int(time.Microsecond) {
			scale /= 10
			nsec += int(p.peek()-'0') * scale
		}
		p.i++
	}
	if p.i == start {
		p.fail()
	}
	return nsec, time.Duration(scale)
}

// zone reads "Z" or "+hh:mm"/"-hh:mm" and returns the offset east of UTC.
func (p *dateScanner) zone() time.Duration {
	c := p.peek()
	if c == 'Z' {
		p.i++
		return 0
	}
	if c != '+' && c != '-' {
		p.fail()
		return 0
	}
	p.i++
	h := p.digits(2, 0, 14)
	p.lit(':')
	m := p.digits(2, 0, 59)
	off := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if c == '-' {
		off = -off
	}
	return off
}
