package search

import "strings"

// This file holds the escaping rules of search values. A value may hold
// the separators ',' (OR), '|' (token, quantity and reference parts) and
// '$' (composite components); a backslash before one of them, or before
// another backslash, makes it literal. A backslash before any other
// character, or at the end of the value, is kept as it is: "a\b" is the
// three characters a, \ and b. Splitting keeps escapes in the pieces so
// that the pieces can be split again on the next separator; unescaping is
// the last step, done once per leaf.

// isEscapable reports whether c may follow a backslash in an escape.
func isEscapable(c byte) bool {
	return c == ',' || c == '|' || c == '$' || c == '\\'
}

// splitUnescaped splits s on every sep not preceded by an escaping
// backslash, keeping escapes in the pieces; empty pieces are kept, so "a,"
// gives ["a", ""]. When max > 0 and s has more than max pieces, it stops
// early and returns max+1 pieces, the last holding the rest of s, so that
// the caller can report the excess without splitting a hostile value
// completely.
func splitUnescaped(s string, sep byte, max int) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && isEscapable(s[i+1]):
			i++
		case s[i] == sep:
			out = append(out, s[start:i])
			start = i + 1
			if max > 0 && len(out) == max {
				return append(out, s[start:])
			}
		}
	}
	return append(out, s[start:])
}

// unescapeValue resolves the escapes of s: "\," "\|" "\$" and "\\" become
// the character they escape; any other backslash stays.
func unescapeValue(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isEscapable(s[i+1]) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// escapeValue is the inverse of unescapeValue for printing: it escapes
// every separator and every backslash of s, so that parsing the result
// gives s back as one piece.
func escapeValue(s string) string {
	if !strings.ContainsAny(s, `\,|$`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i := 0; i < len(s); i++ {
		if isEscapable(s[i]) {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
