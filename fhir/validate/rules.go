package validate

import (
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
)

// typeRules checks what the definitions do not say as an invariant: a
// Reference whose string and type both name a resource type names the same
// one. (The stand-ins once written here for per-1, rat-1, rng-2, obs-7,
// org-1, app-3 and app-4 are gone: the engine evaluates those invariants
// from the definitions.)
func (c *checker) typeRules(def *typeDef, obj map[string]any) {
	if def.name == "Reference" {
		c.referenceAgrees(obj)
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
