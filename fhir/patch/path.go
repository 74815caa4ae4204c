package patch

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
)

// step is one step of a simple path: a child element name, or, when name
// is empty, an indexer that selects one item of the collection so far.
type step struct {
	name  string
	index int
}

// pathError says why a path is not a simple path.
type pathError struct {
	kind fhir.Kind
	code fhir.IssueType
	msg  string
}

// fhirPathSyntax holds characters that appear in FHIRPath expressions
// beyond simple paths: function calls, operators, literals and variables.
const fhirPathSyntax = "()|$=!<>~&+-*/%,'\"` \t\n{}@"

// parsePath splits a simple path, element names separated by dots, each
// optionally followed by indexers ("Patient.name[0].given"), into steps.
func parsePath(src string) ([]step, *pathError) {
	var steps []step
	i := 0
	for {
		j := i
		for j < len(src) && isNameByte(src[j], j == i) {
			j++
		}
		if j == i {
			return nil, badPath(src, i)
		}
		steps = append(steps, step{name: src[i:j]})
		i = j
		for i < len(src) && src[i] == '[' {
			end := strings.IndexByte(src[i:], ']')
			if end < 0 {
				return nil, badPath(src, i)
			}
			digits := src[i+1 : i+end]
			n, err := strconv.Atoi(digits)
			if err != nil || n < 0 || digits[0] == '+' {
				return nil, badPath(src, i)
			}
			steps = append(steps, step{index: n})
			i += end + 1
		}
		if i == len(src) {
			return steps, nil
		}
		if src[i] != '.' {
			return nil, badPath(src, i)
		}
		i++
	}
}

// badPath describes the path src, which is not a simple path from
// position i on. Paths that use more of FHIRPath are valid but not
// supported; anything else is malformed.
func badPath(src string, i int) *pathError {
	if strings.ContainsAny(src, fhirPathSyntax) {
		return &pathError{fhir.KindUnprocessable, fhir.IssueNotSupported,
			"only simple paths are supported: element names and [n] indexes separated by dots, such as Patient.name[0].given"}
	}
	if src == "" {
		return &pathError{fhir.KindInvalid, fhir.IssueInvalid, "the path is empty"}
	}
	return &pathError{fhir.KindInvalid, fhir.IssueInvalid,
		fmt.Sprintf("the path is malformed at position %d", i+1)}
}

// isNameByte reports whether c may appear in an element name, at its start
// when first is set.
func isNameByte(c byte, first bool) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		return true
	case c >= '0' && c <= '9':
		return !first
	}
	return false
}

// isName reports whether s is an element name.
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i], i == 0) {
			return false
		}
	}
	return true
}

// isTypeName reports whether a first step names a type, not an element:
// FHIR type names start with a capital letter, element names do not.
func isTypeName(name string) bool {
	return name[0] >= 'A' && name[0] <= 'Z'
}

// node is one element a path reached in the resource: the value under key
// in obj, or its item idx when obj[key] is a list.
type node struct {
	parent *node          // the node whose value obj is; nil for the resource
	obj    map[string]any // the object holding the element; nil for the resource
	key    string         // the JSON key of the element
	idx    int            // the position in the list obj[key], or -1
	base   string         // the base name when key is a choice key ("deceased"), else ""
	el     element        // what the schema knows of the element
	typ    schemaType     // the type of value
	value  any
}

// rootNode returns the node of the resource res itself.
func rootNode(res map[string]any) *node {
	rt, _ := res["resourceType"].(string)
	return &node{idx: -1, typ: resourceSchema(rt), value: res}
}

// resolve evaluates steps on res, as FHIRPath evaluates a path: each name
// step collects the children of that name of every node so far, lists
// flattened, and each indexer keeps the one node at its index. A leading
// type name keeps the resource if it is of that type. A name followed by
// an indexer makes only the node the indexer keeps. It subtracts the
// number of nodes each step reaches from *budget, and reports false when
// that goes below zero.
func resolve(res map[string]any, steps []step, budget *int) ([]*node, bool) {
	cur := []*node{rootNode(res)}
	for i := 0; i < len(steps); i++ {
		s := steps[i]
		var next []*node
		switch {
		case s.name == "":
			if s.index < len(cur) {
				next = cur[s.index : s.index+1]
			}
		case i == 0 && isTypeName(s.name):
			if rt, _ := res["resourceType"].(string); s.name == rt || s.name == "Resource" || s.name == "DomainResource" {
				next = cur
			}
		case i+1 < len(steps) && steps[i+1].name == "":
			i++
			if n := nthChild(cur, s.name, steps[i].index); n != nil {
				next = []*node{n}
			}
		default:
			for _, n := range cur {
				next = appendChildren(next, n, s.name)
			}
		}
		if *budget -= len(next); *budget < 0 {
			return nil, false
		}
		cur = next
	}
	return cur, true
}

// children is what an element of a node holds under one name.
type children struct {
	obj       map[string]any
	key, base string
	el        element
	content   schemaType
	value     any // a list, or a single value
}

// childrenOf returns the children called name of n. A choice element is
// found under any of its keys; resourceType is not an element.
func childrenOf(n *node, name string) (children, bool) {
	obj, ok := n.value.(map[string]any)
	if !ok || name == "resourceType" {
		return children{}, false
	}
	el := n.typ.element(name)
	key, base := name, ""
	if _, ok := obj[name]; !ok && el.choice {
		key = ""
		for _, k := range el.choiceKeys(name) {
			if _, ok := obj[k]; ok {
				key, base = k, name
				break
			}
		}
	}
	v, ok := obj[key]
	if !ok {
		return children{}, false
	}
	return children{obj: obj, key: key, base: base, el: el, content: el.content(strings.TrimPrefix(key, base)), value: v}, true
}

// node returns the child v of parent, at idx in the list, or -1.
func (c children) node(parent *node, idx int, v any) *node {
	return &node{parent: parent, obj: c.obj, key: c.key, idx: idx, base: c.base, el: c.el,
		typ: valueSchema(c.content, v), value: v}
}

// appendChildren appends to dst the children called name of n.
func appendChildren(dst []*node, n *node, name string) []*node {
	c, ok := childrenOf(n, name)
	if !ok {
		return dst
	}
	if list, ok := c.value.([]any); ok {
		for i, item := range list {
			dst = append(dst, c.node(n, i, item))
		}
		return dst
	}
	return append(dst, c.node(n, -1, c.value))
}

// nthChild returns the node at index in the children called name of the
// nodes of cur, lists flattened, or nil: what appendChildren over cur and
// then the indexer would keep, without making the others.
func nthChild(cur []*node, name string, index int) *node {
	for _, n := range cur {
		c, ok := childrenOf(n, name)
		if !ok {
			continue
		}
		list, isList := c.value.([]any)
		switch {
		case !isList && index == 0:
			return c.node(n, -1, c.value)
		case !isList:
			index--
		case index < len(list):
			return c.node(n, index, list[index])
		default:
			index -= len(list)
		}
	}
	return nil
}
