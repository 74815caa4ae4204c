package fhirpath

import (
	"encoding/json"
	"math/big"
)

// literalNode is a constant.
type literalNode struct{ val Node }

func (l *literalNode) eval(_ *env, _, dst []Node) []Node { return append(dst, l.val) }

// emptyNode is the empty collection literal "{}".
type emptyNode struct{}

func (emptyNode) eval(_ *env, _, dst []Node) []Node { return dst }

// varNode is $this, $index or $total.
type varNode struct{ name string }

func (v *varNode) eval(e *env, _, dst []Node) []Node {
	switch v.name {
	case "this":
		return append(dst, e.this...)
	case "index":
		return append(dst, Node{Value: json.Number(itoa(e.index)), Type: "integer"})
	}
	return append(dst, e.total...)
}

// envNode is %context, %resource or %rootResource.
type envNode struct{ name string }

func (v *envNode) eval(e *env, _, dst []Node) []Node {
	var n Node
	switch v.name {
	case "context":
		n = e.context
	case "resource":
		n = e.resource
	default:
		n = e.root
	}
	if n.Value == nil && n.Ext == nil {
		return dst
	}
	return append(dst, n)
}

// chainNode evaluates its steps in turn, each on the output of the
// previous one.
type chainNode struct{ steps []node }

func (c *chainNode) eval(e *env, in, dst []Node) []Node {
	cur := c.steps[0].eval(e, in, e.get())
	for _, s := range c.steps[1:] {
		if e.failed() {
			break
		}
		next := s.eval(e, cur, e.get())
		e.put(cur)
		cur = next
	}
	dst = append(dst, cur...)
	e.put(cur)
	return dst
}

// memberNode navigates to the child elements called name. When head is
// set (an upper-case identifier starting an expression), an input item of
// that type passes through instead, as FHIRPath specifies for type names.
type memberNode struct {
	name string
	head bool
}

func (m *memberNode) eval(_ *env, in, dst []Node) []Node {
	for _, n := range in {
		if m.head && isTypeHead(n, m.name) {
			dst = append(dst, n)
			continue
		}
		if obj, ok := n.Value.(map[string]any); ok {
			dst = appendChild(dst, obj, n.Type, m.name)
		} else if n.Ext != nil {
			dst = appendPrimitiveChild(dst, n.Ext, m.name)
		}
	}
	return dst
}

func isTypeHead(n Node, name string) bool {
	if n.Type == name {
		return true
	}
	if name == "Resource" || name == "DomainResource" {
		return isResource(n.Value)
	}
	return false
}

func isResource(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	_, ok = m["resourceType"].(string)
	return ok
}

// indexNode is the indexer "[i]": the item at position i, if any.
type indexNode struct{ idx node }

func (x *indexNode) eval(e *env, in, dst []Node) []Node {
	out := e.evalArg(x.idx)
	defer e.put(out)
	n, ok := e.singleton(out, "an indexer")
	if !ok {
		return dst
	}
	i, ok := intValue(n)
	if !ok {
		e.fail("an indexer takes an integer, got %s", typeName(n))
		return dst
	}
	if i >= 0 && i < int64(len(in)) {
		dst = append(dst, in[i])
	}
	return dst
}

// typeOpNode is the "is" or "as" operator.
type typeOpNode struct {
	operand node
	typ     string
	is      bool
}

func (t *typeOpNode) eval(e *env, in, dst []Node) []Node {
	out := t.operand.eval(e, in, e.get())
	defer e.put(out)
	if t.is {
		return isType(e, out, t.typ, dst)
	}
	return asType(e, out, t.typ, dst)
}

// isType is "is" and is(): whether the single input item is of the type.
func isType(e *env, in []Node, typ string, dst []Node) []Node {
	n, ok := e.singleton(in, "is")
	if !ok {
		return dst
	}
	return append(dst, boolNode(IsType(n, typ)))
}

// asType is "as" and as(): the single input item when it is of the type.
// In search mode it filters a collection of any size, which the search
// parameters of R4 ("Observation.value as Quantity" on several components)
// rely on.
func asType(e *env, in []Node, typ string, dst []Node) []Node {
	if e.strict && len(in) > 1 {
		e.fail("as expects a single item, got %d", len(in))
		return dst
	}
	for _, n := range in {
		if IsType(n, typ) {
			dst = append(dst, n)
		}
	}
	return dst
}

// negNode is the unary minus.
type negNode struct{ operand node }

func (u *negNode) eval(e *env, in, dst []Node) []Node {
	out := u.operand.eval(e, in, e.get())
	defer e.put(out)
	n, ok := e.singleton(out, "unary -")
	if !ok {
		return dst
	}
	switch kindOf(n) {
	case kInt, kDec:
		r, _ := ratValue(n)
		return append(dst, numberNode(new(big.Rat).Neg(r), kindOf(n) == kInt))
	case kQuantity:
		q, _ := quantityOf(n)
		q.value = new(big.Rat).Neg(q.value)
		return append(dst, q.node())
	}
	e.fail("unary - on a %s", typeName(n))
	return dst
}
