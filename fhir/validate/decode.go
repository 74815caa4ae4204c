package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fhirbase-go/fhird/fhir"
)

// maxDepth bounds the nesting of objects and arrays. Deeply nested
// Questionnaires stay far below it; a body above it is an attack or a bug,
// and rejecting it early keeps every later recursion shallow.
const maxDepth = 100

var errTooDeep = errors.New("too deep")

// segKind tells what a path segment selects.
type segKind uint8

const (
	segKey    segKind = iota // a member of an object: .name
	segIndex                 // an element of an array: [2]
	segOfType                // a type filter on a nested resource: .ofType(Patient)
)

// seg is one step of a path through the JSON tree.
type seg struct {
	kind  segKind
	key   string // member name, or resource type for segOfType
	index int
}

// path is a location in the JSON tree, relative to the resource root.
type path []seg

// expr formats p as a FHIRPath expression starting with root.
func (p path) expr(root string) string {
	var b strings.Builder
	b.WriteString(root)
	p.write(&b, true)
	return b.String()
}

// canonical formats p without its type filters. It is the key under which
// positions and duplicate keys are recorded, so that expressions from
// google/fhir and from this package compare equal.
func (p path) canonical() string {
	var b strings.Builder
	p.write(&b, false)
	return b.String()
}

func (p path) write(b *strings.Builder, ofType bool) {
	for _, s := range p {
		switch s.kind {
		case segKey:
			b.WriteByte('.')
			writeName(b, s.key)
		case segIndex:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
		case segOfType:
			if ofType {
				b.WriteString(".ofType(")
				b.WriteString(s.key)
				b.WriteByte(')')
			}
		}
	}
}

// writeName writes an element name, quoting it with backticks as FHIRPath
// requires when it is not a plain identifier (an unknown key may be anything).
func writeName(b *strings.Builder, name string) {
	if isIdentifier(name) {
		b.WriteString(name)
		return
	}
	b.WriteByte('`')
	for _, r := range name {
		if r == '`' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('`')
}

// isIdentifier reports whether s is a FHIRPath identifier.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// parseExpr splits an expression written by path.expr (or by google/fhir,
// which uses the same shapes) into its root and path.
func parseExpr(expr string) (string, path, bool) {
	end := strings.IndexAny(expr, ".[")
	if end < 0 {
		return expr, nil, expr != ""
	}
	root, rest := expr[:end], expr[end:]
	var p path
	for rest != "" {
		var s seg
		var ok bool
		if s, rest, ok = parseSeg(rest); !ok {
			return "", nil, false
		}
		p = append(p, s)
	}
	return root, p, true
}

// parseSeg reads the segment at the start of s and returns the remainder.
func parseSeg(s string) (seg, string, bool) {
	switch {
	case s[0] == '[':
		end := strings.IndexByte(s, ']')
		n, err := strconv.Atoi(s[1:max(end, 1)])
		if end < 0 || err != nil {
			return seg{}, "", false
		}
		return seg{kind: segIndex, index: n}, s[end+1:], true
	case strings.HasPrefix(s, ".`"):
		var b strings.Builder
		for i := 2; i < len(s); i++ {
			switch {
			case s[i] == '\\' && i+1 < len(s):
				i++
				b.WriteByte(s[i])
			case s[i] == '`':
				return seg{kind: segKey, key: b.String()}, s[i+1:], true
			default:
				b.WriteByte(s[i])
			}
		}
		return seg{}, "", false
	case strings.HasPrefix(s, ".ofType("):
		end := strings.IndexByte(s, ')')
		if end < 0 {
			return seg{}, "", false
		}
		return seg{kind: segOfType, key: s[len(".ofType("):end]}, s[end+1:], true
	case s[0] == '.':
		end := strings.IndexAny(s[1:], ".[")
		if end < 0 {
			end = len(s) - 1
		}
		return seg{kind: segKey, key: s[1 : end+1]}, s[end+1:], end > 0
	}
	return seg{}, "", false
}

// withoutOfType returns p without its type filters.
func (p path) withoutOfType() path {
	out := make(path, 0, len(p))
	for _, s := range p {
		if s.kind != segOfType {
			out = append(out, s)
		}
	}
	return out
}

// dupKey is a key that occurs more than once in one object.
type dupKey struct {
	key    string
	offset int64
}

// decoder builds the generic tree from JSON tokens. Walking tokens instead of
// calling json.Unmarshal is what lets it see duplicate keys, which
// encoding/json and google/fhir both silently resolve to the last value.
type decoder struct {
	dec   *json.Decoder
	path  path
	depth int
	// dups maps the canonical path of an object to its repeated keys. It
	// stays nil until a duplicate turns up.
	dups map[string][]dupKey
}

// decode parses body into a generic tree. A non-nil issue means the body is
// not a JSON object at all and nothing else can be checked.
func decode(body []byte) (map[string]any, map[string][]dupKey, *issue) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil, bodyIssue("The request body is empty; a FHIR resource in JSON is required.")
	}
	// encoding/json would put U+FFFD in place of both: the body would be
	// stored other than it was sent.
	if !utf8.Valid(body) {
		return nil, nil, bodyIssue("The request body is not valid UTF-8.")
	}
	if loneSurrogate(body) {
		return nil, nil, bodyIssue("The request body escapes a lone UTF-16 surrogate (\\uD800-\\uDFFF without its pair), which is no character.")
	}
	d := &decoder{dec: json.NewDecoder(bytes.NewReader(body))}
	tree, err := d.document()
	if err != nil {
		return nil, nil, syntaxIssue(err)
	}
	return tree, d.dups, nil
}

// loneSurrogate reports whether a JSON string of body escapes a UTF-16
// surrogate that is not half of a high-low pair.
func loneSurrogate(body []byte) bool {
	for i := 0; i+5 < len(body); i++ {
		if body[i] != '\\' {
			continue
		}
		if body[i+1] != 'u' {
			i++ // an escape of one character: \\ or \" and the like
			continue
		}
		r, ok := hex4(body[i+2 : i+6])
		switch {
		case !ok || r < 0xD800 || r > 0xDFFF:
		case r >= 0xDC00:
			return true // a low half first
		default:
			lo, ok := rune(0), false
			if i+11 < len(body) && body[i+6] == '\\' && body[i+7] == 'u' {
				lo, ok = hex4(body[i+8 : i+12])
			}
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return true
			}
			i += 6
		}
		i += 5
	}
	return false
}

func hex4(b []byte) (rune, bool) {
	var r rune
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// document reads the top-level object and makes sure nothing follows it.
func (d *decoder) document() (map[string]any, error) {
	d.dec.UseNumber()
	tok, err := d.dec.Token()
	if err != nil {
		return nil, err
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return nil, notObjectError{tok}
	}
	tree, err := d.object()
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, errTrailing
	}
	return tree, nil
}

var errTrailing = errors.New("trailing data")

// notObjectError reports a body whose top-level value is not an object.
type notObjectError struct{ first json.Token }

func (e notObjectError) Error() string {
	kind := "a JSON value"
	switch t := e.first.(type) {
	case json.Delim:
		if t == '[' {
			kind = "a JSON array"
		}
	case string:
		kind = "a JSON string"
	case json.Number:
		kind = "a JSON number"
	case bool:
		kind = "a JSON boolean"
	case nil:
		kind = "JSON null"
	}
	return kind
}

func (d *decoder) value() (any, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return nil, err
	}
	if delim, ok := tok.(json.Delim); ok {
		if delim == '{' {
			return d.object()
		}
		return d.array()
	}
	return tok, nil
}

func (d *decoder) object() (map[string]any, error) {
	if d.depth++; d.depth > maxDepth {
		return nil, errTooDeep
	}
	m := make(map[string]any)
	for d.dec.More() {
		offset := d.dec.InputOffset()
		tok, err := d.dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string) // the decoder only returns strings in key position
		d.path = append(d.path, seg{kind: segKey, key: key})
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.path = d.path[:len(d.path)-1]
		if _, dup := m[key]; dup {
			d.duplicate(key, offset)
		}
		m[key] = v
	}
	d.depth--
	_, err := d.dec.Token() // the closing brace
	return m, err
}

func (d *decoder) array() ([]any, error) {
	if d.depth++; d.depth > maxDepth {
		return nil, errTooDeep
	}
	a := []any{}
	for i := 0; d.dec.More(); i++ {
		d.path = append(d.path, seg{kind: segIndex, index: i})
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.path = d.path[:len(d.path)-1]
		a = append(a, v)
	}
	d.depth--
	_, err := d.dec.Token() // the closing bracket
	return a, err
}

func (d *decoder) duplicate(key string, offset int64) {
	if d.dups == nil {
		d.dups = map[string][]dupKey{}
	}
	at := d.path.canonical()
	d.dups[at] = append(d.dups[at], dupKey{key: key, offset: offset})
}

// bodyIssue is a problem with the body as a whole: it has no element to
// point at, so it carries no expression.
func bodyIssue(msg string) *issue {
	return &issue{code: fhir.IssueStructure, msg: msg}
}

// syntaxIssue describes why the body could not be read as a JSON object.
func syntaxIssue(err error) *issue {
	var syn *json.SyntaxError
	var notObj notObjectError
	switch {
	case errors.As(err, &notObj):
		return bodyIssue(fmt.Sprintf("The body is %s; a FHIR resource must be a JSON object.", notObj.Error()))
	case errors.Is(err, errTooDeep):
		return bodyIssue(fmt.Sprintf("The body nests objects and arrays more than %d levels deep.", maxDepth))
	case errors.Is(err, errTrailing):
		return bodyIssue("The body has data after the end of the JSON object.")
	case errors.As(err, &syn):
		return bodyIssue(fmt.Sprintf("The body is not valid JSON: %v (at byte %d).", syn, syn.Offset))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return bodyIssue("The body is not valid JSON: it ends before the object is complete.")
	}
	return bodyIssue(fmt.Sprintf("The body is not valid JSON: %v.", err))
}
