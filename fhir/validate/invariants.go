package validate

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/index"
)

// Invariants of the base types that the tree shows without type
// information, checked where the walker meets them.

// containedReferenced checks dom-3 and the uniqueness of contained ids on
// the resource obj: every contained resource is referred to ("#id") from
// elsewhere in the resource, or refers to its container ("#").
func (c *checker) containedReferenced(obj map[string]any) {
	list, _ := obj["contained"].([]any)
	if len(list) == 0 {
		return
	}
	local := map[string]bool{}
	localRefs(obj, local)
	seen := map[string]int{}
	for i, el := range list {
		r, ok := el.(map[string]any)
		if !ok {
			continue
		}
		c.push(seg{kind: segKey, key: "contained"})
		c.push(seg{kind: segIndex, index: i})
		id, _ := r["id"].(string)
		switch prev, dup := seen[id]; {
		case id == "":
			c.add(fhir.IssueInvariant, "A contained resource needs an id, by which the resource refers to it (dom-3).")
		case dup:
			c.add(fhir.IssueInvariant, "The contained resources %d and %d have the same id %q: a reference #%s would be ambiguous.", prev, i, clip(id), clip(id))
		case !local["#"+id] && !refersTo(r, "#"):
			c.add(fhir.IssueInvariant, "The contained resource %q is not referred to from elsewhere in the resource, nor does it refer to its container (dom-3).", clip(id))
		}
		seen[id] = i
		c.pop()
		c.pop()
	}
}

// localRefs collects the strings of v that name a contained resource
// ("#id"): references, canonicals and uris alike.
func localRefs(v any, into map[string]bool) {
	switch t := v.(type) {
	case string:
		if strings.HasPrefix(t, "#") {
			into[t] = true
		}
	case map[string]any:
		for k, c := range t {
			if k != "div" {
				localRefs(c, into)
			}
		}
	case []any:
		for _, c := range t {
			localRefs(c, into)
		}
	}
}

func refersTo(v any, s string) bool {
	found := map[string]bool{}
	localRefs(v, found)
	return found[s]
}

// twinRule checks ele-1 on the _name twin k of a primitive of parent: an
// id alone, with no value beside it, is no content.
func (c *checker) twinRule(parent map[string]any, k string, obj map[string]any) {
	if strings.HasPrefix(k, "_") && len(k) > 1 {
		if _, value := parent[k[1:]]; !value && onlyKeys(obj, "id") {
			c.add(fhir.IssueInvariant, "The element has neither a value nor extensions (ele-1).")
		}
	}
}

// literalRef matches a literal reference to Type/id (relative, absolute,
// versioned) and captures the type.
var literalRef = regexp.MustCompile(`(?:^|/)([A-Z][A-Za-z]+)/[A-Za-z0-9\-.]{1,64}(?:/_history/[A-Za-z0-9\-.]{1,64})?$`)

// zeroYear matches a date, dateTime or instant in the year 0000, which the
// R4 regexes exclude (the year is 0001-9999).
var zeroYear = regexp.MustCompile(`^0000(-[01][0-9](-[0-3][0-9](T.*)?)?)?$`)

// memberRules checks an object that is an element of the array under key,
// or the value of key: Period (per-1), Reference (its type), Quantity
// (qty-3), ContactPoint (cpt-2) under telecom, Timing.repeat (tim-1, 2, 6,
// 7, 8, 10), Attachment (att-1), Ratio (rat-1) and Range (rng-2), each
// known by its members.
func (c *checker) memberRules(key string, obj map[string]any) {
	has := func(k string) bool { _, ok := obj[k]; return ok }
	rule := func(ok bool, code, msg string) {
		if !ok {
			c.add(fhir.IssueInvariant, "%s (%s).", msg, code)
		}
	}
	if start, ok := obj["start"].(string); ok && onlyKeys(obj, "id", "extension", "start", "end") {
		if end, ok := obj["end"].(string); ok {
			s, _, err1 := index.DateRange(start)
			_, e, err2 := index.DateRange(end)
			rule(err1 != nil || err2 != nil || !s.After(e), "per-1", "The period starts ("+start+") after it ends ("+end+")")
		}
	}
	if ref, ok := obj["reference"].(string); ok {
		if typ, ok := obj["type"].(string); ok {
			named := strings.TrimPrefix(typ, "http://hl7.org/fhir/StructureDefinition/")
			if m := literalRef.FindStringSubmatch(ref); m != nil && !strings.Contains(named, "/") && m[1] != named {
				c.add(fhir.IssueInvariant, "The reference %q is to a %s, but its type says %s.", clip(ref), clip(m[1]), clip(typ))
			}
		}
	}
	if has("code") && !has("system") && (has("value") || has("unit") || has("comparator")) &&
		onlyKeys(obj, "id", "extension", "value", "comparator", "unit", "system", "code", "_value", "_unit", "_code", "_comparator") {
		rule(false, "qty-3", "A quantity with a code must name the code's system")
	}
	switch {
	case key == "telecom":
		rule(!has("value") || has("system"), "cpt-2", "A contact point with a value names its system")
	case key == "repeat":
		rule(!has("duration") || has("durationUnit"), "tim-1", "A duration needs its durationUnit")
		rule(!has("period") || has("periodUnit"), "tim-2", "A period needs its periodUnit")
		rule(!has("periodMax") || has("period"), "tim-6", "periodMax needs a period")
		rule(!has("durationMax") || has("duration"), "tim-7", "durationMax needs a duration")
		rule(!has("countMax") || has("count"), "tim-8", "countMax needs a count")
		rule(!has("timeOfDay") || !has("when"), "tim-10", "timeOfDay and when exclude each other")
	case has("data") && !has("origin"): // not SampledData, whose data is its own
		if _, ok := obj["data"].(string); ok {
			rule(has("contentType"), "att-1", "An attachment with data names its contentType")
		}
	}
	if onlyKeys(obj, "id", "extension", "numerator", "denominator") && (has("numerator") || has("denominator")) {
		rule(has("numerator") == has("denominator"), "rat-1", "A ratio has both a numerator and a denominator, or neither")
	}
	if key != "referenceRange" && onlyKeys(obj, "id", "extension", "low", "high") {
		lo, hi := quantityValue(obj["low"]), quantityValue(obj["high"])
		rule(lo == nil || hi == nil || *lo <= *hi, "rng-2", "A range's low is not above its high")
	}
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

// onlyKeys reports whether obj has no member but the given ones.
func onlyKeys(obj map[string]any, keys ...string) bool {
	for k := range obj {
		ok := false
		for _, want := range keys {
			ok = ok || k == want
		}
		if !ok {
			return false
		}
	}
	return true
}
