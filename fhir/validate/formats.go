package validate

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// The primitive types of R4 are checked by hand-written scanners that
// implement the regexes of the definitions (which the model holds;
// TestFormatsAgreeWithRegexes compares the two), with the bounds the
// datatypes page adds: 32-bit integers, strings of at most 1 MB, and dates
// that exist (the regexes let 2021-02-30 through).

// jsonKind is the JSON type a primitive is written as (json.html).
type jsonKind uint8

const (
	jsonString jsonKind = iota
	jsonNumber
	jsonBool
)

// primitive is how a primitive type is checked.
type primitive struct {
	json jsonKind
	// check returns why s, the string or the text of the number, is not a
	// value of the type, or "".
	check func(s string) string
}

// primitives are the checks of the R4 primitive types, by name.
var primitives = map[string]*primitive{
	"boolean":      {json: jsonBool},
	"integer":      {json: jsonNumber, check: checkInteger(-1 << 31)},
	"unsignedInt":  {json: jsonNumber, check: checkInteger(0)},
	"positiveInt":  {json: jsonNumber, check: checkInteger(1)},
	"decimal":      {json: jsonNumber, check: checkDecimal},
	"string":       {check: checkString},
	"markdown":     {check: checkString},
	"xhtml":        {check: func(string) string { return "" }}, // the narrative's own check
	"code":         {check: checkCode},
	"id":           {check: checkID},
	"uri":          {check: checkURI},
	"url":          {check: checkURI},
	"canonical":    {check: checkURI},
	"oid":          {check: checkOID},
	"uuid":         {check: checkUUIDURN},
	"base64Binary": {check: checkBase64},
	"date":         {check: checkDate},
	"dateTime":     {check: checkDateTime},
	"instant":      {check: checkInstant},
	"time":         {check: checkTime},
}

// primitiveOf returns the check of a primitive type of the model; a type
// without one (none in R4) is a string that must match its regex.
func primitiveOf(t *typeDef) *primitive {
	if p := primitives[t.name]; p != nil {
		return p
	}
	return &primitive{check: checkString}
}

// javaSpace reports whether c is white space as the definitions' regexes
// (Java's \s) mean it.
func javaSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// maxString is the longest string R4 allows: 1 MB (1024*1024 characters).
const maxString = 1 << 20

func checkString(s string) string {
	if len(s) > maxString && utf8.RuneCountInString(s) > maxString {
		return "it is longer than 1 MB (1,048,576 characters)"
	}
	if strings.ContainsAny(s, "\f\v") {
		return "it holds a form feed or vertical tab, which are not allowed in strings"
	}
	return ""
}

func checkCode(s string) string {
	for i := 0; i < len(s); i++ {
		if javaSpace(s[i]) && (i == 0 || i == len(s)-1 || javaSpace(s[i+1])) {
			return "a code has no leading or trailing white space and no two white-space characters in a row"
		}
	}
	return ""
}

func checkID(s string) string {
	if !validID(s) {
		return "an id is 1 to 64 letters, digits, '-' and '.'"
	}
	return ""
}

func checkURI(s string) string {
	for i := 0; i < len(s); i++ {
		if javaSpace(s[i]) {
			return "a URI holds no white space"
		}
	}
	return ""
}

func checkOID(s string) string {
	rest, ok := strings.CutPrefix(s, "urn:oid:")
	if !ok || !isOID(rest) {
		return "an oid is urn:oid: and dotted numbers, the first 0, 1 or 2"
	}
	return ""
}

func checkUUIDURN(s string) string {
	rest, ok := strings.CutPrefix(s, "urn:uuid:")
	if !ok || !isUUID(rest) || strings.ToLower(rest) != rest {
		return "a uuid is urn:uuid: and a UUID in lower-case hex"
	}
	return ""
}

// checkBase64 follows (\s*([0-9a-zA-Z\+/=]){4}\s*)+: groups of four
// characters, white space only between groups.
func checkBase64(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=':
			n++
		case javaSpace(c) && n%4 == 0:
		default:
			return "base64 data is groups of four of A-Z, a-z, 0-9, '+', '/' and '='"
		}
	}
	if n == 0 || n%4 != 0 {
		return "base64 data is groups of four of A-Z, a-z, 0-9, '+', '/' and '='"
	}
	return ""
}

// checkInteger returns the check of a 32-bit integer of at least lo.
func checkInteger(lo int64) func(string) string {
	return func(s string) string {
		digits := strings.TrimPrefix(s, "-")
		if digits == "" || (lo >= 0 && digits != s) || len(digits) > 10 || (digits[0] == '0' && len(digits) > 1) {
			return integerWhy(lo)
		}
		var v int64
		for i := 0; i < len(digits); i++ {
			if digits[i] < '0' || digits[i] > '9' {
				return integerWhy(lo)
			}
			v = v*10 + int64(digits[i]-'0')
		}
		if len(digits) < len(s) {
			v = -v
		}
		if v < lo || v > 1<<31-1 {
			return integerWhy(lo)
		}
		return ""
	}
}

func integerWhy(lo int64) string {
	switch lo {
	case 0:
		return "an unsignedInt is a whole number from 0 to 2,147,483,647"
	case 1:
		return "a positiveInt is a whole number from 1 to 2,147,483,647"
	}
	return "an integer is a whole number from -2,147,483,648 to 2,147,483,647"
}

// checkDecimal accepts any JSON number, whose grammar is the regex's.
func checkDecimal(s string) string { return "" }

// The date and time types: the year is 0001 to 9999, the month and day
// exist, hours 00-23, minutes 00-59, seconds 00-60 with any fraction, and
// a time zone Z or from -13:59 to +14:00.

const (
	dateWhy     = "a date is YYYY, YYYY-MM or YYYY-MM-DD"
	dateTimeWhy = "a dateTime is YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss(.sss) with a time zone (Z or +hh:mm)"
	instantWhy  = "an instant is YYYY-MM-DDThh:mm:ss(.sss) with a time zone (Z or +hh:mm)"
	timeWhy     = "a time is hh:mm:ss(.sss)"
)

func checkDate(s string) string {
	if n := scanDate(s); n != len(s) {
		return dateWhy
	}
	return ""
}

func checkDateTime(s string) string {
	n := scanDate(s)
	if n == len(s) {
		return ""
	}
	if n != 10 || s[n] != 'T' || !timeAndZone(s[n+1:]) {
		return dateTimeWhy
	}
	return ""
}

func checkInstant(s string) string {
	if n := scanDate(s); n != 10 || len(s) <= n || s[n] != 'T' || !timeAndZone(s[n+1:]) {
		return instantWhy
	}
	return ""
}

func checkTime(s string) string {
	if scanTime(s) != len(s) {
		return timeWhy
	}
	return ""
}

// scanDate reads YYYY, YYYY-MM or YYYY-MM-DD at the start of s and returns
// its length, or -1.
func scanDate(s string) int {
	year, ok := digits(s, 0, 4)
	if !ok || year == 0 {
		return -1
	}
	if len(s) == 4 || s[4] != '-' {
		return 4
	}
	month, ok := digits(s, 5, 2)
	if !ok || month < 1 || month > 12 {
		return -1
	}
	if len(s) == 7 || s[7] != '-' {
		return 7
	}
	day, ok := digits(s, 8, 2)
	if !ok || day < 1 || day > daysIn(year, month) {
		return -1
	}
	return 10
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// scanTime reads hh:mm:ss(.f+) at the start of s and returns its length,
// or -1.
func scanTime(s string) int {
	h, ok1 := digits(s, 0, 2)
	m, ok2 := digits(s, 3, 2)
	sec, ok3 := digits(s, 6, 2)
	if !ok1 || !ok2 || !ok3 || s[2] != ':' || s[5] != ':' || h > 23 || m > 59 || sec > 60 {
		return -1
	}
	n := 8
	if n < len(s) && s[n] == '.' {
		n++
		start := n
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		if n == start {
			return -1
		}
	}
	return n
}

// timeAndZone reports whether s is a time and a time zone.
func timeAndZone(s string) bool {
	n := scanTime(s)
	if n < 0 {
		return false
	}
	z := s[n:]
	if z == "Z" {
		return true
	}
	if len(z) != 6 || (z[0] != '+' && z[0] != '-') || z[3] != ':' {
		return false
	}
	h, ok1 := digits(z, 1, 2)
	m, ok2 := digits(z, 4, 2)
	return ok1 && ok2 && m <= 59 && (h <= 13 || (h == 14 && m == 0))
}

// digits reads n decimal digits of s at i.
func digits(s string, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// numberText returns the text of a JSON number and whether v is one.
func numberText(v any) (string, bool) {
	n, ok := v.(json.Number)
	return string(n), ok
}
