package fhirpath

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// parser is a recursive-descent parser over the token list. Each parse
// method handles one precedence level of FHIRPath, from the loosest
// ("implies") to the tightest (invocation); the levels the subset does not
// support report an error instead of building a node.
type parser struct {
	src  string
	toks []token
	pos  int
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

// isSym reports whether the current token is the symbol s.
func (p *parser) isSym(s string) bool {
	t := p.peek()
	return t.kind == tokSymbol && t.text == s
}

// isWord reports whether the current token is the identifier w.
func (p *parser) isWord(w string) bool {
	t := p.peek()
	return t.kind == tokIdent && t.text == w
}

func (p *parser) errorf(format string, args ...any) error {
	t := p.peek()
	return fmt.Errorf("fhirpath: %s at offset %d in %q", fmt.Sprintf(format, args...), t.pos, p.src)
}

func (p *parser) expect(sym string) error {
	if !p.isSym(sym) {
		return p.errorf("expected %q", sym)
	}
	p.next()
	return nil
}

// parseOr parses "or" chains and rejects "xor" and "implies".
func (p *parser) parseOr() (node, error) {
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.isWord("or"):
			p.next()
			right, err := p.parseAnd()
			if err != nil {
				return nil, err
			}
			left = &logicNode{left: left, right: right, or: true}
		case p.isWord("xor"), p.isWord("implies"):
			return nil, p.errorf("unsupported operator %q", p.peek().text)
		default:
			return left, nil
		}
	}
}

func (p *parser) parseAnd() (node, error) {
	left, err := p.parseEquality()
	if err != nil {
		return nil, err
	}
	for p.isWord("and") {
		p.next()
		right, err := p.parseEquality()
		if err != nil {
			return nil, err
		}
		left = &logicNode{left: left, right: right}
	}
	return left, nil
}

// parseEquality parses "=" and "!="; membership, equivalence and ordering
// operators are rejected here.
func (p *parser) parseEquality() (node, error) {
	left, err := p.parseUnion()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.isSym("=") || p.isSym("!="):
			neg := p.next().text == "!="
			right, err := p.parseUnion()
			if err != nil {
				return nil, err
			}
			left = &eqNode{left: left, right: right, neg: neg}
		case p.isSym("~"), p.isSym("!~"), p.isSym("<"), p.isSym(">"), p.isSym("<="), p.isSym(">="),
			p.isWord("in"), p.isWord("contains"):
			return nil, p.errorf("unsupported operator %q", p.peek().text)
		default:
			return left, nil
		}
	}
}

func (p *parser) parseUnion() (node, error) {
	left, err := p.parseType()
	if err != nil {
		return nil, err
	}
	for p.isSym("|") {
		p.next()
		right, err := p.parseType()
		if err != nil {
			return nil, err
		}
		left = &unionNode{left: left, right: right}
	}
	return left, nil
}

// parseType parses the "is" and "as" operators, which bind tighter than
// "|" and looser than arithmetic.
func (p *parser) parseType() (node, error) {
	left, err := p.parseArithmetic()
	if err != nil {
		return nil, err
	}
	for p.isWord("is") || p.isWord("as") {
		op := p.next().text
		typ, err := p.parseTypeSpec()
		if err != nil {
			return nil, err
		}
		if op == "is" {
			left = &chainNode{steps: []node{left, &isNode{typ: typ}}}
		} else {
			left = &chainNode{steps: []node{left, &ofTypeNode{typ: typ}}}
		}
	}
	return left, nil
}

// parseArithmetic rejects every arithmetic operator: none of the supported
// search expressions computes.
func (p *parser) parseArithmetic() (node, error) {
	left, err := p.parsePostfix()
	if err != nil {
		return nil, err
	}
	for _, s := range []string{"+", "-", "&", "*", "/"} {
		if p.isSym(s) {
			return nil, p.errorf("unsupported operator %q", s)
		}
	}
	if p.isWord("div") || p.isWord("mod") {
		return nil, p.errorf("unsupported operator %q", p.peek().text)
	}
	return left, nil
}

// parseTypeSpec reads a type name, optionally qualified by the FHIR or
// System namespace, and returns it without the namespace.
func (p *parser) parseTypeSpec() (string, error) {
	t := p.next()
	if t.kind != tokIdent {
		return "", p.errorf("expected a type name")
	}
	name := t.text
	if (name == "FHIR" || name == "System") && p.isSym(".") {
		p.next()
		t = p.next()
		if t.kind != tokIdent {
			return "", p.errorf("expected a type name")
		}
		name = t.text
	}
	return name, nil
}

// parsePostfix parses a term followed by any number of ".member" and
// ".function(...)" invocations into one chain.
func (p *parser) parsePostfix() (node, error) {
	first, err := p.parseTerm()
	if err != nil {
		return nil, err
	}
	steps := []node{first}
	for {
		if p.isSym("[") {
			idx, err := p.parseIndex()
			if err != nil {
				return nil, err
			}
			steps = append(steps, idx)
			continue
		}
		if !p.isSym(".") {
			break
		}
		p.next()
		t := p.next()
		if t.kind != tokIdent {
			return nil, p.errorf("expected an identifier after '.'")
		}
		step, err := p.parseInvocation(t.text, false)
		if err != nil {
			return nil, err
		}
		steps = append(steps, step)
	}
	if len(steps) == 1 {
		return first, nil
	}
	return &chainNode{steps: steps}, nil
}

// parseTerm parses a literal, $this, a parenthesized expression or an
// invocation on the input collection.
func (p *parser) parseTerm() (node, error) {
	t := p.next()
	switch t.kind {
	case tokString:
		return &literalNode{val: Node{Value: t.text, Type: "string"}}, nil
	case tokNumber:
		typ := "integer"
		if strings.Contains(t.text, ".") {
			typ = "decimal"
		}
		return &literalNode{val: Node{Value: json.Number(t.text), Type: typ}}, nil
	case tokThis:
		return thisNode{}, nil
	case tokIdent:
		switch t.text {
		case "true", "false":
			return &literalNode{val: Node{Value: t.text == "true", Type: "boolean"}}, nil
		}
		return p.parseInvocation(t.text, true)
	case tokSymbol:
		if t.text == "(" {
			inner, err := p.parseOr()
			if err != nil {
				return nil, err
			}
			return inner, p.expect(")")
		}
	}
	if t.kind == tokEOF {
		return nil, p.errorf("unexpected end of expression")
	}
	p.pos--
	return nil, p.errorf("unexpected %q", t.text)
}

// parseInvocation parses a member access or, when an opening parenthesis
// follows, a function call. head marks an identifier that starts an
// expression, where a type name acts as a type filter.
func (p *parser) parseInvocation(name string, head bool) (node, error) {
	if !p.isSym("(") {
		return &memberNode{name: name, head: head && isUpper(name)}, nil
	}
	p.next()
	return p.parseFunction(name)
}

func isUpper(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

// parseArgs parses a comma-separated argument list up to and including the
// closing parenthesis.
func (p *parser) parseArgs() ([]node, error) {
	var args []node
	if p.isSym(")") {
		p.next()
		return args, nil
	}
	for {
		arg, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		args = append(args, arg)
		if p.isSym(",") {
			p.next()
			continue
		}
		return args, p.expect(")")
	}
}

// parseIndex parses an indexer with a non-negative integer literal, "[n]".
func (p *parser) parseIndex() (node, error) {
	p.next()
	t := p.next()
	i, err := strconv.Atoi(t.text)
	if t.kind != tokNumber || err != nil {
		return nil, p.errorf("an indexer takes an integer literal")
	}
	return &indexNode{i: i}, p.expect("]")
}
