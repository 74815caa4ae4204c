package patch

import (
	"fmt"
	"slices"
)

// The helpers below change lists of the JSON tree. A list of primitive
// values may have a twin under the key prefixed with "_" that holds the id
// and extensions of each value, null where a value has none ("given" and
// "_given"); the helpers keep the twin aligned with its list, drop a twin
// that holds only nulls, and drop an emptied list with its twin, since FHIR
// JSON has no empty arrays.

// getList returns the list obj[key] and its twin padded to the same
// length; the twin is nil when there is none.
func getList(obj map[string]any, key string) (items, twin []any) {
	items, _ = obj[key].([]any)
	if t, ok := obj["_"+key].([]any); ok {
		twin = make([]any, len(items))
		copy(twin, t)
	}
	return items, twin
}

// putList stores items and twin as obj[key] and its twin.
func putList(obj map[string]any, key string, items, twin []any) {
	if len(items) == 0 {
		delete(obj, key)
		delete(obj, "_"+key)
		return
	}
	obj[key] = items
	if slices.ContainsFunc(twin, func(v any) bool { return v != nil }) {
		obj["_"+key] = twin
	} else {
		delete(obj, "_"+key)
	}
}

// listInsert inserts v, with the primitive extensions ext (or nil), at
// position i of the list obj[key], creating the list if there is none.
func listInsert(obj map[string]any, key string, i int, v, ext any) {
	items, twin := getList(obj, key)
	if twin == nil && ext != nil {
		twin = make([]any, len(items))
	}
	items = slices.Insert(items, i, v)
	if twin != nil {
		twin = slices.Insert(twin, i, ext)
	}
	putList(obj, key, items, twin)
}

// listSet replaces item i of the list obj[key] with v and ext.
func listSet(obj map[string]any, key string, i int, v, ext any) {
	items, twin := getList(obj, key)
	if twin == nil && ext != nil {
		twin = make([]any, len(items))
	}
	items[i] = v
	if twin != nil {
		twin[i] = ext
	}
	putList(obj, key, items, twin)
}

// listRemove removes item i of the list obj[key].
func listRemove(obj map[string]any, key string, i int) {
	items, twin := getList(obj, key)
	items = slices.Delete(items, i, i+1)
	if twin != nil {
		twin = slices.Delete(twin, i, i+1)
	}
	putList(obj, key, items, twin)
}

// listMove moves item from of the list obj[key] to position to.
func listMove(obj map[string]any, key string, from, to int) {
	items, twin := getList(obj, key)
	move := func(l []any) []any {
		v := l[from]
		return slices.Insert(slices.Delete(l, from, from+1), to, v)
	}
	items = move(items)
	if twin != nil {
		twin = move(twin)
	}
	putList(obj, key, items, twin)
}

// removeNode removes the element of n, with its primitive extensions, from
// the object holding it.
func removeNode(n *node) {
	if n.idx >= 0 {
		listRemove(n.obj, n.key, n.idx)
		return
	}
	delete(n.obj, n.key)
	delete(n.obj, "_"+n.key)
}

// prune removes the ancestors of n that the removal of n left empty, up
// to but not including the resource, since FHIR JSON has no empty objects.
func prune(n *node) {
	for p := n.parent; p != nil && p.obj != nil; p = p.parent {
		if m, ok := p.value.(map[string]any); !ok || len(m) > 0 {
			return
		}
		removeNode(p)
	}
}

// putChild adds the child v, with primitive extensions ext, under key in
// obj: appended when obj[key] is a list, made a list of two when it holds
// one value already, created as a list of one when repeated is set, and
// stored as a single value otherwise.
func putChild(obj map[string]any, key string, v, ext any, repeated bool) {
	old, ok := obj[key]
	if ok {
		if _, isList := old.([]any); !isList {
			oldExt, hasExt := obj["_"+key]
			obj[key] = []any{old}
			delete(obj, "_"+key)
			if hasExt {
				obj["_"+key] = []any{oldExt}
			}
		}
		items, _ := obj[key].([]any)
		listInsert(obj, key, len(items), v, ext)
		return
	}
	if repeated {
		listInsert(obj, key, 0, v, ext)
		return
	}
	obj[key] = v
	if ext != nil {
		obj["_"+key] = ext
	}
}

// build returns the element s gives, of type t, and its primitive
// extensions: a copy of the value[x] or resource, or an object made of the
// nested parts, each child named by its part.
func (s *valueSpec) build(t schemaType) (v, ext any, err error) {
	if s.parts == nil {
		return clone(s.v), clone(s.ext), nil
	}
	obj := make(map[string]any, len(s.parts))
	for _, p := range s.parts {
		el := t.element(p.name)
		key, err := childKey(el, p.name, p.value.suffix)
		if err != nil {
			return nil, nil, err
		}
		cv, cext, err := p.value.build(el.content(p.value.suffix))
		if err != nil {
			return nil, nil, err
		}
		putChild(obj, key, cv, cext, el.repeated)
	}
	return obj, nil, nil
}

// childKey returns the JSON key of the element el, called name, for a
// value of the type suffix: the name itself, or for a choice element the
// name followed by the type ("deceased" and "Boolean" make
// "deceasedBoolean").
func childKey(el element, name, suffix string) (string, error) {
	if !el.choice {
		return name, nil
	}
	if suffix == "" {
		return "", fmt.Errorf("%s is a choice element (%s[x]); give its value as a value[x]", name, name)
	}
	if el.variant(suffix) == nil {
		return "", fmt.Errorf("%s[x] cannot be of type %s", name, suffix)
	}
	return name + suffix, nil
}
