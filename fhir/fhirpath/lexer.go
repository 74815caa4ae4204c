package fhirpath

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// tokenKind classifies a lexical token.
type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokString
	tokNumber
	tokSymbol
	// tokVar is $this, $index or $total; its text is the name without "$".
	tokVar
	// tokEnv is an environment variable; its text is the name without "%"
	// and without delimiters.
	tokEnv
	// tokDate is a date, dateTime or time literal; its text is without "@".
	tokDate
)

// token is one lexical token with its position in the source.
type token struct {
	kind tokenKind
	text string
	pos  int
}

// symbols lists the operator symbols the lexer recognizes, the longer ones
// first so that "!=" wins over "!".
var symbols = []string{"!=", "<=", ">=", "!~", ".", "(", ")", ",", "|", "=", "<", ">", "[", "]", "{", "}", "~", "+", "-", "*", "/", "&"}

// lex splits src into tokens, skipping white space and comments.
func lex(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		if c := src[i]; c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			i++
			continue
		}
		if n := commentLen(src[i:]); n > 0 {
			i += n
			continue
		}
		t, n, err := lexToken(src, i)
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		i += n
	}
	return append(toks, token{tokEOF, "", len(src)}), nil
}

// commentLen returns the length of the comment at the start of s ("//" to
// the end of the line, or "/* ... */"), or 0 when s starts no comment. An
// unterminated block comment runs to the end.
func commentLen(s string) int {
	switch {
	case strings.HasPrefix(s, "//"):
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			return i + 1
		}
		return len(s)
	case strings.HasPrefix(s, "/*"):
		if i := strings.Index(s[2:], "*/"); i >= 0 {
			return i + 4
		}
		return len(s)
	}
	return 0
}

// lexToken reads the token that starts at offset i and returns it with its
// length in bytes.
func lexToken(src string, i int) (token, int, error) {
	c := src[i]
	switch {
	case isIdentStart(c):
		j := identEnd(src, i)
		return token{tokIdent, src[i:j], i}, j - i, nil
	case c == '`' || c == '\'':
		s, n, err := lexQuoted(src[i:], c)
		if err != nil {
			return token{}, 0, fmt.Errorf("fhirpath: %v at offset %d", err, i)
		}
		kind := tokString
		if c == '`' {
			kind = tokIdent
		}
		return token{kind, s, i}, n, nil
	case c >= '0' && c <= '9':
		j := lexNumber(src, i)
		return token{tokNumber, src[i:j], i}, j - i, nil
	case c == '$':
		j := identEnd(src, i+1)
		switch name := src[i+1 : j]; name {
		case "this", "index", "total":
			return token{tokVar, name, i}, j - i, nil
		}
		return token{}, 0, fmt.Errorf("fhirpath: unknown variable %q at offset %d", src[i:j], i)
	case c == '%':
		return lexEnv(src, i)
	case c == '@':
		j := dateEnd(src, i+1)
		if j == i+1 {
			return token{}, 0, fmt.Errorf("fhirpath: malformed date/time literal at offset %d", i)
		}
		return token{tokDate, src[i+1 : j], i}, j - i, nil
	}
	sym := matchSymbol(src[i:])
	if sym == "" {
		r, _ := utf8.DecodeRuneInString(src[i:])
		return token{}, 0, fmt.Errorf("fhirpath: unexpected character %q at offset %d", r, i)
	}
	return token{tokSymbol, sym, i}, len(sym), nil
}

// lexEnv reads an environment variable: %name, %`name` or %'name'.
func lexEnv(src string, i int) (token, int, error) {
	if i+1 < len(src) && (src[i+1] == '`' || src[i+1] == '\'') {
		s, n, err := lexQuoted(src[i+1:], src[i+1])
		if err != nil {
			return token{}, 0, fmt.Errorf("fhirpath: %v at offset %d", err, i)
		}
		return token{tokEnv, s, i}, n + 1, nil
	}
	j := i + 1
	for j < len(src) && (isIdentPart(src[j]) || src[j] == '-') {
		j++
	}
	if j == i+1 {
		return token{}, 0, fmt.Errorf("fhirpath: missing variable name at offset %d", i)
	}
	return token{tokEnv, src[i+1 : j], i}, j - i, nil
}

// dateEnd returns the end of the date, dateTime or time literal whose text
// starts at i (after the "@"): digits and the separators of the formats.
// The parser validates the text.
func dateEnd(src string, i int) int {
	j := i
	for j < len(src) {
		c := src[j]
		if (c >= '0' && c <= '9') || c == '-' || c == ':' || c == 'T' || c == 'Z' || c == '+' {
			j++
			continue
		}
		if c == '.' && j+1 < len(src) && src[j+1] >= '0' && src[j+1] <= '9' {
			j++
			continue
		}
		break
	}
	return j
}

func identEnd(src string, i int) int {
	j := i
	for j < len(src) && isIdentPart(src[j]) {
		j++
	}
	return j
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentPart(c byte) bool {
	return isIdentStart(c) || (c >= '0' && c <= '9')
}

// lexNumber returns the end of the number literal that starts at i: digits,
// optionally followed by a dot and more digits.
func lexNumber(src string, i int) int {
	j := i
	for j < len(src) && src[j] >= '0' && src[j] <= '9' {
		j++
	}
	if j+1 < len(src) && src[j] == '.' && src[j+1] >= '0' && src[j+1] <= '9' {
		j++
		for j < len(src) && src[j] >= '0' && src[j] <= '9' {
			j++
		}
	}
	return j
}

func matchSymbol(s string) string {
	for _, sym := range symbols {
		if strings.HasPrefix(s, sym) {
			return sym
		}
	}
	return ""
}

// lexQuoted reads a literal delimited by quote at the start of s, resolving
// the FHIRPath escapes. It returns the unescaped text and the number of
// bytes consumed, delimiters included.
func lexQuoted(s string, quote byte) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c == quote {
			return b.String(), i + 1, nil
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			break
		}
		n, err := writeEscape(&b, s[i:])
		if err != nil {
			return "", 0, err
		}
		i += n
	}
	return "", 0, fmt.Errorf("unterminated literal")
}

// writeEscape writes the character that the escape at the start of s (after
// the backslash) stands for, and returns how many bytes beyond the first it
// used.
func writeEscape(b *strings.Builder, s string) (int, error) {
	switch s[0] {
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'f':
		b.WriteByte('\f')
	case '\'', '"', '`', '\\', '/':
		b.WriteByte(s[0])
	case 'u':
		var r rune
		if len(s) < 5 {
			return 0, fmt.Errorf("short \\u escape")
		}
		if _, err := fmt.Sscanf(s[1:5], "%04x", &r); err != nil {
			return 0, fmt.Errorf("malformed \\u escape")
		}
		b.WriteRune(r)
		return 4, nil
	default:
		return 0, fmt.Errorf("unsupported escape \\%c", s[0])
	}
	return 0, nil
}
