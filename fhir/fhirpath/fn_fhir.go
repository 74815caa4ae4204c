package fhirpath

import "strings"

// The functions FHIR adds to FHIRPath (R4 fhirpath.html, section 2.9.1.5)
// and the tree functions children() and descendants().

func registerFHIR() {
	register("extension", 1, 1, argThis, fnExtension)
	register("hasValue", 0, 0, argThis, func(_ *call, in, dst []Node) []Node {
		return append(dst, boolNode(len(in) == 1 && isPrimitiveValue(in[0].Value)))
	})
	register("getValue", 0, 0, argThis, func(_ *call, in, dst []Node) []Node {
		if len(in) == 1 && isPrimitiveValue(in[0].Value) {
			dst = append(dst, Node{Value: in[0].Value, Type: in[0].Type})
		}
		return dst
	})
	register("resolve", 0, 0, argThis, fnResolve)
	register("children", 0, 0, argThis, func(c *call, in, dst []Node) []Node {
		for _, n := range in {
			dst = appendChildren(dst, n)
		}
		return dst
	})
	register("descendants", 0, 0, argThis, fnDescendants)
	register("htmlChecks", 0, 0, argThis, func(c *call, in, dst []Node) []Node {
		n, ok := c.e.singleton(in, "htmlChecks()")
		if !ok {
			return dst
		}
		s, _ := n.Value.(string)
		return append(dst, boolNode(CheckNarrative(s) == nil))
	})
}

// isPrimitiveValue reports whether v is the value of a primitive element.
func isPrimitiveValue(v any) bool {
	switch v.(type) {
	case nil, map[string]any, []any:
		return false
	}
	return true
}

// fnExtension is extension(url): the extensions of the input items with
// that url, primitive elements' extensions included.
func fnExtension(c *call, in, dst []Node) []Node {
	args, ok := c.stringArgs()
	if !ok {
		return dst
	}
	for _, n := range in {
		m, _ := n.Value.(map[string]any)
		if m == nil {
			m = n.Ext
		}
		list, _ := m["extension"].([]any)
		for _, item := range list {
			ext, ok := item.(map[string]any)
			if url, _ := ext["url"].(string); ok && url == args[0] {
				dst = append(dst, Node{Value: ext, Type: "Extension"})
			}
		}
	}
	return dst
}

// fnDescendants is descendants(): the children of the input, their
// children, and so on, in document order, bounded by the step budget.
func fnDescendants(c *call, in, dst []Node) []Node {
	for _, n := range in {
		if c.e.failed() {
			return dst
		}
		start := len(dst)
		dst = appendChildren(dst, n)
		end := len(dst)
		for i := start; i < end; i++ {
			one := [1]Node{dst[i]}
			dst = fnDescendants(c, one[:], dst)
		}
	}
	return dst
}

// fnResolve is resolve(). In strict mode a local reference ("#id", "#")
// resolves to the contained resource of %rootResource or to it, and a
// reference inside a Bundle to the resource of the entry whose fullUrl it
// names. Otherwise, and always in search mode, the result stands for the
// target without reading it: a node whose type is the type the reference
// names and whose value is the reference string, which "resolve() is
// Patient" and "ofType(Practitioner)" need.
func fnResolve(c *call, in, dst []Node) []Node {
	for _, n := range in {
		ref := referenceString(n)
		if c.e.strict {
			if r, ok := resolveLocal(c.e, ref); ok {
				dst = append(dst, r)
				continue
			}
		}
		if r, ok := resolveStub(n, ref); ok {
			dst = append(dst, r)
		}
	}
	return dst
}

// referenceString returns the reference of a Reference, or the string of a
// canonical or uri.
func referenceString(n Node) string {
	switch v := n.Value.(type) {
	case string:
		return v
	case map[string]any:
		ref, _ := v["reference"].(string)
		return ref
	}
	return ""
}

// resolveLocal finds the target of a reference inside the resources at
// hand.
func resolveLocal(e *env, ref string) (Node, bool) {
	root, _ := e.root.Value.(map[string]any)
	if ref == "" || root == nil {
		return Node{}, false
	}
	if ref == "#" {
		return e.root, true
	}
	if id, ok := strings.CutPrefix(ref, "#"); ok {
		for _, c := range asList(root["contained"]) {
			if m, ok := c.(map[string]any); ok && m["id"] == id {
				return ResourceNode(m), true
			}
		}
		return Node{}, false
	}
	if root["resourceType"] != "Bundle" {
		return Node{}, false
	}
	typ, id := ParseReference(ref)
	for _, en := range asList(root["entry"]) {
		entry, _ := en.(map[string]any)
		res, _ := entry["resource"].(map[string]any)
		if res == nil {
			continue
		}
		full, _ := entry["fullUrl"].(string)
		if full == ref || (typ != "" && res["resourceType"] == typ && res["id"] == id) {
			return ResourceNode(res), true
		}
	}
	return Node{}, false
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return nil
}

// resolveStub returns a node standing for the target of a reference: its
// type is the target's resource type and its value the reference string.
// It reports false when the type is unknown.
func resolveStub(n Node, ref string) (Node, bool) {
	typ, _ := ParseReference(ref)
	if m, ok := n.Value.(map[string]any); ok && typ == "" && ref == "" {
		typ, _ = m["type"].(string)
	}
	if typ == "" {
		return Node{}, false
	}
	return Node{Value: ref, Type: typ}, true
}
