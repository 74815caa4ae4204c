package validate

import "encoding/json"

// Issues are ordered by the position of their element in the body. The
// tree has lost that order, so the body is read again, once, when there
// are issues; and only the elements on the issues' paths are followed, so
// that the cost depends on the size of the body and the number of issues,
// not on the product of the number of elements and their depth (a map of
// every element's path was built before; issue 11, finding 10).

// spot is an element on the path of some issue: where it starts in the
// body, and where it ends when it is an object (a missing element sorts at
// the end of its nearest ancestor that is in the body).
type spot struct {
	start, end int64 // -1 until seen
	keys       map[string]*spot
	index      map[int]*spot
}

func newSpot() *spot { return &spot{start: -1, end: -1} }

// child returns the spot below s for the segment, creating it.
func (s *spot) child(g seg) *spot {
	switch g.kind {
	case segKey:
		if c := s.keys[g.key]; c != nil {
			return c
		}
		if s.keys == nil {
			s.keys = map[string]*spot{}
		}
		c := newSpot()
		s.keys[g.key] = c
		return c
	case segIndex:
		if c := s.index[g.index]; c != nil {
			return c
		}
		if s.index == nil {
			s.index = map[int]*spot{}
		}
		c := newSpot()
		s.index[g.index] = c
		return c
	}
	return s
}

// locate sets the offset of every issue that has none (-1) from the
// position of its element in body, which decode has read as JSON.
func locate(body []byte, issues []issue) {
	root := newSpot()
	root.start = 0
	paths := make([]path, len(issues))
	wanted := false
	for i := range issues {
		if issues[i].offset >= 0 {
			continue
		}
		_, p, ok := parseExpr(issues[i].expr)
		if !ok {
			issues[i].offset = 0
			continue
		}
		paths[i] = p.withoutOfType()
		s := root
		for _, g := range paths[i] {
			s = s.child(g)
		}
		wanted = wanted || len(paths[i]) > 0
	}
	if wanted {
		(&locator{body: body}).value(root)
	}
	for i := range issues {
		if issues[i].offset < 0 {
			issues[i].offset = offsetIn(root, paths[i])
		}
	}
}

// offsetIn returns the start of the element at p, or the end of its
// nearest ancestor seen in the body, or 0.
func offsetIn(root *spot, p path) int64 {
	trail := make([]*spot, 0, len(p)+1)
	trail = append(trail, root)
	s := root
	for _, g := range p {
		s = s.child(g) // exists: locate created it
		trail = append(trail, s)
	}
	if s.start >= 0 {
		return s.start
	}
	for i := len(trail) - 2; i >= 0; i-- {
		if trail[i].end >= 0 {
			return trail[i].end
		}
	}
	return 0
}

// locator reads a body that is known to be JSON, records the offsets of
// the spots it passes, and skips every value no issue is in. The offset of
// a member or an array element is where json.Decoder.InputOffset puts it
// after More, as decode records it for repeated keys: at the comma before
// it, or at its first character when it comes first.
type locator struct {
	body []byte
	i    int // read position
}

// peek skips white space and returns the next byte, or 0 at the end.
func (l *locator) peek() byte {
	for l.i < len(l.body) {
		switch c := l.body[l.i]; c {
		case ' ', '\t', '\r', '\n':
			l.i++
		default:
			return c
		}
	}
	return 0
}

// value reads one value; s, when not nil, is its spot.
func (l *locator) value(s *spot) {
	switch l.peek() {
	case '{':
		l.i++
		l.object(s)
	case '[':
		l.i++
		l.array(s)
	case '"':
		l.str()
	default:
		for l.i < len(l.body) {
			switch l.body[l.i] {
			case ',', '}', ']', ':', ' ', '\t', '\r', '\n':
				return
			}
			l.i++
		}
	}
}

func (l *locator) object(s *spot) {
	for {
		offset := int64(l.i)
		switch l.peek() {
		case '}':
			l.i++
			if s != nil {
				s.end = int64(l.i) // the last of repeated keys wins, as it did
			}
			return
		case ',':
			offset = int64(l.i)
			l.i++
			if l.peek() != '"' {
				return // not JSON after all: nothing more to learn
			}
		case '"':
			offset = int64(l.i)
		default:
			return
		}
		start := l.i
		escaped := l.str()
		var child *spot
		if s != nil && s.keys != nil {
			if escaped {
				var k string
				_ = json.Unmarshal(l.body[start:l.i], &k)
				child = s.keys[k]
			} else {
				child = s.keys[string(l.body[start+1:max(start+1, l.i-1)])]
			}
		}
		if child != nil && child.start < 0 {
			child.start = offset // the first of repeated keys wins
		}
		if l.peek() == ':' {
			l.i++
		}
		before := l.i
		l.value(child)
		if l.i == before {
			return // not JSON after all
		}
	}
}

func (l *locator) array(s *spot) {
	for n := 0; ; n++ {
		switch l.peek() {
		case ']':
			l.i++
			return
		case 0:
			return
		}
		offset := int64(l.i) // at the comma or the first value
		if l.body[l.i] == ',' {
			l.i++
		}
		var child *spot
		if s != nil {
			child = s.index[n]
		}
		if child != nil && child.start < 0 {
			child.start = offset
		}
		before := l.i
		l.value(child)
		if l.i == before {
			return // not JSON after all
		}
	}
}

// str reads a string, l.i at its opening quote, and reports whether it has
// escapes.
func (l *locator) str() bool {
	escaped := false
	for l.i++; l.i < len(l.body); l.i++ {
		switch l.body[l.i] {
		case '\\':
			escaped = true
			l.i++
		case '"':
			l.i++
			return escaped
		}
	}
	return escaped
}
