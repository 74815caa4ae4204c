package validate

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"
	"google.golang.org/protobuf/proto"

	rpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
)

// unmarshaller returns the one R4 unmarshaller of the process. It is shared:
// after construction it is only read (its caches are guarded by the
// library's own locks), which TestConcurrent checks under the race detector.
var unmarshaller = sync.OnceValue(func() *jsonformat.Unmarshaller {
	u, err := jsonformat.NewUnmarshaller("UTC", fhirversion.R4)
	if err != nil {
		panic(fmt.Sprintf("validate: creating the R4 unmarshaller: %v", err))
	}
	return u
})

// r4Types holds the names of the R4 resource types, read from the choices of
// google/fhir's ContainedResource so that the two can never disagree.
var r4Types = func() map[string]bool {
	fields := (&rpb.ContainedResource{}).ProtoReflect().Descriptor().Fields()
	types := make(map[string]bool, fields.Len())
	for i := 0; i < fields.Len(); i++ {
		if m := fields.Get(i).Message(); m != nil {
			types[string(m.Name())] = true
		}
	}
	return types
}()

// libError holds the fields of google/fhir's internal UnmarshalError. That
// type lives in an internal package, and its Error method drops the
// diagnostics (the offending key or value), so the fields are read by
// reflection. TestLibraryErrorShape fails if the type changes shape.
type libError struct {
	path, details, diagnostics, kind string
}

// libErrors extracts the UnmarshalErrors from err, which may be one error or
// a list of them. It reports false for any other error.
func libErrors(err error) ([]libError, bool) {
	v := reflect.ValueOf(err)
	if v.Kind() != reflect.Slice {
		le, ok := libErrorOf(v)
		return []libError{le}, ok
	}
	out := make([]libError, 0, v.Len())
	for i := 0; i < v.Len(); i++ {
		le, ok := libErrorOf(v.Index(i))
		if !ok {
			return nil, false
		}
		out = append(out, le)
	}
	return out, true
}

func libErrorOf(v reflect.Value) (libError, bool) {
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return libError{}, false
	}
	v = v.Elem()
	if v.Type().Name() != "UnmarshalError" {
		return libError{}, false
	}
	var le libError
	ok := stringField(v, "Path", &le.path) && stringField(v, "Details", &le.details) &&
		stringField(v, "Diagnostics", &le.diagnostics) && stringField(v, "Type", &le.kind)
	return le, ok
}

func stringField(v reflect.Value, name string, dst *string) bool {
	f := v.FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.String {
		return false
	}
	*dst = f.String()
	return true
}

// reporter collects the errors of google/fhir's validation pass (required
// elements, primitive formats, reference types), which runs only when the
// structural parse succeeded.
type reporter struct{ errs []libError }

func (r *reporter) ReportValidationError(path string, err error) error {
	les, ok := libErrors(err)
	if !ok {
		les = []libError{{details: err.Error()}}
	}
	for _, le := range les {
		if le.path == "" {
			le.path = path
		}
		r.errs = append(r.errs, le)
	}
	return nil
}

// ReportValidationWarning ignores warnings: R4 validation emits none, and a
// warning is not a reason to refuse a write.
func (r *reporter) ReportValidationWarning(string, error) error { return nil }

// outcome is what one google/fhir run found.
type outcome struct {
	parse  []libError // structural errors; when present, validation did not run
	report []libError // validation errors
	err    error      // anything else: a failure of the library itself
	msg    proto.Message
}

// unmarshal runs google/fhir over body. A panic in the library is turned
// into an error so that no input can crash the server.
func unmarshal(body []byte) (out outcome) {
	defer func() {
		if r := recover(); r != nil {
			out.err = fmt.Errorf("google/fhir panicked: %v", r)
		}
	}()
	rep := &reporter{}
	msg, err := unmarshaller().UnmarshalWithErrorReporter(body, rep)
	out.report, out.msg = rep.errs, msg
	if err != nil {
		if les, ok := libErrors(err); ok {
			out.parse = les
		} else {
			out.err = err
		}
	}
	return out
}

// libraryIssues validates tree, a resource of R4 type typ, with google/fhir
// and adds what it finds to set. body is its JSON text. nested lists the
// resources inside it.
//
// google/fhir rejects a valid Parameters whose parameter[].resource holds a
// resource ("unknown field"). So when there is any such resource, the
// document is validated with those resources removed, and each of them is
// validated on its own. Contained resources are validated on their own too:
// google/fhir parses them but keeps them as protobuf Any, so it never checks
// their required elements. The nested resources are validated in the order
// of their paths, and no more once set is full.
func libraryIssues(tree map[string]any, body []byte, typ string, nested []embedded, nulls bool, set *issueSet) error {
	slices.SortFunc(nested, func(a, b embedded) int { return comparePaths(a.at, b.at) })
	params := paramsUnder(nested, nil)
	root := run{obj: tree, typ: typ, parse: true, nulls: nulls}
	err := root.issues(body, params, set)
	for i, e := range nested {
		if set.full() {
			break
		}
		obj, ok := e.obj.(map[string]any)
		if e.kind == slotNative || !ok || !r4Types[e.typ] {
			continue
		}
		var inner []path
		if len(params) > 0 {
			inner = paramsUnder(nested[i+1:], e.at)
		}
		sub := run{obj: obj, typ: e.typ, prefix: e.expr, parse: e.kind == slotParam, nulls: nulls}
		err = errors.Join(err, sub.issues(nil, inner, set))
	}
	return err
}

// comparePaths orders paths segment by segment, indexes by number; a path
// comes before the paths below it.
func comparePaths(a, b path) int {
	for i := range min(len(a), len(b)) {
		if c := cmp.Or(cmp.Compare(a[i].kind, b[i].kind), strings.Compare(a[i].key, b[i].key),
			cmp.Compare(a[i].index, b[i].index)); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

// paramsUnder returns the locations, relative to at, of the parameter
// resources inside the resource at at (nil for the root). They are at the
// start of nested, which is sorted by path: the paths below a path follow
// it. Looking no further keeps the work in proportion to the number of
// resources (it grew with its square: 30,000 parameters took 5 s).
func paramsUnder(nested []embedded, at path) []path {
	var out []path
	for _, e := range nested {
		if len(e.at) <= len(at) || !slices.Equal(e.at[:len(at)], at) {
			break
		}
		if e.kind == slotParam {
			out = append(out, e.at[len(at):])
		}
	}
	return out
}

// run is one google/fhir validation of one resource.
type run struct {
	obj    map[string]any // the resource's tree
	typ    string         // its type, which roots google/fhir's paths
	prefix string         // its expression when nested, or "" at the root
	parse  bool           // whether to report structural errors
	nulls  bool           // whether some array of the document holds a null
}

// issues validates r.obj, whose JSON is body (or nil to marshal it), after
// removing the parameter resources at params, and adds what it finds to
// set. It returns the library's own failure, if any.
//
// google/fhir skips validation when the structure does not parse. So when
// it reports structural errors, the offending elements are removed and the
// rest is run again, once, to find the missing required elements too;
// unless set is full already.
func (r run) issues(body []byte, params []path, set *issueSet) error {
	if r.nulls {
		r.obj, body = libraryView(r.obj), nil
	}
	if len(params) > 0 {
		r.obj = fhir.CloneTree(r.obj).(map[string]any)
		for _, p := range params {
			remove(r.obj, p)
		}
		body = nil
	}
	if body == nil {
		var err error
		if body, err = marshal(r.obj); err != nil {
			set.add(r.failure())
			return err
		}
	}
	out := unmarshal(body)
	if out.err != nil {
		set.add(r.failure())
	}
	if r.parse {
		for le := range inOrder(out.parse) {
			if set.full() {
				break
			}
			set.add(r.issue(le))
		}
	}
	for le := range inOrder(out.report) {
		if set.full() {
			break
		}
		set.add(r.issue(r.fixReference(le)))
	}
	if r.prefix == "" && out.err == nil && len(out.parse) == 0 && out.msg != nil && !set.full() && mayMiscase(r.obj) {
		set.addSorted(r.spelling(out.msg))
	}
	if len(out.parse) > 0 && !set.full() {
		r.retry(out.parse, set)
	}
	return out.err
}

// inOrder yields the library's errors, which come in the order of map
// iteration, by path and text: when the set fills up, which of them it
// holds must not change from one run to the next. The order is made
// lazily, by a heap, because a set that fills up needs only the first of
// what may be a great many (one per unknown key).
func inOrder(les []libError) iter.Seq[libError] {
	return heapOrder(les, func(a, b libError) int {
		return cmp.Or(strings.Compare(a.path, b.path), strings.Compare(a.details, b.details),
			strings.Compare(a.diagnostics, b.diagnostics), strings.Compare(a.kind, b.kind))
	})
}

// heapOrder yields the elements of s from the least to the greatest; it
// reorders s.
func heapOrder[T any](s []T, cmp func(a, b T) int) iter.Seq[T] {
	down := func(i, n int) {
		for {
			least, l, r := i, 2*i+1, 2*i+2
			if l < n && cmp(s[l], s[least]) < 0 {
				least = l
			}
			if r < n && cmp(s[r], s[least]) < 0 {
				least = r
			}
			if least == i {
				return
			}
			s[i], s[least] = s[least], s[i]
			i = least
		}
	}
	return func(yield func(T) bool) {
		for i := len(s)/2 - 1; i >= 0; i-- {
			down(i, len(s))
		}
		for n := len(s); n > 0; n-- {
			if !yield(s[0]) {
				return
			}
			s[0], s[n-1] = s[n-1], s[0]
			down(0, n-1)
		}
	}
}

// libraryView returns a copy of obj that google/fhir can read: JSON keeps a
// repeating primitive aligned with its _name twin by nulls ("given":
// [null,"b"], "_given":[{...},null], json.html), which google/fhir refuses.
// Where the twin has an element, a null value takes the place of another
// value of its array (so the indexes, and the issues' expressions, stay as
// they are; the array goes when it holds no value), and a null of the twin
// becomes {}. A null without a partner stays, and google/fhir reports it.
func libraryView(obj map[string]any) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		arr, isArr := v.([]any)
		if !isArr {
			if m, ok := v.(map[string]any); ok {
				v = libraryView(m)
			}
			out[k] = v
			continue
		}
		twinKey := "_" + k
		if strings.HasPrefix(k, "_") {
			twinKey = k[1:]
		}
		twin, _ := obj[twinKey].([]any)
		partnered := func(i int) bool { return i < len(twin) && twin[i] != nil }
		var value any
		for i, el := range arr {
			if el != nil && !strings.HasPrefix(k, "_") {
				value = arr[i]
				break
			}
		}
		if value == nil && !strings.HasPrefix(k, "_") && allPartnered(arr, partnered) {
			continue // only nulls, each with its twin: the twin carries it all
		}
		cp := make([]any, len(arr))
		for i, el := range arr {
			switch m := el.(type) {
			case nil:
				switch {
				case !partnered(i):
					cp[i] = nil
				case strings.HasPrefix(k, "_"):
					cp[i] = map[string]any{}
				default:
					cp[i] = value
				}
			case map[string]any:
				cp[i] = libraryView(m)
			default:
				cp[i] = el
			}
		}
		out[k] = cp
	}
	return out
}

func allPartnered(arr []any, partnered func(int) bool) bool {
	for i := range arr {
		if !partnered(i) {
			return false
		}
	}
	return true
}

// retry removes the elements behind parse errors, validates the rest and
// adds what it finds to set.
func (r run) retry(parse []libError, set *issueSet) {
	pruned := fhir.CloneTree(r.obj).(map[string]any)
	removed := map[string]bool{}
	for _, le := range parse {
		if at, ok := pruneTarget(le); ok && remove(pruned, at) {
			removed[at.canonical()] = true
		}
	}
	if len(removed) == 0 {
		return
	}
	body, err := marshal(pruned)
	if err != nil {
		return
	}
	for le := range inOrder(unmarshal(body).report) {
		if set.full() {
			return
		}
		is := r.issue(r.fixReference(le))
		// A required element that was just removed is not missing: it is
		// wrong, and that is reported already.
		if _, p, ok := parseExpr(le.path); ok && is.code == fhir.IssueRequired {
			if removed[append(p.withoutOfType(), seg{kind: segKey, key: requiredName(le)}).canonical()] {
				continue
			}
		}
		set.add(is)
	}
}

// failure is the issue reported when the library fails on its own.
func (r run) failure() issue {
	return issue{code: fhir.IssueStructure, expr: r.rebase(r.typ), offset: -1,
		msg: "The resource could not be validated."}
}

// rebase moves a path from the library, rooted at the resource type, under
// the resource's own expression.
func (r run) rebase(p string) string {
	if r.prefix == "" || !strings.HasPrefix(p, r.typ) {
		return p
	}
	return r.prefix + p[len(r.typ):]
}

// issue turns one library error into an issue.
func (r run) issue(le libError) issue {
	is := issue{code: fhir.IssueValue, expr: r.rebase(le.path), offset: -1}
	msg := upperFirst(clip(le.details))
	if le.diagnostics != "" {
		msg += ": " + strings.ToValidUTF8(clip(le.diagnostics), "\uFFFD")
	}
	msg += "."
	switch d := le.details; {
	case d == "unknown field" || strings.HasPrefix(d, "cannot accept multiple values"):
		key, err := strconv.Unquote(le.diagnostics)
		if err != nil {
			key = le.diagnostics
		}
		is.code, is.expr = fhir.IssueStructure, appendKey(is.expr, key)
		if d == "unknown field" {
			msg = fmt.Sprintf("Unknown element %q.", clip(key))
		}
	case d == "unknown resource type":
		is.code, is.expr = fhir.IssueNotSupported, is.expr+".resourceType"
	case d == "invalid resource type":
		is.expr = is.expr + ".resourceType"
	case requiredName(le) != "":
		name := requiredName(le)
		is.code, is.expr = fhir.IssueRequired, appendKey(is.expr, name)
		msg = fmt.Sprintf("The required element %s is missing or empty.", name)
	case structural(d):
		is.code = fhir.IssueStructure
	}
	is.msg = msg
	return is
}

// requiredName returns the element a required-field error is about, or "".
func requiredName(le libError) string {
	for _, prefix := range [...]string{"missing required field ", "required field "} {
		if rest, ok := strings.CutPrefix(le.details, prefix); ok {
			quoted, _, _ := strings.Cut(rest, " is either")
			if name, err := strconv.Unquote(quoted); err == nil {
				return name
			}
		}
	}
	return ""
}

// structural reports whether a library error is about the shape of the JSON
// rather than about a value.
func structural(details string) bool {
	switch details {
	case "expected array", "invalid extension field", "invalid field", "invalid JSON":
		return true
	}
	return strings.HasPrefix(details, "invalid value (expected a ") ||
		strings.HasPrefix(details, "array length mismatch") ||
		strings.HasPrefix(details, "field exceeded the maximum nesting depth")
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

func appendKey(expr, key string) string {
	var b strings.Builder
	b.WriteString(expr)
	b.WriteByte('.')
	writeName(&b, key)
	return b.String()
}

// fixReference maps a path into the internals of google/fhir's Reference
// proto (Observation.subject.patientId.history) to the JSON element the
// value came from (Observation.subject.reference).
func (r run) fixReference(le libError) libError {
	root, p, ok := parseExpr(le.path)
	if !ok {
		return le
	}
	var node any = r.obj
	for i, s := range p {
		next, found := step(node, s)
		if !found {
			if m, isObj := node.(map[string]any); isObj && m["reference"] != nil {
				le.path = append(clonePath(p[:i]), seg{kind: segKey, key: "reference"}).expr(root)
			}
			return le
		}
		node = next
	}
	return le
}

// step follows one segment down the tree; type filters stay in place.
func step(node any, s seg) (any, bool) {
	switch s.kind {
	case segKey:
		m, _ := node.(map[string]any)
		v, ok := m[s.key]
		return v, ok
	case segIndex:
		a, _ := node.([]any)
		if s.index < 0 || s.index >= len(a) {
			return nil, false
		}
		return a[s.index], true
	}
	return node, true
}

// pruneTarget returns the element to remove for a structural error: the
// member of an object, never an array element, so that the indexes in later
// paths stay true.
func pruneTarget(le libError) (path, bool) {
	_, p, ok := parseExpr(le.path)
	if !ok {
		return nil, false
	}
	if le.details == "unknown field" || strings.HasPrefix(le.details, "cannot accept multiple values") {
		key, err := strconv.Unquote(le.diagnostics)
		if err != nil {
			return nil, false
		}
		p = append(p, seg{kind: segKey, key: key})
	}
	p = p.withoutOfType()
	for len(p) > 0 && p[len(p)-1].kind == segIndex {
		p = p[:len(p)-1]
	}
	return p, len(p) > 0
}

// remove deletes the member at p (type filters and a trailing array index
// are ignored) from tree and reports whether it was there.
func remove(tree map[string]any, p path) bool {
	p = p.withoutOfType()
	for len(p) > 0 && p[len(p)-1].kind == segIndex {
		p = p[:len(p)-1]
	}
	if len(p) == 0 {
		return false
	}
	var node any = tree
	for _, s := range p[:len(p)-1] {
		var ok bool
		if node, ok = step(node, s); !ok {
			return false
		}
	}
	parent, ok := node.(map[string]any)
	last := p[len(p)-1]
	if !ok || last.kind != segKey {
		return false
	}
	_, found := parent[last.key]
	delete(parent, last.key)
	return found
}

// marshal writes a generic tree back as JSON. Numbers keep their text.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return buf.Bytes(), err
}
