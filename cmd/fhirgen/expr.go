package main

import (
	"fmt"
	"strings"
)

// commonBases are the abstract base types whose search parameters apply to
// every resource type.
var commonBases = map[string]bool{"Resource": true, "DomainResource": true}

// restrictExpression returns the parts of a FHIRPath union expression that
// apply to resource type typ, joined with " | ". A part applies when its
// first path segment, after any opening parentheses, is typ, or is one of
// the common base types, which is then rewritten to typ. The result is
// empty when no part applies.
func restrictExpression(expr, typ string) (string, error) {
	parts, err := splitUnion(expr)
	if err != nil {
		return "", err
	}
	var kept []string
	for _, p := range parts {
		open, head, rest := splitLeadingSegment(p)
		switch {
		case head == typ:
			kept = append(kept, p)
		case commonBases[head]:
			kept = append(kept, open+typ+rest)
		}
	}
	return strings.Join(kept, " | "), nil
}

// splitLeadingSegment splits a union part into its leading opening
// parentheses (with any spaces between them), the identifier that follows,
// and the rest. The identifier is empty when the part does not start with
// one, e.g. a literal.
func splitLeadingSegment(part string) (open, head, rest string) {
	i := 0
	for i < len(part) && (part[i] == '(' || part[i] == ' ') {
		i++
	}
	j := i
	for j < len(part) && isIdentByte(part[j]) {
		j++
	}
	return part[:i], part[i:j], part[j:]
}

// isIdentByte reports whether b may appear in a FHIRPath simple identifier.
func isIdentByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// splitUnion splits expr on the '|' operators that are not inside
// parentheses, brackets, braces, string literals or delimited identifiers,
// and trims the parts. It fails on unbalanced brackets or an unterminated
// literal.
func splitUnion(expr string) ([]string, error) {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(expr); i++ {
		switch c := expr[i]; c {
		case '\'', '`':
			end, err := skipQuoted(expr, i)
			if err != nil {
				return nil, err
			}
			i = end
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced %q at %d in %q", c, i, expr)
			}
		case '|':
			if depth == 0 {
				parts = append(parts, strings.TrimSpace(expr[start:i]))
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unclosed bracket in %q", expr)
	}
	return append(parts, strings.TrimSpace(expr[start:])), nil
}

// skipQuoted returns the index of the quote that closes the literal opened
// at expr[open], honouring backslash escapes.
func skipQuoted(expr string, open int) (int, error) {
	q := expr[open]
	for i := open + 1; i < len(expr); i++ {
		switch expr[i] {
		case '\\':
			i++
		case q:
			return i, nil
		}
	}
	return 0, fmt.Errorf("unterminated %c literal at %d in %q", q, open, expr)
}
