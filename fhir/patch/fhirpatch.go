package patch

import (
	"fmt"

	"github.com/fhirbase-go/fhird/fhir"
)

// FHIRPath applies a FHIRPath Patch (a FHIR Parameters resource, already
// decoded into a generic tree, see hl7.org/fhir/R4/fhirpatch.html) to res,
// returning the patched resource (it may modify res in place and return
// it).
//
// The operations are applied in order. More than MaxOperations of them, or
// paths that reach more than MaxElementsReached elements in all, are an
// error of kind fhir.KindTooCostly; malformed Parameters are an error of
// kind fhir.KindInvalid; an operation that cannot be applied to res (a path
// that must match one element and matches none or several, an index out of
// range, an add to an element that already has a value) is an error of kind
// fhir.KindUnprocessable with issue code processing, located at the path.
// On error res may have been modified by the operations before the failing
// one and must be discarded.
func FHIRPath(res map[string]any, params map[string]any) (map[string]any, error) {
	if res == nil {
		return nil, fhir.Errorf(fhir.KindInternal, fhir.IssueException, "patch.FHIRPath: the resource is nil")
	}
	ops, err := parseParameters(params)
	if err != nil {
		return nil, err
	}
	budget := MaxElementsReached
	for _, op := range ops {
		op.budget = &budget
		if err := op.apply(res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// apply applies op to res.
func (op *operation) apply(res map[string]any) error {
	switch op.typ {
	case "add":
		return op.add(res)
	case "insert":
		return op.insert(res)
	case "delete":
		return op.delete(res)
	case "replace":
		return op.replace(res)
	default: // "move"; check admits no other type.
		return op.move(res)
	}
}

// fail returns the error of op failing on the resource.
func (op *operation) fail(format string, args ...any) error {
	return fhir.Errorf(fhir.KindUnprocessable, fhir.IssueProcessing, "FHIRPath Patch operation %d (%s %s): %s",
		op.n, op.typ, op.path, fmt.Sprintf(format, args...)).At(op.path)
}

// resolve returns the nodes steps reach in res, or an error when the patch
// has reached MaxElementsReached elements.
func (op *operation) resolve(res map[string]any, steps []step) ([]*node, error) {
	nodes, ok := resolve(res, steps, op.budget)
	if !ok {
		return nil, fhir.Errorf(fhir.KindTooCostly, fhir.IssueTooCostly,
			"FHIRPath Patch operation %d (%s %s): the paths of the patch reach more than %d elements, all operations counted; this server walks at most that many in one patch",
			op.n, op.typ, op.path, MaxElementsReached).At(op.path)
	}
	return nodes, nil
}

// one returns the one node op.steps reach in res.
func (op *operation) one(res map[string]any, steps []step) (*node, error) {
	nodes, err := op.resolve(res, steps)
	if err != nil {
		return nil, err
	}
	switch len(nodes) {
	case 1:
		return nodes[0], nil
	case 0:
		return nil, op.fail("the path matches nothing; %s needs exactly one element", op.typ)
	default:
		return nil, op.fail("the path matches %d elements; %s needs exactly one", len(nodes), op.typ)
	}
}

// add adds the child op.name with op.value to the one element op.path
// names. The child is appended when the element already holds a list of
// that name, and an error when it holds a single value. When the child is
// absent, it is created as a list of one if the schema says it repeats,
// and as a single value otherwise, an element the schema does not know
// included.
func (op *operation) add(res map[string]any) error {
	target, err := op.one(res, op.steps)
	if err != nil {
		return err
	}
	obj, ok := target.value.(map[string]any)
	if !ok {
		return op.fail("the path names a primitive value, which has no child elements to add to")
	}
	el := target.typ.element(op.name)
	key, keyErr := childKey(el, op.name, op.value.suffix)
	if keyErr != nil {
		return op.fail("%s", keyErr)
	}
	if el.choice {
		for _, k := range el.choiceKeys(op.name) {
			if _, ok := obj[k]; ok {
				return op.fail("%s already has a value (%s); use replace to change it", op.name, k)
			}
		}
	}
	if old, ok := obj[key]; ok {
		if _, isList := old.([]any); !isList {
			return op.fail("%s already has a value and does not repeat; use replace to change it", key)
		}
	}
	v, ext, err := op.value.build(el.content(op.value.suffix))
	if err != nil {
		return op.fail("%s", err)
	}
	putChild(obj, key, v, ext, el.repeated)
	return nil
}

// list returns the object holding the list op.path names, the list's key,
// and what the schema knows of it. A list that is absent is empty, as long
// as the object that would hold it exists.
func (op *operation) list(res map[string]any) (map[string]any, string, element, error) {
	last := op.steps[len(op.steps)-1]
	if last.name == "" || (len(op.steps) == 1 && isTypeName(last.name)) {
		return nil, "", element{}, op.fail("the path must name a list, such as Patient.name, not one element")
	}
	parent, err := op.one(res, op.steps[:len(op.steps)-1])
	if err != nil {
		return nil, "", element{}, err
	}
	obj, ok := parent.value.(map[string]any)
	if !ok {
		return nil, "", element{}, op.fail("the path names a child of a primitive value, which has none")
	}
	el := parent.typ.element(last.name)
	if v, ok := obj[last.name]; ok {
		if _, isList := v.([]any); !isList {
			return nil, "", element{}, op.fail("%s holds a single value, not a list", last.name)
		}
	} else if el.known && !el.repeated {
		return nil, "", element{}, op.fail("%s does not repeat, so it is not a list", last.name)
	}
	return obj, last.name, el, nil
}

// insert inserts op.value into the list op.path names at op.index, which
// may be the length of the list.
func (op *operation) insert(res map[string]any) error {
	obj, key, el, err := op.list(res)
	if err != nil {
		return err
	}
	items, _ := getList(obj, key)
	if op.index < 0 || op.index > len(items) {
		return op.fail("index %d is out of range: the list has %d items, so the index must be from 0 to %d",
			op.index, len(items), len(items))
	}
	v, ext, err := op.value.build(el.content(op.value.suffix))
	if err != nil {
		return op.fail("%s", err)
	}
	listInsert(obj, key, op.index, v, ext)
	return nil
}

// move moves the item at op.src of the list op.path names to op.dst.
func (op *operation) move(res map[string]any) error {
	obj, key, _, err := op.list(res)
	if err != nil {
		return err
	}
	items, _ := getList(obj, key)
	for _, i := range []int{op.src, op.dst} {
		if i < 0 || i >= len(items) {
			return op.fail("index %d is out of range: the list has %d items", i, len(items))
		}
	}
	listMove(obj, key, op.src, op.dst)
	return nil
}

// delete deletes the element op.path names, if there is one, and the
// objects and lists its removal leaves empty.
func (op *operation) delete(res map[string]any) error {
	nodes, err := op.resolve(res, op.steps)
	if err != nil {
		return err
	}
	switch {
	case len(nodes) == 0:
		return nil // The specification: no error if the path matches nothing.
	case len(nodes) > 1:
		return op.fail("the path matches %d elements; delete removes exactly one", len(nodes))
	case nodes[0].obj == nil:
		return op.fail("the resource itself cannot be deleted")
	}
	removeNode(nodes[0])
	prune(nodes[0])
	return nil
}

// replace replaces the value of the one element op.path names. A choice
// element takes the key of the new value's type, so replacing
// deceasedBoolean with a valueDateTime leaves deceasedDateTime. The new
// value replaces the element whole, its primitive extensions included.
func (op *operation) replace(res map[string]any) error {
	n, err := op.one(res, op.steps)
	if err != nil {
		return err
	}
	if n.obj == nil {
		return op.fail("the resource itself cannot be replaced")
	}
	key := n.key
	if n.base != "" {
		if key, err = childKey(n.el, n.base, op.value.suffix); err != nil {
			return op.fail("%s", err)
		}
	}
	v, ext, err := op.value.build(n.el.content(op.value.suffix))
	if err != nil {
		return op.fail("%s", err)
	}
	if n.idx >= 0 {
		listSet(n.obj, key, n.idx, v, ext)
		return nil
	}
	delete(n.obj, n.key)
	delete(n.obj, "_"+n.key)
	n.obj[key] = v
	if ext != nil {
		n.obj["_"+key] = ext
	}
	return nil
}
