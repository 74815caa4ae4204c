package validate

import (
	"reflect"
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
)

// resourceRules checks the error-level invariants of the stored resource
// types that read plain members: R4's expressions, spelled out in Go.
func (c *checker) resourceRules(typ string, obj map[string]any) {
	has := func(m map[string]any, keys ...string) bool {
		for _, k := range keys {
			if _, ok := m[k]; ok {
				return true
			}
		}
		return false
	}
	at := func(key string, i int, code, msg string) {
		c.push(seg{kind: segKey, key: key})
		if i >= 0 {
			c.push(seg{kind: segIndex, index: i})
		}
		c.add(fhir.IssueInvariant, "%s (%s).", msg, code)
		if i >= 0 {
			c.pop()
		}
		c.pop()
	}
	each := func(key string, fn func(i int, m map[string]any)) {
		list, _ := obj[key].([]any)
		for i, el := range list {
			if m, ok := el.(map[string]any); ok {
				fn(i, m)
			}
		}
	}
	switch typ {
	case "Observation":
		value := hasChoice(obj, "value")
		if value && has(obj, "dataAbsentReason") {
			at("dataAbsentReason", -1, "obs-6", "dataAbsentReason is only for an observation without a value")
		}
		codings := codingsOf(obj["code"])
		each("component", func(i int, m map[string]any) {
			if value && sharesCoding(codingsOf(m["code"]), codings) {
				at("component", i, "obs-7", "a component with the observation's own code means the observation has no value of its own")
			}
		})
		each("referenceRange", func(i int, m map[string]any) {
			if !has(m, "low", "high", "text") {
				at("referenceRange", i, "obs-3", "a reference range needs a low, a high or a text")
			}
		})
	case "Patient":
		each("contact", func(i int, m map[string]any) {
			if !has(m, "name", "telecom", "address", "organization") {
				at("contact", i, "pat-1", "a contact needs a name, telecom, address or organization")
			}
		})
	case "Organization":
		if !has(obj, "identifier", "name") {
			c.add(fhir.IssueInvariant, "An organization needs an identifier or a name (org-1).")
		}
		for key, code := range map[string]string{"address": "org-2", "telecom": "org-3"} {
			each(key, func(i int, m map[string]any) {
				if m["use"] == "home" {
					at(key, i, code, "an organization's "+key+" is never a home one")
				}
			})
		}
	case "Group":
		if actual, _ := obj["actual"].(bool); !actual && has(obj, "member") {
			at("member", -1, "grp-1", "only an actual group has members")
		}
	case "Condition":
		// Required bindings of CodeableConcepts: some coding is from the
		// value set (terminologies.html, required).
		for key, vs := range conditionStatus {
			if cc, ok := obj[key]; ok && !hasCode(cc, vs.system, vs.codes...) {
				at(key, -1, "required binding", "the "+key+" has no coding from "+vs.system+" ("+strings.Join(vs.codes, ", ")+")")
			}
		}
		if hasChoice(obj, "abatement") && !hasCode(obj["clinicalStatus"], "http://terminology.hl7.org/CodeSystem/condition-clinical", "resolved", "remission", "inactive") {
			at("clinicalStatus", -1, "con-4", "an abated condition's clinical status is inactive, resolved or remission")
		}
		if hasCode(obj["verificationStatus"], "http://terminology.hl7.org/CodeSystem/condition-ver-status", "entered-in-error") && has(obj, "clinicalStatus") {
			at("clinicalStatus", -1, "con-5", "a condition entered in error has no clinical status")
		}
	case "Appointment":
		start, end := has(obj, "start"), has(obj, "end")
		if start != end {
			c.add(fhir.IssueInvariant, "An appointment has both a start and an end, or neither (app-2).")
		}
		status, _ := obj["status"].(string)
		if !(start && end) && status != "proposed" && status != "cancelled" && status != "waitlist" {
			c.add(fhir.IssueInvariant, "Only a proposed, cancelled or waitlisted appointment may lack its start and end (app-3).")
		}
		if has(obj, "cancelationReason") && status != "cancelled" && status != "noshow" {
			at("cancelationReason", -1, "app-4", "a cancelation reason is only for a cancelled or no-show appointment")
		}
		each("participant", func(i int, m map[string]any) {
			if !has(m, "type", "actor") {
				at("participant", i, "app-1", "a participant needs a type or an actor")
			}
		})
	}
}

// conditionStatus are the required bindings of Condition's CodeableConcepts.
var conditionStatus = map[string]struct {
	system string
	codes  []string
}{
	"clinicalStatus": {"http://terminology.hl7.org/CodeSystem/condition-clinical",
		[]string{"active", "recurrence", "relapse", "inactive", "remission", "resolved"}},
	"verificationStatus": {"http://terminology.hl7.org/CodeSystem/condition-ver-status",
		[]string{"unconfirmed", "provisional", "differential", "confirmed", "refuted", "entered-in-error"}},
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
