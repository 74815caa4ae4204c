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
// the definitions attach it to. TestFallbacksStillNeeded lists the ones the
// engine has made useless, to be deleted.

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
	case "Quantity", "SimpleQuantity", "Age", "Count", "Distance", "Duration", "MoneyQuantity":
		rule(!has("code") || has("system"), "qty-3", "A quantity with a code must name the code's system")
	case "ContactPoint":
		rule(!has("value") || has("system"), "cpt-2", "A contact point with a value names its system")
	case "Timing.repeat":
		rule(!has("duration") || has("durationUnit"), "tim-1", "A duration needs its durationUnit")
		rule(!has("period") || has("periodUnit"), "tim-2", "A period needs its periodUnit")
		rule(!has("periodMax") || has("period"), "tim-6", "periodMax needs a period")
		rule(!has("durationMax") || has("duration"), "tim-7", "durationMax needs a duration")
		rule(!has("countMax") || has("count"), "tim-8", "countMax needs a count")
		rule(!has("timeOfDay") || !has("when"), "tim-10", "timeOfDay and when exclude each other")
	case "Attachment":
		rule(!has("data") || has("contentType"), "att-1", "An attachment with data names its contentType")
	case "Ratio":
		rule(has("numerator") == has("denominator"), "rat-1", "A ratio has both a numerator and a denominator, or neither")
	case "Range":
		lo, hi := quantityValue(obj["low"]), quantityValue(obj["high"])
		rule(lo == nil || hi == nil || *lo <= *hi, "rng-2", "A range's low is not above its high")
	case "Reference":
		c.referenceAgrees(obj)
	default:
		c.resourceRules(def, obj, has, rule)
	}
}

// resourceRules are the stand-ins of invariants of resource types and
// their backbone elements.
func (c *checker) resourceRules(def *typeDef, obj map[string]any, has func(...string) bool, rule func(bool, string, string)) {
	switch def.name {
	case "Observation":
		value := hasChoice(obj, "value")
		rule(!value || !has("dataAbsentReason"), "obs-6", "dataAbsentReason is only for an observation without a value")
		codings := codingsOf(obj["code"])
		list, _ := obj["component"].([]any)
		for _, el := range list {
			m, _ := el.(map[string]any)
			rule(!value || !sharesCoding(codingsOf(m["code"]), codings), "obs-7",
				"A component with the observation's own code means the observation has no value of its own")
		}
	case "Observation.referenceRange":
		rule(has("low", "high", "text"), "obs-3", "A reference range needs a low, a high or a text")
	case "Patient.contact":
		rule(has("name", "telecom", "address", "organization"), "pat-1", "A contact needs a name, telecom, address or organization")
	case "Organization":
		rule(has("identifier", "name"), "org-1", "An organization needs an identifier or a name")
		for key, code := range map[string]string{"address": "org-2", "telecom": "org-3"} {
			list, _ := obj[key].([]any)
			for i, el := range list {
				if m, _ := el.(map[string]any); m["use"] == "home" && c.fallback(def, code) {
					c.push(seg{kind: segKey, key: key})
					c.push(seg{kind: segIndex, index: i})
					c.add(fhir.IssueInvariant, "An organization's %s is never a home one (%s).", key, code)
					c.pop()
					c.pop()
				}
			}
		}
	case "Group":
		actual, _ := obj["actual"].(bool)
		rule(actual || !has("member"), "grp-1", "Only an actual group has members")
	case "Condition":
		rule(!hasChoice(obj, "abatement") || hasCode(obj["clinicalStatus"], "http://terminology.hl7.org/CodeSystem/condition-clinical", "resolved", "remission", "inactive"),
			"con-4", "An abated condition's clinical status is inactive, resolved or remission")
		rule(!hasCode(obj["verificationStatus"], "http://terminology.hl7.org/CodeSystem/condition-ver-status", "entered-in-error") || !has("clinicalStatus"),
			"con-5", "A condition entered in error has no clinical status")
	case "Appointment":
		start, end := has("start"), has("end")
		rule(start == end, "app-2", "An appointment has both a start and an end, or neither")
		status, _ := obj["status"].(string)
		rule((start && end) || status == "proposed" || status == "cancelled" || status == "waitlist", "app-3",
			"Only a proposed, cancelled or waitlisted appointment may lack its start and end")
		rule(!has("cancelationReason") || status == "cancelled" || status == "noshow", "app-4",
			"A cancelation reason is only for a cancelled or no-show appointment")
	case "Appointment.participant":
		rule(has("type", "actor"), "app-1", "A participant needs a type or an actor")
	}
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

// hasCode reports whether the CodeableConcept v has a coding of system with
// one of codes.
func hasCode(v any, system string, codes ...string) bool {
	for _, el := range codingsOf(v) {
		m, _ := el.(map[string]any)
		if m["system"] != system {
			continue
		}
		for _, code := range codes {
			if m["code"] == code {
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
