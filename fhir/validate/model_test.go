package validate

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// skippedInvariants returns the non-native invariants of the model that
// the FHIRPath engine cannot compile, as "Type key: error", sorted; each
// counted once per type or element it is attached to.
func skippedInvariants(m *rmodel) []string {
	var out []string
	seen := map[*invariant]bool{}
	check := func(where string, invs []*invariant) {
		for _, inv := range invs {
			if inv.native || seen[inv] {
				continue
			}
			seen[inv] = true
			if inv.get() == nil {
				out = append(out, fmt.Sprintf("%s %s: %v", where, inv.key, inv.err))
			}
		}
	}
	for name, t := range m.types {
		check(name, t.own)
		for _, e := range t.elems {
			check(name+"."+e.name, e.invs)
		}
	}
	slices.Sort(out)
	return out
}

// TestSkippedInvariants states how many error-level invariants of R4 the
// engine cannot compile yet, which the validator skips (each counted once
// where the definitions attach it: an invariant of a base type, once). The
// number goes down as the engine grows (go test -run SkippedInvariants -v
// lists them with the engine's error); the test fails when it changes, so
// that the change is seen and the number written down.
func TestSkippedInvariants(t *testing.T) {
	m := model()
	total := 0
	for _, t := range m.types {
		for _, inv := range t.own {
			total += map[bool]int{false: 1}[inv.native]
		}
		for _, e := range t.elems {
			for _, inv := range e.invs {
				total += map[bool]int{false: 1}[inv.native]
			}
		}
	}
	skipped := skippedInvariants(m)
	for _, s := range skipped {
		t.Log(s)
	}
	const want = 0 // the engine of fhir/fhirpath compiles every error-level invariant of R4
	if len(skipped) != want {
		t.Errorf("%d of %d invariants are skipped, want %d", len(skipped), total, want)
	}
}

// TestNativeInvariants: the invariants the walk checks itself are, in the
// model, the expressions the walk was written against.
func TestNativeInvariants(t *testing.T) {
	found := map[string]bool{}
	for name, typ := range model().types {
		invs := slices.Clone(typ.own)
		for _, e := range typ.elems {
			invs = append(invs, e.invs...)
		}
		for _, inv := range invs {
			want, native := nativeInvariants[inv.key]
			if !native {
				continue
			}
			found[inv.key] = true
			if inv.expr != want || !inv.native {
				t.Errorf("%s %s: the model has %q (native %v), the walk implements %q", name, inv.key, inv.expr, inv.native, want)
			}
		}
	}
	for key := range nativeInvariants {
		if !found[key] {
			t.Errorf("%s: no longer in the model", key)
		}
	}
}

// TestModelCoverage: every R4 resource type is in the model, with its
// elements; no type has more elements or choices than the walk's fixed
// sets hold.
func TestModelCoverage(t *testing.T) {
	m := model()
	if len(m.resources) != 146 {
		t.Errorf("%d resource types, want the 146 of R4", len(m.resources))
	}
	for _, name := range []string{"Patient", "Parameters", "Bundle", "Binary", "ExplanationOfBenefit", "Questionnaire"} {
		if m.resourceDef(name) == nil {
			t.Errorf("%s is missing", name)
		}
	}
	if m.resources["SubscriptionStatus"] {
		t.Error("SubscriptionStatus is not an R4 resource type")
	}
	for name, typ := range m.types {
		if len(typ.elems) > maxElements || typ.choices > maxChoices {
			t.Errorf("%s has %d elements and %d choices, more than the walk holds", name, len(typ.elems), typ.choices)
		}
	}
	// Questionnaire.item.item is Questionnaire.item (a contentReference).
	item := m.types["Questionnaire.item"].keys["item"]
	if item.elem == nil || item.typ.def != m.types["Questionnaire.item"] {
		t.Error("Questionnaire.item.item is not a Questionnaire.item")
	}
	t.Logf("%d types; required value sets not enforced: %v", len(m.types), m.unenforced)
}

// BenchmarkLoadModel measures what the first validation of a process pays
// to read the model (the later ones read it from memory).
func BenchmarkLoadModel(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loadModel(modelText); err != nil {
			b.Fatal(err)
		}
	}
}

// TestConcurrentFirstUse: the invariants of a type are compiled the first
// time the type is validated, safely when that happens in many goroutines
// at once (run with -race).
func TestConcurrentFirstUse(t *testing.T) {
	m, err := loadModel(modelText)
	if err != nil {
		t.Fatal(err)
	}
	bodies := []string{
		obs(`"valueQuantity":{"value":1,"code":"mg"}`), pat(`"contact":[{"gender":"male"}]`),
		`{"resourceType":"Appointment","status":"booked","participant":[{"status":"accepted"}]}`,
		`{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + pat(`"contact":[{"gender":"male"}]`) + `}]}`,
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range bodies {
				if _, err := resource(m, []byte(bodies[(g+i)%len(bodies)]), ""); err == nil {
					t.Errorf("body %d accepted", (g+i)%len(bodies))
				}
			}
		}()
	}
	wg.Wait()
}
