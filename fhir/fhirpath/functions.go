package fhirpath

import "strings"

// parseFunction parses the arguments of the function name, whose opening
// parenthesis has been read, and returns its node. Functions outside the
// supported subset are compile errors.
func (p *parser) parseFunction(name string) (node, error) {
	switch name {
	case "as", "ofType", "is":
		return p.parseTypeFunction(name)
	case "where", "exists", "empty", "not", "first", "last", "resolve", "extension":
	default:
		return nil, p.errorf("unsupported function %s()", name)
	}
	args, err := p.parseArgs()
	if err != nil {
		return nil, err
	}
	lo, hi := 0, 0
	switch name {
	case "where", "extension":
		lo, hi = 1, 1
	case "exists":
		hi = 1
	}
	if len(args) < lo || len(args) > hi {
		return nil, p.errorf("%s() takes %d to %d arguments, got %d", name, lo, hi, len(args))
	}
	switch name {
	case "where":
		return &whereNode{cond: args[0]}, nil
	case "exists":
		n := &existsNode{}
		if len(args) == 1 {
			n.cond = args[0]
		}
		return n, nil
	case "extension":
		lit, ok := args[0].(*literalNode)
		if !ok {
			return nil, p.errorf("extension() takes a string literal")
		}
		url, ok := lit.val.Value.(string)
		if !ok {
			return nil, p.errorf("extension() takes a string literal")
		}
		return &extensionNode{url: url}, nil
	}
	return &simpleFunc{name: name}, nil
}

// parseTypeFunction parses the type argument of as(), ofType() or is().
func (p *parser) parseTypeFunction(name string) (node, error) {
	typ, err := p.parseTypeSpec()
	if err != nil {
		return nil, err
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	if name == "is" {
		return &isNode{typ: typ}, nil
	}
	return &ofTypeNode{typ: typ}, nil
}

// whereNode keeps the input items for which the condition is true.
type whereNode struct{ cond node }

func (w *whereNode) eval(e *env, in, dst []Node) []Node {
	for _, n := range in {
		if isTrue(e.evalOn(w.cond, n)) {
			dst = append(dst, n)
		}
	}
	return dst
}

// existsNode is exists() and exists(condition).
type existsNode struct{ cond node }

func (x *existsNode) eval(e *env, in, dst []Node) []Node {
	if x.cond == nil {
		return append(dst, boolNode(len(in) > 0))
	}
	for _, n := range in {
		if isTrue(e.evalOn(x.cond, n)) {
			return append(dst, boolNode(true))
		}
	}
	return append(dst, boolNode(false))
}

// simpleFunc is a function without arguments.
type simpleFunc struct{ name string }

func (f *simpleFunc) eval(_ *env, in, dst []Node) []Node {
	switch f.name {
	case "empty":
		return append(dst, boolNode(len(in) == 0))
	case "not":
		if b, known := toBool(in); known {
			return append(dst, boolNode(!b))
		}
	case "first":
		if len(in) > 0 {
			return append(dst, in[0])
		}
	case "last":
		if len(in) > 0 {
			return append(dst, in[len(in)-1])
		}
	case "resolve":
		for _, n := range in {
			if r, ok := resolve(n); ok {
				dst = append(dst, r)
			}
		}
	}
	return dst
}

// resolve returns a node standing for the target of a Reference or of a
// reference string: its type is the target's resource type and its value
// the reference string. It reports false when the type is unknown.
func resolve(n Node) (Node, bool) {
	switch v := n.Value.(type) {
	case string:
		if typ, _ := ParseReference(v); typ != "" {
			return Node{Value: v, Type: typ}, true
		}
	case map[string]any:
		ref, _ := v["reference"].(string)
		typ, _ := ParseReference(ref)
		if typ == "" && ref == "" {
			typ, _ = v["type"].(string)
		}
		if typ != "" {
			return Node{Value: ref, Type: typ}, true
		}
	}
	return Node{}, false
}

// ofTypeNode keeps the input items of the given type; it implements "as",
// "as()" and "ofType()".
type ofTypeNode struct{ typ string }

func (o *ofTypeNode) eval(_ *env, in, dst []Node) []Node {
	for _, n := range in {
		if IsType(n, o.typ) {
			dst = append(dst, n)
		}
	}
	return dst
}

// isNode is the "is" operator and the is() function on a single item.
type isNode struct{ typ string }

func (o *isNode) eval(_ *env, in, dst []Node) []Node {
	if len(in) != 1 {
		return dst
	}
	return append(dst, boolNode(IsType(in[0], o.typ)))
}

// extensionNode is extension(url): the extensions of the input items with
// that url.
type extensionNode struct{ url string }

func (x *extensionNode) eval(_ *env, in, dst []Node) []Node {
	for _, n := range in {
		m, ok := n.Value.(map[string]any)
		if !ok {
			continue
		}
		list, _ := m["extension"].([]any)
		for _, item := range list {
			ext, ok := item.(map[string]any)
			if url, _ := ext["url"].(string); ok && url == x.url {
				dst = append(dst, Node{Value: ext, Type: "Extension"})
			}
		}
	}
	return dst
}

// ParseReference returns the resource type and id named by a reference
// string: "Type/id", "Type/id/_history/vid", or an absolute URL ending in
// one of those. It returns empty strings for contained ("#id"), urn:uuid
// and urn:oid references, conditional references ("Type?query") and
// anything else that names no type.
func ParseReference(ref string) (typ, id string) {
	if ref == "" || ref[0] == '#' || hasPrefixFold(ref, "urn:") {
		return "", ""
	}
	for i := 0; i < len(ref); i++ {
		if ref[i] == '?' || ref[i] == '#' {
			return "", ""
		}
	}
	rest := ref
	if i := strings.LastIndex(rest, "/_history/"); i >= 0 {
		vid := rest[i+len("/_history/"):]
		if vid == "" || strings.IndexByte(vid, '/') >= 0 {
			return "", ""
		}
		rest = rest[:i]
	}
	j := strings.LastIndexByte(rest, '/')
	if j < 0 {
		return "", ""
	}
	typ, id = rest[strings.LastIndexByte(rest[:j], '/')+1:j], rest[j+1:]
	if !isTypeName(typ) || !isID(id) {
		return "", ""
	}
	return typ, id
}

func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// isTypeName reports whether s looks like a resource type name: an upper
// case ASCII letter followed by ASCII letters.
func isTypeName(s string) bool {
	if !isUpper(s) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// isID reports whether s matches the FHIR id pattern [A-Za-z0-9\-\.]{1,64}.
func isID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// indexNode is the indexer "[i]": the item at position i, if any.
type indexNode struct{ i int }

func (x *indexNode) eval(_ *env, in, dst []Node) []Node {
	if x.i < len(in) {
		dst = append(dst, in[x.i])
	}
	return dst
}
