package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestMergeElements: an element is Medplum's where it agrees with the
// official one but for its invariants, the official one elsewhere, and
// Medplum-only elements are left out.
func TestMergeElements(t *testing.T) {
	official := &fullSD{}
	official.Snapshot.Element = []fullElement{
		{Path: "Appt"},
		{Path: "Appt.status", Min: 1, Max: "1", Type: []fullType{{Code: "code"}},
			Constraint: []constraint{{Key: "app-4", Severity: "error", Expression: "status='no-show'"}}},
		{Path: "Appt.subject", Max: "1", Type: []fullType{{Code: "Reference", TargetProfile: []string{sdPrefix + "Patient"}}}},
	}
	medplum := &fullSD{}
	medplum.Snapshot.Element = []fullElement{
		{Path: "Appt"},
		{Path: "Appt.status", Min: 1, Max: "1", Type: []fullType{{Code: "code"}},
			Constraint: []constraint{{Key: "app-4", Severity: "error", Expression: "status='noshow'"}}},
		{Path: "Appt.subject", Max: "1", Type: []fullType{{Code: "Reference", TargetProfile: []string{sdPrefix + "Patient", "https://medplum.com/fhir/StructureDefinition/Bot"}}}},
		{Path: "Appt.project", Max: "1", Type: []fullType{{Code: "string"}}},
	}
	got, differ := mergeElements(official, medplum)
	if differ != 1 || len(got) != 3 {
		t.Fatalf("merged %d elements, %d differ; want 3 and 1", len(got), differ)
	}
	if got[1].Constraint[0].Expression != "status='noshow'" {
		t.Errorf("status: %+v, want Medplum's invariant", got[1])
	}
	if len(got[2].Type[0].TargetProfile) != 1 {
		t.Errorf("subject: %+v, want the official targets", got[2])
	}
}

func TestExpandValueSets(t *testing.T) {
	term := &terminology{valueSets: map[string]*valueSet{}, codeSystems: map[string]*codeSystem{
		"http://s/all":  {URL: "http://s/all", Content: "complete", Concept: []concept{{Code: "a", Concept: []concept{{Code: "a1"}}}, {Code: "b"}}},
		"http://s/part": {URL: "http://s/part", Content: "not-present"},
	}}
	vs := func(url string, inc ...vsInclude) {
		v := &valueSet{URL: url}
		v.Compose.Include = inc
		term.valueSets[url] = v
	}
	vs("whole", vsInclude{System: "http://s/all"})
	vs("listed", vsInclude{System: "http://s/x", Concept: []struct{ Code string }{{"x"}, {"y"}}})
	vs("both", vsInclude{ValueSet: []string{"whole|4.0.1"}}, vsInclude{System: "http://s/x", Concept: []struct{ Code string }{{"x"}}})
	vs("absent", vsInclude{System: "http://s/part"})
	vs("unknown", vsInclude{System: "urn:ietf:bcp:13"})
	vs("filtered", vsInclude{System: "http://s/all", Filter: []json.RawMessage{[]byte(`{"property":"concept","op":"is-a","value":"a"}`)}})
	excl := &valueSet{URL: "excluding"}
	excl.Compose.Include = []vsInclude{{System: "http://s/all"}}
	excl.Compose.Exclude = []vsInclude{{System: "http://s/all", Concept: []struct{ Code string }{{"a1"}}}}
	term.valueSets["excluding"] = excl
	for url, want := range map[string]string{
		"whole": "http://s/all: a a1 b", "listed": "http://s/x: x y", "both": "http://s/all: a a1 b; http://s/x: x",
		"excluding": "http://s/all: a b",
	} {
		x, why := term.expand(url, 0)
		if why != "" {
			t.Errorf("%s: %s", url, why)
			continue
		}
		var parts []string
		for _, s := range x.systems {
			parts = append(parts, s+": "+strings.Join(x.codes[s], " "))
		}
		if got := strings.Join(parts, "; "); got != want {
			t.Errorf("%s = %q, want %q", url, got, want)
		}
	}
	for _, url := range []string{"absent", "unknown", "filtered", "missing"} {
		if x, why := term.expand(url, 0); why == "" {
			t.Errorf("%s expands to %v, want a reason it does not", url, x)
		}
	}
}
