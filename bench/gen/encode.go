package gen

import (
	"strconv"
	"time"
)

// jw appends JSON to a byte slice. It puts the comma between members and
// elements by looking at the last byte written, so that callers never track
// whether a member is the first: after '{', '[', ':' or a line break nothing
// is needed, after anything else a comma is. Keys are trusted ASCII
// literals; string values are escaped.
type jw struct{ b []byte }

// sep writes the comma a new member or element needs, if any.
func (w *jw) sep() {
	if n := len(w.b); n > 0 {
		switch w.b[n-1] {
		case '{', '[', ':', '\n':
		default:
			w.b = append(w.b, ',')
		}
	}
}

// key starts the member k.
func (w *jw) key(k string) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}

// obj starts the object member k; end closes it.
func (w *jw) obj(k string) { w.key(k); w.b = append(w.b, '{') }

// arr starts the array member k; end closes it.
func (w *jw) arr(k string) { w.key(k); w.b = append(w.b, '[') }

// elem starts an object element of an array.
func (w *jw) elem() { w.sep(); w.b = append(w.b, '{') }

// end closes the innermost object or array with c.
func (w *jw) end(c byte) { w.b = append(w.b, c) }

// str writes the string member k.
func (w *jw) str(k, v string) { w.key(k); w.quote(v) }

// elemStr writes a string element of an array.
func (w *jw) elemStr(v string) { w.sep(); w.quote(v) }

// raw writes the member k with a literal JSON value such as true.
func (w *jw) raw(k, v string) { w.key(k); w.b = append(w.b, v...) }

// num writes the number member k with prec decimals.
func (w *jw) num(k string, v float64, prec int) {
	w.key(k)
	w.b = strconv.AppendFloat(w.b, v, 'f', prec, 64)
}

// int writes the integer member k.
func (w *jw) int(k string, v int) { w.key(k); w.b = strconv.AppendInt(w.b, int64(v), 10) }

// quote writes s as a JSON string. Only the quote, the backslash and control
// characters are escaped; UTF-8 passes through as is.
func (w *jw) quote(s string) {
	w.b = append(w.b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		w.b = append(w.b, s[start:i]...)
		switch c {
		case '"', '\\':
			w.b = append(w.b, '\\', c)
		default:
			w.b = append(w.b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	w.b = append(w.b, s[start:]...)
	w.b = append(w.b, '"')
}

// coding writes one Coding element of a coding array.
func (w *jw) coding(system, code, display string) {
	w.elem()
	w.str("system", system)
	w.str("code", code)
	if display != "" {
		w.str("display", display)
	}
	w.end('}')
}

// concept writes the CodeableConcept member k with one coding and, when not
// empty, a text.
func (w *jw) concept(k, system, code, display, text string) {
	w.obj(k)
	w.arr("coding")
	w.coding(system, code, display)
	w.end(']')
	if text != "" {
		w.str("text", text)
	}
	w.end('}')
}

// concepts writes the member k as an array of one CodeableConcept.
func (w *jw) concepts(k, system, code, display string) {
	w.arr(k)
	w.elem()
	w.arr("coding")
	w.coding(system, code, display)
	w.end(']')
	w.end('}')
	w.end(']')
}

// quantity writes the Quantity member k in UCUM.
func (w *jw) quantity(k string, v float64, prec int, unit, code string) {
	w.obj(k)
	w.num("value", v, prec)
	w.str("unit", unit)
	w.str("system", ucum)
	w.str("code", code)
	w.end('}')
}

// dateTime writes the member k as a dateTime (or instant) in UTC.
func (w *jw) dateTime(k string, sec int64) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = appendTime(w.b, sec)
	w.b = append(w.b, '"')
}

// date writes the member k as a date.
func (w *jw) date(k string, sec int64) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = appendDate(w.b, sec)
	w.b = append(w.b, '"')
}

// period writes the Period member k; an end of 0 leaves the period open.
func (w *jw) period(k string, start, end int64) {
	w.obj(k)
	w.dateTime("start", start)
	if end != 0 {
		w.dateTime("end", end)
	}
	w.end('}')
}

const hexDigits = "0123456789abcdef"

// appendDate appends sec as YYYY-MM-DD in UTC.
func appendDate(b []byte, sec int64) []byte {
	y, m, d := time.Unix(sec, 0).UTC().Date()
	b = appendDigits(b, y, 4)
	b = append(b, '-')
	b = appendDigits(b, int(m), 2)
	b = append(b, '-')
	return appendDigits(b, d, 2)
}

// appendTime appends sec as YYYY-MM-DDThh:mm:ssZ. It formats by hand
// because time.AppendFormat costs several times more and this runs a few
// hundred million times for a million patients.
func appendTime(b []byte, sec int64) []byte {
	b = appendDate(b, sec)
	s := int(((sec % 86400) + 86400) % 86400)
	b = append(b, 'T')
	b = appendDigits(b, s/3600, 2)
	b = append(b, ':')
	b = appendDigits(b, s/60%60, 2)
	b = append(b, ':')
	b = appendDigits(b, s%60, 2)
	return append(b, 'Z')
}

// appendDigits appends v in exactly n decimal digits.
func appendDigits(b []byte, v, n int) []byte {
	var buf [20]byte
	for i := n - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, buf[:n]...)
}
