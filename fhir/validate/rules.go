package validate

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/index"
)

// Hand-written stand-ins for some invariants of R4, written before the
// invariants were generated from the definitions. Each runs only while the
// FHIRPath engine cannot compile the generated invariant of the same key
// (see fallback), and reports where that invariant would: on the element
// the definitions attach it to. TestFallbacksStillNeeded says when the
// engine has made one useless, to be deleted.

// fallback reports whether the invariant key of def needs its stand-in:
// the model has it, and the engine cannot compile it.
func (c *checker) fallback(def *typeDef, key string) bool {
	return !def.compiledKeys()[key]
}

// handRules checks the stand-ins of the invariants of def on obj, an
// object of that type.
func (c *checker) handRules(def *typeDef, obj map[string]any) {
	has := func(keys ...string) bool {
		for _, k := range keys {
			if _, ok := obj[k]; ok {
				return true
			}
		}
		return false
	}
	rule := func(ok bool, key, msg string) {
		if !ok && c.fallback(def, key) {
			c.add(fhir.IssueInvariant, "%s (%s).", msg, key)
		}
	}
	switch def.name {
	case "Period":
		if start, ok := obj["start"].(string); ok {
			if end, ok := obj["end"].(string); ok {
				s, _, err1 := index.DateRange(start)
				_, e, err2 := index.DateRange(end)
				rule(err1 != nil || err2 != nil || !s.After(e), "per-1", "The period starts ("+start+") after it ends ("+end+")")
			}
		}
	case "Ratio":
		rule(has("numerator") == has("denominator"), "rat-1", "A ratio has both a numerator and a denominator, or neither")
	case "Range":
		lo, hi := quantityValue(obj["low"]), quantityValue(obj["high"])
		rule(lo == nil || hi == nil || *lo <= *hi, "rng-2", "A range's low is not above its high")
	case "Reference":
		c.referenceAgrees(obj)
	case "Observation":
		value := hasChoice(obj, "value")
		codings := codingsOf(obj["code"])
		list, _ := obj["component"].([]any)
		for _, el := range list {
			m, _ := el.(map[string]any)
			rule(!value || !sharesCoding(codingsOf(m["code"]), codings), "obs-7",
				"A component with the observation's own code means the observation has no value of its own")
		}
	case "Organization":
		rule(has("identifier", "name"), "org-1", "An organization needs an identifier or a name")
	case "Appointment":
		start, end := has("start"), has("end")
		status, _ := obj["status"].(string)
		rule((start && end) || status == "proposed" || status == "cancelled" || status == "waitlist", "app-3",
			"Only a proposed, cancelled or waitlisted appointment may lack its start and end")
		rule(!has("cancelationReason") || status == "cancelled" || status == "noshow", "app-4",
			"A cancelation reason is only for a cancelled or no-show appointment")
	}
}

// fallbacks are the invariants handRules stands in for, by type.
var fallbacks = map[string][]string{
	"Period": {"per-1"}, "Ratio": {"rat-1"}, "Range": {"rng-2"}, "Observation": {"obs-7"},
	"Organization": {"org-1"}, "Appointment": {"app-3", "app-4"},
}

// referenceAgrees checks a Reference whose string and type both name a
// resource type: the two are the same.
func (c *checker) referenceAgrees(obj map[string]any) {
	ref, ok := obj["reference"].(string)
	typ, ok2 := obj["type"].(string)
	if !ok || !ok2 {
		return
	}
	named := strings.TrimPrefix(typ, "http://hl7.org/fhir/StructureDefinition/")
	if m := literalRef.FindStringSubmatch(ref); m != nil && !strings.Contains(named, "/") && m[1] != named {
		c.add(fhir.IssueInvariant, "The reference %q is to a %s, but its type says %s.", clip(ref), clip(m[1]), clip(typ))
	}
}

// hasChoice reports whether obj has a member name[x] (valueQuantity, ...).
func hasChoice(obj map[string]any, name string) bool {
	for k := range obj {
		if len(k) > len(name) && strings.HasPrefix(k, name) && k[len(name)] >= 'A' && k[len(name)] <= 'Z' {
			return true
		}
	}
	return false
}

// codingsOf returns the codings of a CodeableConcept.
func codingsOf(v any) []any {
	cc, _ := v.(map[string]any)
	list, _ := cc["coding"].([]any)
	return list
}

// sharesCoding reports whether a and b have an equal Coding (FHIRPath
// intersect compares every member).
func sharesCoding(a, b []any) bool {
	for _, x := range a {
		for _, y := range b {
			if reflect.DeepEqual(x, y) {
				return true
			}
		}
	}
	return false
}

// quantityValue is the value of a Quantity, or nil.
func quantityValue(v any) *float64 {
	q, _ := v.(map[string]any)
	n, ok := q["value"].(json.Number)
	if !ok {
		return nil
	}
	f, err := n.Float64()
	if err != nil {
		return nil
	}
	return &f
}
