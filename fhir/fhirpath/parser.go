package fhirpath

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// maxDepth bounds the nesting of an expression, so that a hostile or
// mistaken source cannot exhaust the stack of the recursive-descent parser
// or of the evaluator.
const maxDepth = 200

// parser is a recursive-descent parser over the token list. The binary
// operators are parsed by one loop over a table of precedence levels, from
// the loosest ("implies") to the tightest ("*"); unary signs, invocations
// and indexers come below them.
type parser struct {
	src   string
	toks  []token
	pos   int
	depth int
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

// levels lists the binary operators by precedence, loosest first, as the
// FHIRPath grammar orders them. "is" and "as" sit between "|" and "+" and
// are handled by parseType, since their right operand is a type name.
var levels = [][]string{
	{"implies"},
	{"or", "xor"},
	{"and"},
	{"in", "contains"},
	{"=", "~", "!=", "!~"},
	{"<=", "<", ">", ">="},
	{"|"},
	nil, // is, as
	{"+", "-", "&"},
	{"*", "/", "div", "mod"},
}

// typeLevel is the index of "is" and "as" in levels.
const typeLevel = 7

// parseExpr parses a whole expression.
func (p *parser) parseExpr() (node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.errorf("expression nested too deeply")
	}
	return p.parseLevel(0)
}

// parseLevel parses a left-associative chain of the operators of level i.
func (p *parser) parseLevel(i int) (node, error) {
	if i == len(levels) {
		return p.parseUnary()
	}
	if i == typeLevel {
		return p.parseType()
	}
	left, err := p.parseLevel(i + 1)
	if err != nil {
		return nil, err
	}
	for {
		op := p.operatorAt(levels[i])
		if op == "" {
			return left, nil
		}
		p.next()
		right, err := p.parseLevel(i + 1)
		if err != nil {
			return nil, err
		}
		left = newBinary(op, left, right)
	}
}

// operatorAt returns the current token when it is one of ops.
func (p *parser) operatorAt(ops []string) string {
	t := p.peek()
	if t.kind != tokSymbol && t.kind != tokIdent {
		return ""
	}
	for _, op := range ops {
		if t.text == op {
			return op
		}
	}
	return ""
}

// parseType parses the "is" and "as" operators.
func (p *parser) parseType() (node, error) {
	left, err := p.parseLevel(typeLevel + 1)
	if err != nil {
		return nil, err
	}
	for p.isWord("is") || p.isWord("as") {
		op := p.next().text
		typ, err := p.parseTypeSpec()
		if err != nil {
			return nil, err
		}
		left = &typeOpNode{operand: left, typ: typ, is: op == "is"}
	}
	return left, nil
}

// parseUnary parses a leading sign.
func (p *parser) parseUnary() (node, error) {
	if p.isSym("+") || p.isSym("-") {
		neg := p.next().text == "-"
		operand, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		if !neg {
			return operand, nil
		}
		return &negNode{operand: operand}, nil
	}
	return p.parsePostfix()
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

// parsePostfix parses a term followed by any number of ".member",
// ".function(...)" and "[index]" invocations into one chain.
func (p *parser) parsePostfix() (node, error) {
	first, err := p.parseTerm()
	if err != nil {
		return nil, err
	}
	steps := []node{first}
	for {
		if p.isSym("[") {
			p.next()
			idx, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			steps = append(steps, &indexNode{idx: idx})
			if err := p.expect("]"); err != nil {
				return nil, err
			}
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

// parseTerm parses a literal, a variable, a parenthesized expression or an
// invocation on the input collection.
func (p *parser) parseTerm() (node, error) {
	t := p.next()
	switch t.kind {
	case tokString:
		return &literalNode{val: Node{Value: t.text, Type: "string"}}, nil
	case tokNumber:
		return p.parseNumber(t.text)
	case tokDate:
		return parseDateLiteral(p, t.text)
	case tokVar:
		return &varNode{name: t.text}, nil
	case tokEnv:
		return p.parseEnv(t.text)
	case tokIdent:
		switch t.text {
		case "true", "false":
			return &literalNode{val: Node{Value: t.text == "true", Type: "boolean"}}, nil
		}
		return p.parseInvocation(t.text, true)
	case tokSymbol:
		switch t.text {
		case "(":
			inner, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			return inner, p.expect(")")
		case "{":
			return emptyNode{}, p.expect("}")
		}
	}
	if t.kind == tokEOF {
		return nil, p.errorf("unexpected end of expression")
	}
	p.pos--
	return nil, p.errorf("unexpected %q", t.text)
}

// calendarUnits maps the calendar duration keywords of quantity literals
// to their singular form.
var calendarUnits = map[string]string{
	"year": "year", "years": "year", "month": "month", "months": "month",
	"week": "week", "weeks": "week", "day": "day", "days": "day",
	"hour": "hour", "hours": "hour", "minute": "minute", "minutes": "minute",
	"second": "second", "seconds": "second", "millisecond": "millisecond",
	"milliseconds": "millisecond",
}

// parseNumber parses an integer or decimal literal, or a quantity when a
// unit (a string literal or a calendar keyword) follows.
func (p *parser) parseNumber(text string) (node, error) {
	typ := "integer"
	if strings.Contains(text, ".") {
		typ = "decimal"
	} else if _, err := strconv.ParseInt(text, 10, 64); err != nil {
		return nil, p.errorf("integer literal %s out of range", text)
	}
	num := json.Number(text)
	t := p.peek()
	unit := ""
	switch {
	case t.kind == tokString:
		unit = t.text
	case t.kind == tokIdent && calendarUnits[t.text] != "":
		unit = calendarUnits[t.text]
	default:
		return &literalNode{val: Node{Value: num, Type: typ}}, nil
	}
	p.next()
	q := map[string]any{"value": num, "code": unit, "unit": unit}
	if t.kind == tokString {
		q["system"] = ucumSystem
	}
	return &literalNode{val: Node{Value: q, Type: "Quantity"}}, nil
}

// ucumSystem is the value of %ucum.
const ucumSystem = "http://unitsofmeasure.org"

// envConstants are the environment variables with a fixed value.
var envConstants = map[string]string{
	"ucum":  ucumSystem,
	"sct":   "http://snomed.info/sct",
	"loinc": "http://loinc.org",
}

// parseEnv parses an environment variable: a constant, or one of the
// variables that Check binds.
func (p *parser) parseEnv(name string) (node, error) {
	if v, ok := envConstants[name]; ok {
		return &literalNode{val: Node{Value: v, Type: "string"}}, nil
	}
	switch name {
	case "resource", "rootResource", "context":
		return &envNode{name: name}, nil
	}
	p.pos--
	return nil, p.errorf("unsupported environment variable %%%s", name)
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
		arg, err := p.parseExpr()
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
