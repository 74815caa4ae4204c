package validate

import (
	"regexp"
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/fhirpath"
)

// nativeInvariants are the invariants the walk checks itself instead of
// evaluating their expressions, with the expressions it implements
// (TestNativeInvariants compares them with the model's). They bind every
// element or every resource, their expressions need all of FHIRPath
// (descendants(), htmlChecks(), trace()), and the walk has the precise
// location of a failure at hand:
//
//   - ele-1: an object that is empty or holds only an id (check.go:
//     item, twinRule), an empty string, array or object;
//   - ext-1: checkExtension;
//   - dom-2, dom-4, dom-5: containedRules; dom-3: containedReferenced;
//   - ref-1: checkLocal;
//   - txt-1, txt-2: checkNarrative.
var nativeInvariants = map[string]string{
	"ele-1": "hasValue() or (children().count() > id.count())",
	"ext-1": "extension.exists() != value.exists()",
	"dom-2": "contained.contained.empty()",
	"dom-3": "contained.where((('#'+id in (%resource.descendants().reference | %resource.descendants().as(canonical) | %resource.descendants().as(uri) | %resource.descendants().as(url))) or descendants().where(reference = '#').exists() or descendants().where(as(canonical) = '#').exists() or descendants().where(as(canonical) = '#').exists()).not()).trace('unmatched', id).empty()",
	"dom-4": "contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()",
	"dom-5": "contained.meta.security.empty()",
	"ref-1": "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))",
	"txt-1": "htmlChecks()",
	"txt-2": "htmlChecks()",
}

// get returns the compiled expression of the invariant, compiling it on
// first use, or nil when the engine cannot compile it.
func (inv *invariant) get() compiledExpr {
	inv.once.Do(func() { inv.x, inv.err = compileInvariant(inv.expr) })
	return inv.x
}

// compiledKeys returns the keys of the invariants of the type and of its
// elements that the engine compiles, compiling them all the first time.
func (t *typeDef) compiledKeys() map[string]bool {
	t.compileOnce.Do(func() {
		t.compiled = map[string]bool{}
		add := func(invs []*invariant) {
			for _, inv := range invs {
				if !inv.native && inv.get() != nil {
					t.compiled[inv.key] = true
				}
			}
		}
		add(t.invs)
		for _, e := range t.elems {
			add(e.invs)
		}
	})
	return t.compiled
}

// invariants evaluates the invariants invs on v, a value of type typ, and
// reports each that does not hold at the current path.
func (c *checker) invariants(invs []*invariant, v any, typ string) {
	for _, inv := range invs {
		if inv.native || c.set.full() {
			continue
		}
		x := inv.get()
		if x == nil {
			continue
		}
		ok, err := holds(x, fhirpath.Node{Value: v, Type: typ}, c.res, c.rootRes)
		if err == nil && !ok {
			c.add(fhir.IssueInvariant, "%s (%s: %s).", strings.TrimSuffix(inv.human, "."), inv.key, inv.expr)
		}
	}
}

// containedReferenced checks dom-3 and the uniqueness of contained ids on
// the resource obj: every contained resource is referred to ("#id") from
// elsewhere in the resource, or refers to its container ("#").
func (c *checker) containedReferenced(obj map[string]any) {
	list, _ := obj["contained"].([]any)
	if len(list) == 0 {
		return
	}
	local := map[string]bool{}
	localRefs(obj, local)
	seen := map[string]int{}
	for i, el := range list {
		r, ok := el.(map[string]any)
		if !ok {
			continue
		}
		c.push(seg{kind: segKey, key: "contained"})
		c.push(seg{kind: segIndex, index: i})
		id, _ := r["id"].(string)
		switch prev, dup := seen[id]; {
		case id == "":
			c.add(fhir.IssueInvariant, "A contained resource needs an id, by which the resource refers to it (dom-3).")
		case dup:
			c.add(fhir.IssueInvariant, "The contained resources %d and %d have the same id %q: a reference #%s would be ambiguous.", prev, i, clip(id), clip(id))
		case !local["#"+id] && !refersTo(r, "#"):
			c.add(fhir.IssueInvariant, "The contained resource %q is not referred to from elsewhere in the resource, nor does it refer to its container (dom-3).", clip(id))
		}
		seen[id] = i
		c.pop()
		c.pop()
	}
}

// localRefs collects the strings of v that name a contained resource
// ("#id"): references, canonicals and uris alike.
func localRefs(v any, into map[string]bool) {
	switch t := v.(type) {
	case string:
		if strings.HasPrefix(t, "#") {
			into[t] = true
		}
	case map[string]any:
		for k, c := range t {
			if k != "div" {
				localRefs(c, into)
			}
		}
	case []any:
		for _, c := range t {
			localRefs(c, into)
		}
	}
}

func refersTo(v any, s string) bool {
	found := map[string]bool{}
	localRefs(v, found)
	return found[s]
}

// twinRule checks ele-1 on the _name twin k of a primitive of parent: an
// id alone, with no value beside it, is no content.
func (c *checker) twinRule(parent map[string]any, k string, obj map[string]any) {
	if strings.HasPrefix(k, "_") && len(k) > 1 {
		if _, value := parent[k[1:]]; !value && onlyKeys(obj, "id") {
			c.add(fhir.IssueInvariant, "The element has neither a value nor extensions (ele-1).")
		}
	}
}

// literalRef matches a literal reference to Type/id (relative, absolute,
// versioned) and captures the type.
var literalRef = regexp.MustCompile(`(?:^|/)([A-Z][A-Za-z]+)/[A-Za-z0-9\-.]{1,64}(?:/_history/[A-Za-z0-9\-.]{1,64})?$`)

// onlyKeys reports whether obj has no member but the given ones.
func onlyKeys(obj map[string]any, keys ...string) bool {
	for k := range obj {
		ok := false
		for _, want := range keys {
			ok = ok || k == want
		}
		if !ok {
			return false
		}
	}
	return true
}
