package index

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/fhirpath"
)

// Rows are the index rows of one resource version, each kind sorted and
// free of duplicates.
type Rows struct {
	// Tokens are token hashes (TokenForm.Hash, Present, TokenOfType,
	// CompositeTokenToken).
	Tokens []int64
	// Strings are string values, uri values and :text values.
	Strings []String
	// Refs are the references of reference parameters.
	Refs []Ref
	// Dates are date ranges, Periods and Timings.
	Dates []Date
	// Numbers are numbers and the values of quantities.
	Numbers []Number
}

// String is one string value of a parameter: Hash is ParamHash of the
// parameter (or of "<code>:text", or a CompositeTokenString), Norm its
// Normalize form and Exact its Exact form.
type String struct {
	Hash  int64
	Norm  string
	Exact string
}

// Ref is one reference: "Type/id" as (Type, id); an absolute URL or a
// canonical as ("", URL).
type Ref struct {
	Hash       int64
	TargetType string
	TargetID   string
}

// Date is the closed range [Lo, Hi] a date value covers, in UTC with
// microsecond precision.
type Date struct {
	Hash   int64
	Lo, Hi time.Time
}

// Number is a number, or the value of a quantity under one unit form.
type Number struct {
	Hash  int64
	Value float64
}

// param is a compiled search parameter.
type param struct {
	code      string
	typ       fhir.ParamType
	expr      *fhirpath.Expr
	hash      int64  // ParamHash(code)
	textHash  int64  // ParamHash(code + ":text")
	present   int64  // Present(code)
	identCode string // code + ":identifier"
	comps     []component
}

// component is a compiled component of a composite parameter.
type component struct {
	expr *fhirpath.Expr
	typ  fhir.ParamType
}

// typeIndex is the compiled form of a resource type, built once.
type typeIndex struct {
	once   sync.Once
	params []param
	err    error
	// hint is the largest number of rows of each kind seen so far, used to
	// size the row slices of the next extraction in one allocation.
	hint [5]atomic.Int32
}

// cache maps *fhir.ResourceType to its *typeIndex.
var cache sync.Map

func compiled(t *fhir.ResourceType) *typeIndex {
	v, ok := cache.Load(t)
	if !ok {
		v, _ = cache.LoadOrStore(t, &typeIndex{})
	}
	ti := v.(*typeIndex)
	ti.once.Do(func() { ti.params, ti.err = compileType(t) })
	return ti
}

// compileType compiles the indexed parameters of t: all but the special
// ones, those without an expression, those on the main table and those
// derived from others (see Shape).
func compileType(t *fhir.ResourceType) ([]param, error) {
	var out []param
	var errs []error
	for i := range t.Params {
		sp := &t.Params[i]
		if sp.Type == fhir.ParamSpecial || sp.Expression == "" || onMainTable(sp.Code) || ShapeOf(t, sp.Code).Derived() {
			continue
		}
		if !CompositeSupported(t, sp) {
			continue
		}
		p, err := compileParam(t, sp)
		if err != nil {
			errs = append(errs, fmt.Errorf("index: %s %s: %w", t.Name, sp.Code, err))
			continue
		}
		out = append(out, p)
	}
	return out, errors.Join(errs...)
}

// CompositeSupported reports whether the index holds the values of
// parameter sp of t, for the composites: those of two components, a token
// first and a token, quantity, date or string second, or a reference first
// and a token second (DocumentReference relationship), and those of a
// token and two numbers (MolecularSequence's coordinates). Every R4
// composite is one of these; every other parameter is supported.
func CompositeSupported(t *fhir.ResourceType, sp *fhir.SearchParam) bool {
	if sp.Type != fhir.ParamComposite {
		return true
	}
	if len(sp.Components) == 3 {
		return ComponentTypes(t, sp) == "token,number,number"
	}
	if len(sp.Components) != 2 {
		return false
	}
	first, ok1 := t.Param(sp.Components[0].Code)
	second, ok2 := t.Param(sp.Components[1].Code)
	if !ok1 || !ok2 {
		return false
	}
	switch {
	case first.Type == fhir.ParamReference:
		return second.Type == fhir.ParamToken
	case first.Type != fhir.ParamToken:
		return false
	}
	switch second.Type {
	case fhir.ParamToken, fhir.ParamQuantity, fhir.ParamDate, fhir.ParamString:
		return true
	}
	return false
}

// ComponentTypes lists the types of the components of composite sp of t,
// comma-separated ("?" for a component that is not a parameter of t).
func ComponentTypes(t *fhir.ResourceType, sp *fhir.SearchParam) string {
	kinds := make([]string, len(sp.Components))
	for i, c := range sp.Components {
		kinds[i] = "?"
		if d, ok := t.Param(c.Code); ok {
			kinds[i] = string(d.Type)
		}
	}
	return strings.Join(kinds, ",")
}

// RefForm is the token form under which a composite whose first component
// is a reference indexes that reference ("DocumentReference/123", or an
// absolute URL), so that it combines with the second component's token
// forms like a token would (CompositeTokenToken).
func RefForm(ref string) TokenForm { return TokenForm{Kind: FormAny, Code: ref} }

// onMainTable reports the parameters the search compiler reads from the
// resource table's own columns (id, last_updated): index rows for them
// would only skew the planner's statistics of the index tables.
func onMainTable(code string) bool { return code == "_id" || code == "_lastUpdated" }

func compileParam(t *fhir.ResourceType, sp *fhir.SearchParam) (param, error) {
	x, err := fhirpath.Compile(sp.Expression)
	if err != nil {
		return param{}, err
	}
	p := param{
		code: sp.Code, typ: sp.Type, expr: x,
		hash: ParamHash(sp.Code), textHash: ParamHash(sp.Code + ":text"),
		present: Present(sp.Code), identCode: sp.Code + ":identifier",
	}
	switch sp.Type {
	case fhir.ParamToken, fhir.ParamString, fhir.ParamReference, fhir.ParamDate,
		fhir.ParamNumber, fhir.ParamQuantity, fhir.ParamURI:
		return p, nil
	case fhir.ParamComposite:
		p.comps, err = compileComponents(t, sp)
		return p, err
	}
	return param{}, fmt.Errorf("unknown parameter type %q", sp.Type)
}

// compileComponents compiles the components of a composite parameter
// (CompositeSupported says which).
func compileComponents(t *fhir.ResourceType, sp *fhir.SearchParam) ([]component, error) {
	if !CompositeSupported(t, sp) {
		return nil, fmt.Errorf("composite %s is not supported", sp.Code)
	}
	comps := make([]component, len(sp.Components))
	for i, c := range sp.Components {
		ref, ok := t.Param(c.Code)
		if !ok {
			return nil, fmt.Errorf("component %s is not a parameter of %s", c.Code, t.Name)
		}
		x, err := fhirpath.Compile(c.Expression)
		if err != nil {
			return nil, err
		}
		comps[i] = component{expr: x, typ: ref.Type}
	}
	return comps, nil
}

// extractor holds the rows being built and reusable scratch buffers.
type extractor struct {
	rows Rows
	base string        // ExtractUnder's base URL and "/"; "" for none
	root fhirpath.Node // the resource being extracted
	// valued is set by a value that has no row of its own but is a value
	// for :missing (a reference to a contained resource).
	valued         bool
	nodes, c1, c2  []fhirpath.Node
	codes          []coding
	forms1, forms2 []TokenForm
	units          []unitForm
}

var extractors = sync.Pool{New: func() any { return new(extractor) }}

// Extract returns the index rows of the resource res of type t. The
// resource must carry its final id and meta (the server sets them before
// extracting). Extract is safe for concurrent use; it fails on a resource
// of another type, on invalid date or number text, and when a parameter of
// t could not be compiled.
func Extract(t *fhir.ResourceType, res map[string]any) (Rows, error) {
	return ExtractUnder(t, res, "")
}

// ExtractUnder is Extract for a server whose base URL is base: a reference
// to an absolute URL under base (base/Type/id, base/Type/id/_history/n)
// is the relative reference Type/id, as search.html has it ("a relative
// reference resolving to the same value as a specified absolute URL, or
// vice versa, qualifies as a match"), so chains, _has, includes and
// compartments follow it too.
func ExtractUnder(t *fhir.ResourceType, res map[string]any, base string) (Rows, error) {
	if t == nil || res == nil {
		return Rows{}, errors.New("index: nil resource type or resource")
	}
	if rt, _ := res["resourceType"].(string); rt != t.Name {
		return Rows{}, fmt.Errorf("index: resource of type %q extracted as %s", rt, t.Name)
	}
	ti := compiled(t)
	if ti.err != nil {
		return Rows{}, ti.err
	}
	x := extractors.Get().(*extractor)
	defer x.release()
	if base = strings.TrimRight(base, "/"); base != "" {
		x.base = base + "/"
	}
	ti.presize(&x.rows)
	root := fhirpath.ResourceNode(res)
	x.root = root
	for i := range ti.params {
		p := &ti.params[i]
		x.nodes = p.expr.AppendEval(x.nodes[:0], root)
		before := x.count()
		x.valued = false
		if err := x.extract(p); err != nil {
			return Rows{}, fmt.Errorf("index: %s %s: %w", t.Name, p.code, err)
		}
		if x.count() > before || x.valued {
			x.rows.Tokens = append(x.rows.Tokens, p.present)
		}
	}
	rows := x.rows
	ti.learn(&rows)
	rows.finish()
	return rows, nil
}

// presize allocates the row slices with the capacities seen so far.
func (ti *typeIndex) presize(r *Rows) {
	r.Tokens = make([]int64, 0, ti.hint[0].Load())
	r.Strings = make([]String, 0, ti.hint[1].Load())
	r.Refs = make([]Ref, 0, ti.hint[2].Load())
	r.Dates = make([]Date, 0, ti.hint[3].Load())
	r.Numbers = make([]Number, 0, ti.hint[4].Load())
}

// learn raises the capacity hints to the sizes of r, up to a bound that
// keeps one huge resource from inflating every later allocation.
func (ti *typeIndex) learn(r *Rows) {
	for i, n := range [5]int{len(r.Tokens), len(r.Strings), len(r.Refs), len(r.Dates), len(r.Numbers)} {
		n = min(n, 256)
		if int32(n) > ti.hint[i].Load() {
			ti.hint[i].Store(int32(n))
		}
	}
}

// release clears the extractor, so that the pool holds no resource, and
// returns it to the pool.
func (x *extractor) release() {
	x.rows, x.base, x.valued, x.root = Rows{}, "", false, fhirpath.Node{}
	clear(x.nodes[:cap(x.nodes)])
	clear(x.c1[:cap(x.c1)])
	clear(x.c2[:cap(x.c2)])
	clear(x.codes[:cap(x.codes)])
	clear(x.forms1[:cap(x.forms1)])
	clear(x.forms2[:cap(x.forms2)])
	clear(x.units[:cap(x.units)])
	extractors.Put(x)
}

func (x *extractor) count() int {
	r := &x.rows
	return len(r.Tokens) + len(r.Strings) + len(r.Refs) + len(r.Dates) + len(r.Numbers)
}

// extract turns the values in x.nodes into rows of parameter p.
func (x *extractor) extract(p *param) error {
	if p.typ == fhir.ParamComposite {
		return x.composite(p)
	}
	for _, n := range x.nodes {
		var err error
		switch p.typ {
		case fhir.ParamToken:
			x.token(p, n)
		case fhir.ParamString:
			x.str(p.hash, n)
		case fhir.ParamURI:
			x.uri(p.hash, n)
		case fhir.ParamReference:
			x.ref(p, n)
		case fhir.ParamDate:
			err = x.date(p.hash, n)
		case fhir.ParamQuantity:
			err = x.quantity(p, n)
		case fhir.ParamNumber:
			err = x.number(p.hash, n)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// finish sorts every kind of row and removes duplicates.
func (r *Rows) finish() {
	slices.Sort(r.Tokens)
	r.Tokens = slices.Compact(r.Tokens)
	slices.SortFunc(r.Strings, func(a, b String) int {
		return cmp.Or(cmp.Compare(a.Hash, b.Hash), cmp.Compare(a.Norm, b.Norm), cmp.Compare(a.Exact, b.Exact))
	})
	r.Strings = slices.Compact(r.Strings)
	slices.SortFunc(r.Refs, func(a, b Ref) int {
		return cmp.Or(cmp.Compare(a.Hash, b.Hash), cmp.Compare(a.TargetType, b.TargetType), cmp.Compare(a.TargetID, b.TargetID))
	})
	r.Refs = slices.Compact(r.Refs)
	slices.SortFunc(r.Dates, func(a, b Date) int {
		return cmp.Or(cmp.Compare(a.Hash, b.Hash), a.Lo.Compare(b.Lo), a.Hi.Compare(b.Hi))
	})
	r.Dates = slices.CompactFunc(r.Dates, func(a, b Date) bool {
		return a.Hash == b.Hash && a.Lo.Equal(b.Lo) && a.Hi.Equal(b.Hi)
	})
	slices.SortFunc(r.Numbers, func(a, b Number) int {
		return cmp.Or(cmp.Compare(a.Hash, b.Hash), cmp.Compare(a.Value, b.Value))
	})
	r.Numbers = slices.Compact(r.Numbers)
}
