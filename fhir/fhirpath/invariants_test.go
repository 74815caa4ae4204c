package fhirpath

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// invariantCase is one entry of testdata/invariants.json: the constraint
// key of an element path of the definitions, and two instances, one that
// satisfies it and one that violates it. An instance with a resourceType is
// a resource; otherwise it is a value of the data type Type. Focus, when
// given, selects the elements the constraint is checked on (in search
// mode, from the instance); by default the instance itself.
type invariantCase struct {
	Type, Path, Key, Focus string
	Pass, Fail             json.RawMessage
}

// TestInvariants checks, for a sample of the invariants of every data type
// that has error-level ones, the element and resource invariants and
// dozens of resource types, that the expression of the definitions (looked
// up by key, not retyped) holds on the passing instance and fails on the
// other.
func TestInvariants(t *testing.T) {
	exprs := map[string]string{}
	for _, c := range loadConstraints(t) {
		exprs[c.Path+" "+c.Key] = c.Expression
	}
	data, err := os.ReadFile("testdata/invariants.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []invariantCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		src, ok := exprs[c.Path+" "+c.Key]
		if !ok {
			t.Errorf("%s %s: no such constraint in the definitions", c.Path, c.Key)
			continue
		}
		x, err := Compile(src)
		if err != nil {
			t.Errorf("%s %s: %v", c.Path, c.Key, err)
			continue
		}
		if ok := checkInstance(t, x, c, c.Pass); !ok {
			t.Errorf("%s %s: the passing instance fails %s", c.Path, c.Key, src)
		}
		if ok := checkInstance(t, x, c, c.Fail); ok {
			t.Errorf("%s %s: the failing instance passes %s", c.Path, c.Key, src)
		}
	}
	t.Logf("%d invariants checked both ways", len(cases))
}

// checkInstance checks the invariant on every focus of the instance and
// reports whether it holds on all of them.
func checkInstance(t *testing.T, x *Expr, c invariantCase, raw json.RawMessage) bool {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var obj map[string]any
	if err := d.Decode(&obj); err != nil {
		t.Fatalf("%s %s: %v", c.Path, c.Key, err)
	}
	root := Node{Value: obj, Type: c.Type}
	if _, isRes := obj["resourceType"]; isRes {
		root = ResourceNode(obj)
	}
	foci := []Node{root}
	if c.Focus != "" {
		foci = MustCompile(c.Focus).EvalNode(root)
	}
	if len(foci) == 0 {
		t.Fatalf("%s %s: focus %s selects nothing", c.Path, c.Key, c.Focus)
	}
	holds := true
	for _, f := range foci {
		ok, err := x.Check(f, root, root)
		if err != nil {
			t.Errorf("%s %s: %v", c.Path, c.Key, err)
		}
		holds = holds && ok
	}
	return holds
}
