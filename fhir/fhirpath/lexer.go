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
	tokThis
)

// token is one lexical token with its position in the source.
type token struct {
	kind tokenKind
	text string
	pos  int
}

// symbols lists the operator symbols the lexer recognizes, the longer ones
// first so that "!=" wins over "!".
var symbols = []string{"!=", "<=", ">=", "!~", ".", "(", ")", ",", "|", "=", "<", ">", "[", "]", "~", "+", "-", "*", "/", "&"}

// lex splits src into tokens. It accepts every symbol of FHIRPath so that
// the parser can reject the unsupported ones with a precise message.
func lex(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		if c := src[i]; c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			i++
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

// lexToken reads the token that starts at offset i and returns it with its
// length in bytes.
func lexToken(src string, i int) (token, int, error) {
	c := src[i]
	switch {
	case c == '/' && i+1 < len(src) && (src[i+1] == '/' || src[i+1] == '*'):
		return token{}, 0, fmt.Errorf("fhirpath: comments are not supported (offset %d)", i)
	case isIdentStart(c):
		j := i + 1
		for j < len(src) && isIdentPart(src[j]) {
			j++
		}
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
		if !strings.HasPrefix(src[i:], "$this") || (i+5 < len(src) && isIdentPart(src[i+5])) {
			return token{}, 0, fmt.Errorf("fhirpath: unsupported variable at offset %d", i)
		}
		return token{tokThis, "$this", i}, 5, nil
	}
	sym := matchSymbol(src[i:])
	if sym == "" {
		r, _ := utf8.DecodeRuneInString(src[i:])
		return token{}, 0, fmt.Errorf("fhirpath: unexpected character %q at offset %d", r, i)
	}
	return token{tokSymbol, sym, i}, len(sym), nil
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
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'f':
			b.WriteByte('\f')
		case '\'', '"', '`', '\\', '/':
			b.WriteByte(s[i])
		default:
			return "", 0, fmt.Errorf("unsupported escape \\%c", s[i])
		}
	}
	return "", 0, fmt.Errorf("unterminated literal")
}
