package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
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
// positions and duplicate keys are recorded, so that expressions with and
// without type filters compare equal.
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

// parseExpr splits an expression written by path.expr into its root and
// path.
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
	tree, err := document(body)
	if err != nil {
		return nil, nil, syntaxIssue(err)
	}
	return tree, duplicateKeys(body), nil
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
// A body that is not such an object fails as it did when the tree was built
// token by token (firstError), which is slower: one call to Decode builds
// the tree in a third of the time.
func document(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var tree map[string]any
	if err := dec.Decode(&tree); err == nil && tree != nil && tooDeep(body) < 0 {
		if _, err := dec.Token(); err == io.EOF {
			return tree, nil
		}
	}
	if err := firstError(body); err != nil {
		return nil, err
	}
	return nil, errors.New("the body could not be read") // Decode and Token disagree: not seen
}

// firstError reads body token by token and returns the first reason why it
// is not one JSON object of at most maxDepth levels: a first value that is
// no object, a syntax error, nesting too deep, data after the object.
func firstError(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return notObjectError{tok}
	}
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if depth++; depth > maxDepth {
				return errTooDeep
			}
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		return errTrailing
	}
	return nil
}

// tooDeep returns the offset of the first '{' or '[' of body nested more
// than maxDepth deep, or -1; body is JSON.
func tooDeep(body []byte) int64 {
	depth := 0
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '"':
			for i++; i < len(body) && body[i] != '"'; i++ {
				if body[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			if depth++; depth > maxDepth {
				return int64(i)
			}
		case '}', ']':
			depth--
		}
	}
	return -1
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

// Neither encoding/json nor google/fhir see a repeated key: both keep its
// last value. duplicateKeys reads the body again to find them, as fast as
// the body can be scanned: an object's keys are compared with each other
// in place while there are few, in a set when there are many.

// duplicateKeys maps the canonical path of every object of body, which
// document has read, to its repeated keys; it returns nil when there are
// none. A repeated key's offset is the one json.Decoder.InputOffset gives
// before it (see locator).
func duplicateKeys(body []byte) map[string][]dupKey {
	d := &dupScanner{locator: locator{body: body}, seed: maphash.MakeSeed()}
	d.value()
	return d.dups
}

// dupScanner finds the repeated keys of a body known to be JSON.
type dupScanner struct {
	locator
	// trail holds the members and elements from the root to the current
	// value: the path, kept as offsets so that it costs nothing until a
	// repeated key needs it.
	trail []trailStep
	// keys holds the keys of the objects being read, innermost last.
	keys []keyRef
	seed maphash.Seed
	dups map[string][]dupKey
}

// trailStep is one segment of the trail: a key as the span of its quoted text
// in the body, or an array index (start < 0).
type trailStep struct {
	start, end int
	index      int
}

// keyRef is a key of an object being read: the span of its quoted text.
type keyRef struct{ start, end int }

// fewKeys is the number of keys up to which an object's keys are compared
// with each other rather than put in a set.
const fewKeys = 16

func (d *dupScanner) value() {
	switch d.peek() {
	case '{':
		d.i++
		d.object()
	case '[':
		d.i++
		d.array()
	default:
		d.locator.value(nil)
	}
}

func (d *dupScanner) object() {
	base := len(d.keys)
	var set map[uint64]int // hash of a key's text → its index in d.keys
	for {
		offset := int64(d.i)
		switch d.peek() {
		case '}':
			d.i++
			d.keys = d.keys[:base]
			return
		case ',':
			offset = int64(d.i)
			d.i++
			if d.peek() != '"' {
				return
			}
		case '"':
			offset = int64(d.i)
		default:
			return
		}
		k := keyRef{start: d.i}
		d.str()
		k.end = d.i
		if set == nil && len(d.keys)-base == fewKeys {
			set = make(map[uint64]int, 4*fewKeys)
			for i := base; i < len(d.keys); i++ {
				if h := d.hash(d.keys[i]); !has(set, h) {
					set[h] = i
				}
			}
		}
		h, seen := d.seen(set, base, k)
		if seen {
			d.repeated(k, offset)
		}
		if set != nil && !has(set, h) {
			set[h] = len(d.keys)
		}
		d.keys = append(d.keys, k)
		if d.peek() == ':' {
			d.i++
		}
		d.trail = append(d.trail, trailStep{start: k.start, end: k.end})
		before := d.i
		d.value()
		d.trail = d.trail[:len(d.trail)-1]
		if d.i == before {
			return
		}
	}
}

func has(set map[uint64]int, h uint64) bool { _, ok := set[h]; return ok }

// seen reports whether the object whose keys start at d.keys[base] has key
// k already: by comparing k with each of its few keys, or by the hash of k
// in set, the keys' hashes when there are many; it returns that hash.
func (d *dupScanner) seen(set map[uint64]int, base int, k keyRef) (uint64, bool) {
	var h uint64
	if set != nil {
		h = d.hash(k)
		i, ok := set[h]
		if !ok {
			return h, false
		}
		if d.sameKey(d.keys[i], k) {
			return h, true
		}
		// Two keys with one hash: compare with every key.
	}
	for _, prev := range d.keys[base:] {
		if d.sameKey(prev, k) {
			return h, true
		}
	}
	return h, false
}

// hash hashes the text of a key.
func (d *dupScanner) hash(k keyRef) uint64 {
	raw := d.body[k.start:k.end]
	if bytes.IndexByte(raw, '\\') < 0 {
		return maphash.Bytes(d.seed, raw[1:len(raw)-1])
	}
	return maphash.String(d.seed, d.key(k))
}

func (d *dupScanner) array() {
	for n := 0; ; n++ {
		switch d.peek() {
		case ']':
			d.i++
			return
		case 0:
			return
		case ',':
			d.i++
		}
		d.trail = append(d.trail, trailStep{start: -1, index: n})
		before := d.i
		d.value()
		d.trail = d.trail[:len(d.trail)-1]
		if d.i == before {
			return
		}
	}
}

// key returns the text of a key.
func (d *dupScanner) key(k keyRef) string {
	raw := d.body[k.start:k.end]
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// sameKey reports whether two keys are the same text, escapes aside.
func (d *dupScanner) sameKey(a, b keyRef) bool {
	ra, rb := d.body[a.start:a.end], d.body[b.start:b.end]
	if bytes.Equal(ra, rb) {
		return true
	}
	if bytes.IndexByte(ra, '\\') < 0 && bytes.IndexByte(rb, '\\') < 0 {
		return false
	}
	return d.key(a) == d.key(b)
}

// repeated records key k of the current object, met again at offset.
func (d *dupScanner) repeated(k keyRef, offset int64) {
	at := make(path, len(d.trail))
	for i, s := range d.trail {
		if s.start < 0 {
			at[i] = seg{kind: segIndex, index: s.index}
		} else {
			at[i] = seg{kind: segKey, key: d.key(keyRef{s.start, s.end})}
		}
	}
	if d.dups == nil {
		d.dups = map[string][]dupKey{}
	}
	c := at.canonical()
	d.dups[c] = append(d.dups[c], dupKey{key: d.key(k), offset: offset})
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
