package fhirpath

import "encoding/json"

// The existence, filtering, subsetting and combining functions of
// FHIRPath (sections 5.1 to 5.4 of N1).

func registerCollections() {
	register("empty", 0, 0, argThis, func(_ *call, in, dst []Node) []Node { return append(dst, boolNode(len(in) == 0)) })
	register("exists", 0, 1, argEach, fnExists)
	register("all", 1, 1, argEach, fnAll)
	register("allTrue", 0, 0, argThis, boolsFunc(true, true))
	register("anyTrue", 0, 0, argThis, boolsFunc(false, true))
	register("allFalse", 0, 0, argThis, boolsFunc(true, false))
	register("anyFalse", 0, 0, argThis, boolsFunc(false, false))
	register("subsetOf", 1, 1, argThis, func(c *call, in, dst []Node) []Node { return append(dst, boolNode(subset(in, c.vals[0]))) })
	register("supersetOf", 1, 1, argThis, func(c *call, in, dst []Node) []Node { return append(dst, boolNode(subset(c.vals[0], in))) })
	register("count", 0, 0, argThis, func(_ *call, in, dst []Node) []Node { return append(dst, intNode(len(in))) })
	register("distinct", 0, 0, argThis, func(_ *call, in, dst []Node) []Node { return appendDistinct(dst, in) })
	register("isDistinct", 0, 0, argThis, func(c *call, in, dst []Node) []Node {
		out := appendDistinct(c.e.get(), in)
		defer c.e.put(out)
		return append(dst, boolNode(len(out) == len(in)))
	})
	register("where", 1, 1, argEach, fnWhere)
	register("select", 1, 1, argEach, fnSelect)
	register("repeat", 1, 1, argEach, fnRepeat)
	register("aggregate", 1, 2, argEach, fnAggregate)
	register("ofType", 1, 1, argType, func(c *call, in, dst []Node) []Node { return ofType(in, c.f.typ, dst) })
	register("is", 1, 1, argType, func(c *call, in, dst []Node) []Node { return isType(c.e, in, c.f.typ, dst) })
	// The function as() filters a collection of any size in both modes, unlike
	// the operator: R4's dom-3 applies it to all the descendants of a
	// resource ("%resource.descendants().as(canonical)").
	register("as", 1, 1, argType, func(c *call, in, dst []Node) []Node { return ofType(in, c.f.typ, dst) })
	registerSubsetting()
}

func registerSubsetting() {
	register("single", 0, 0, argThis, func(c *call, in, dst []Node) []Node {
		if n, ok := c.e.singleton(in, "single()"); ok {
			dst = append(dst, n)
		}
		return dst
	})
	register("first", 0, 0, argThis, func(_ *call, in, dst []Node) []Node { return append(dst, in[:min(1, len(in))]...) })
	register("last", 0, 0, argThis, func(_ *call, in, dst []Node) []Node { return append(dst, in[max(0, len(in)-1):]...) })
	register("tail", 0, 0, argThis, func(_ *call, in, dst []Node) []Node { return append(dst, in[min(1, len(in)):]...) })
	register("skip", 1, 1, argThis, func(c *call, in, dst []Node) []Node {
		n, ok := c.intArg(0)
		if !ok {
			return dst
		}
		return append(dst, in[clamp(n, len(in)):]...)
	})
	register("take", 1, 1, argThis, func(c *call, in, dst []Node) []Node {
		n, ok := c.intArg(0)
		if !ok {
			return dst
		}
		return append(dst, in[:clamp(n, len(in))]...)
	})
	register("intersect", 1, 1, argThis, func(c *call, in, dst []Node) []Node {
		return filterMembers(in, c.vals[0], true, dst)
	})
	register("exclude", 1, 1, argThis, func(c *call, in, dst []Node) []Node {
		return filterMembers(in, c.vals[0], false, dst)
	})
	register("union", 1, 1, argThis, func(c *call, in, dst []Node) []Node {
		start := len(dst)
		dst = appendDistinct(dst, in)
		for _, n := range c.vals[0] {
			if !containsEqual(dst[start:], n) {
				dst = append(dst, n)
			}
		}
		return dst
	})
	register("combine", 1, 1, argThis, func(c *call, in, dst []Node) []Node {
		return append(append(dst, in...), c.vals[0]...)
	})
}

func intNode(i int) Node { return Node{Value: json.Number(itoa(i)), Type: "integer"} }

func clamp(n int64, size int) int {
	if n < 0 {
		return 0
	}
	if n > int64(size) {
		return size
	}
	return int(n)
}

// intArg returns the i-th argument as an integer; an empty argument is
// unknown and a non-integer one an error.
func (c *call) intArg(i int) (int64, bool) {
	n, ok := c.e.singleton(c.vals[i], c.f.name+"()")
	if !ok {
		return 0, false
	}
	v, ok := intValue(n)
	if !ok {
		c.e.fail("%s() takes an integer, got %s", c.f.name, typeName(n))
	}
	return v, ok
}

// filterMembers keeps the distinct items of in that are (keep) or are not
// in other.
func filterMembers(in, other []Node, keep bool, dst []Node) []Node {
	start := len(dst)
	for _, n := range in {
		if containsEqual(other, n) != keep {
			continue
		}
		if keep && containsEqual(dst[start:], n) {
			continue
		}
		dst = append(dst, n)
	}
	return dst
}

// subset reports whether every item of a equals an item of b.
func subset(a, b []Node) bool {
	for _, n := range a {
		if !containsEqual(b, n) {
			return false
		}
	}
	return true
}

// boolsFunc builds allTrue, anyTrue, allFalse and anyFalse: every (all) or
// some item of the input is the boolean want.
func boolsFunc(all, want bool) func(*call, []Node, []Node) []Node {
	return func(c *call, in, dst []Node) []Node {
		for _, n := range in {
			b, ok := n.Value.(bool)
			if !ok {
				c.e.fail("%s() on a %s", c.f.name, typeName(n))
				return dst
			}
			if all && b != want {
				return append(dst, boolNode(false))
			}
			if !all && b == want {
				return append(dst, boolNode(true))
			}
		}
		return append(dst, boolNode(all))
	}
}

func fnExists(c *call, in, dst []Node) []Node {
	if len(c.f.args) == 0 {
		return append(dst, boolNode(len(in) > 0))
	}
	for i, n := range in {
		if v, ok := c.e.boolWith(c.arg(0), n, i); ok && v {
			return append(dst, boolNode(true))
		}
	}
	return append(dst, boolNode(false))
}

func fnAll(c *call, in, dst []Node) []Node {
	for i, n := range in {
		if v, ok := c.e.boolWith(c.arg(0), n, i); !ok || !v {
			return append(dst, boolNode(false))
		}
	}
	return append(dst, boolNode(true))
}

func fnWhere(c *call, in, dst []Node) []Node {
	for i, n := range in {
		if v, ok := c.e.boolWith(c.arg(0), n, i); ok && v {
			dst = append(dst, n)
		}
	}
	return dst
}

func fnSelect(c *call, in, dst []Node) []Node {
	for i, n := range in {
		dst = c.e.evalWith(c.arg(0), n, i, dst)
	}
	return dst
}

// fnRepeat applies the projection to the input, then to its results, until
// no new items appear; an item equal to one already found is not followed
// again, so that cycles end.
func fnRepeat(c *call, in, dst []Node) []Node {
	start := len(dst)
	queue := append(c.e.get(), in...)
	for len(queue) > 0 && !c.e.failed() {
		n := queue[0]
		queue = queue[1:]
		out := c.e.evalWith(c.arg(0), n, 0, c.e.get())
		for _, m := range out {
			if !containsEqual(dst[start:], m) {
				dst = append(dst, m)
				queue = append(queue, m)
			}
		}
		c.e.put(out)
	}
	c.e.put(queue[:0])
	return dst
}

// fnAggregate is aggregate(aggregator, init): $total starts as init and
// becomes the aggregator's value for each item in turn.
func fnAggregate(c *call, in, dst []Node) []Node {
	saved := c.e.total
	var total []Node
	if len(c.f.args) > 1 {
		total = c.f.args[1].eval(c.e, c.e.this, nil)
	}
	for i, n := range in {
		c.e.total = total
		total = c.e.evalWith(c.arg(0), n, i, nil)
	}
	c.e.total = saved
	return append(dst, total...)
}

// ofType keeps the input items of the given type.
func ofType(in []Node, typ string, dst []Node) []Node {
	for _, n := range in {
		if IsType(n, typ) {
			dst = append(dst, n)
		}
	}
	return dst
}
