package capability

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/index"
)

// Options are the facts of the running server that the statement states.
type Options struct {
	BaseURL     string
	Software    string
	Version     string
	ReleaseDate string // the date of the statement, YYYY-MM-DD
	// ConditionalDeleteMultiple says a conditional delete removes every
	// match rather than failing on more than one.
	ConditionalDeleteMultiple bool
	// Limits are what one request may ask of the server; the statement
	// states them so that clients know them before they meet them.
	Limits Limits
}

// Limits are the bounds of the server's configuration that a client can
// meet. Zero fields are not stated.
type Limits struct {
	MaxBodyBytes     int64         // request body (413 above)
	MaxBundleEntries int           // entries of a batch or transaction
	MaxResponseBytes int           // resources in one response
	DefaultCount     int           // page size without _count
	MaxCount         int           // largest _count
	MaxParams        int           // AND-ed search conditions
	MaxOrValues      int           // OR-ed values of one parameter
	MaxIncludes      int           // included resources per page
	RequestTimeout   time.Duration // deadline of a request (503 after it)
	MaxPatchOps      int           // operations of one JSON Patch or FHIRPath Patch
	MaxIssues        int           // issues one validation lists
}

// text states the limits in a sentence for the rest documentation.
func (l Limits) text() string {
	var parts []string
	add := func(v int64, format string) {
		if v > 0 {
			parts = append(parts, fmt.Sprintf(format, v))
		}
	}
	add(l.MaxBodyBytes, "request bodies up to %d bytes (413 above)")
	add(int64(l.MaxBundleEntries), "batch and transaction Bundles of up to %d entries")
	add(int64(l.MaxResponseBytes), "responses of up to %d bytes of resources (search and history pages end early with a next link; batch and transaction reads past it answer too-costly)")
	add(int64(l.DefaultCount), "pages of %d entries unless _count says otherwise")
	add(int64(l.MaxCount), "_count up to %d")
	add(int64(l.MaxParams), "up to %d search conditions (chain links and _has count)")
	add(int64(l.MaxOrValues), "up to %d comma-separated values per parameter")
	add(int64(l.MaxIncludes), "up to %d included resources per page")
	add(int64(l.MaxPatchOps), "patches of up to %d operations")
	add(int64(l.MaxIssues), "up to %d issues listed when a resource is invalid (the outcome says when there were more)")
	if l.RequestTimeout > 0 {
		parts = append(parts, fmt.Sprintf("a deadline of %v per request (503 with Retry-After after it, and whenever the server is overloaded or its database unavailable)", l.RequestTimeout))
	}
	if len(parts) == 0 {
		return ""
	}
	return " Limits: " + strings.Join(parts, "; ") + "; a request past a limit is answered with an OperationOutcome that names the limit (too-costly, or 413 for a body)."
}

// noOpUpdate says how an update that changes nothing is answered.
const noOpUpdate = "An update or patch (conditional or in a Bundle too) whose content differs from the current version only in meta.versionId and meta.lastUpdated makes no new version: it answers 200 with the current version, its ETag and Last-Modified, and history is unchanged."

// typeInteractions are the interactions every stored type supports.
var typeInteractions = []string{"read", "vread", "update", "patch", "delete", "history-instance", "history-type", "create", "search-type"}

// Build returns the CapabilityStatement as JSON.
func Build(o Options) ([]byte, error) {
	resources := make([]map[string]any, 0, len(fhir.Types()))
	for _, t := range fhir.Types() {
		resources = append(resources, resource(t, o))
	}
	cs := map[string]any{
		"resourceType": "CapabilityStatement",
		"status":       "active",
		"date":         o.ReleaseDate,
		"kind":         "instance",
		"software":     map[string]any{"name": o.Software, "version": o.Version},
		"implementation": map[string]any{
			"description": o.Software + " FHIR R4 server",
			"url":         o.BaseURL,
		},
		"fhirVersion": "4.0.1",
		"format":      []string{"application/fhir+json", "json"},
		"rest": []any{map[string]any{
			"mode":          "server",
			"documentation": "Dates without a time zone are taken as UTC. " + noOpUpdate + o.Limits.text(),
			"resource":      resources,
			"interaction": []any{
				map[string]any{"code": "transaction", "documentation": "All or nothing in one database transaction; conditional references and conditional interactions are resolved inside it."},
				map[string]any{"code": "batch"},
				map[string]any{"code": "history-system"},
			},
			"searchParam": []any{
				map[string]any{"name": "_sort", "type": "special", "documentation": "Several keys, - for descending; ties broken by creation order."},
				map[string]any{"name": "_count", "type": "number"},
				map[string]any{"name": "_total", "type": "token", "documentation": "accurate gives the exact count on every page. estimate gives PostgreSQL's planner estimate of the number of matches (the rows of the top node of the search's plan, planned for the tenant from the table statistics, so it can be off until they are gathered again), never less than the page shows; when that estimate is under 1000 the matches are counted exactly instead. With _summary=count, estimate gives the estimate too. With none (the default) a first page that holds every match still carries its total."},
				map[string]any{"name": "_summary", "type": "token"},
				map[string]any{"name": "_elements", "type": "string"},
			},
			"operation": []any{
				map[string]any{"name": "versions", "definition": "http://hl7.org/fhir/OperationDefinition/CapabilityStatement-versions"},
			},
			"compartment": compartments(),
		}},
	}
	return json.Marshal(cs)
}

func resource(t *fhir.ResourceType, o Options) map[string]any {
	condDelete := "single"
	if o.ConditionalDeleteMultiple {
		condDelete = "multiple"
	}
	in := make([]any, 0, len(typeInteractions))
	for _, code := range typeInteractions {
		in = append(in, map[string]any{"code": code})
	}
	out := map[string]any{
		"type":              t.Name,
		"searchParam":       searchParams(t),
		"searchInclude":     includes(t),
		"searchRevInclude":  revIncludes(t),
		"profile":           "http://hl7.org/fhir/StructureDefinition/" + t.Name,
		"interaction":       in,
		"versioning":        "versioned-update",
		"readHistory":       true,
		"updateCreate":      true,
		"conditionalCreate": true,
		"conditionalRead":   "full-support",
		"conditionalUpdate": true,
		"conditionalDelete": condDelete,
		"operation":         operations(t),
	}
	if missing := unsupportedParams(t); len(missing) > 0 {
		out["documentation"] = "Search parameters of R4 not supported: " + strings.Join(missing, ", ") + "."
	}
	return out
}

// unsupportedParams names the parameters R4 defines for t that
// searchParams leaves out, with the reason.
func unsupportedParams(t *fhir.ResourceType) []string {
	var out []string
	for i := range t.Params {
		switch p := &t.Params[i]; {
		case p.Type == fhir.ParamSpecial:
			out = append(out, p.Code+" (special: no geographic search)")
		case !index.CompositeSupported(t, p):
			out = append(out, p.Code+" (composite of "+index.ComponentTypes(t, p)+": not indexed)")
		}
	}
	return out
}

// operations are the operations of type t: $validate, and those the
// registry has from their OperationDefinitions ($everything).
func operations(t *fhir.ResourceType) []any {
	ops := []any{map[string]any{"name": "validate", "definition": "http://hl7.org/fhir/OperationDefinition/Resource-validate"}}
	for _, op := range fhir.Operations(t.Name) {
		ops = append(ops, map[string]any{"name": op.Code, "definition": op.URL, "documentation": everythingDoc})
	}
	return ops
}

// everythingDoc says what $everything returns on this server.
const everythingDoc = "The focal resource and its compartment in creation order, then the resources they refer to " +
	"that are of no type of the compartment, each once, in pages with next links. start and end filter by the type's " +
	"date search parameter where it has one; _since by meta.lastUpdated."

// compartments are the canonical URLs of the compartments whose focal type
// is stored: their compartment searches ([type] or *) are supported.
func compartments() []string {
	var out []string
	for _, d := range fhir.Compartments() {
		if _, ok := fhir.LookupType(d.Code); ok {
			out = append(out, d.URL)
		}
	}
	return out
}

// searchParams lists every parameter the search compiler supports: all of
// the type's parameters but the special ones (e.g. Location near) and the
// composites the index does not hold (index.CompositeSupported).
func searchParams(t *fhir.ResourceType) []any {
	out := []any{}
	for i := range t.Params {
		p := &t.Params[i]
		if p.Type == fhir.ParamSpecial || !index.CompositeSupported(t, p) {
			continue
		}
		sp := map[string]any{"name": p.Code, "definition": p.URL, "type": string(p.Type)}
		if p.Type == fhir.ParamString {
			sp["documentation"] = "Prefix match on text folded for case, accents and punctuation (O'Brien = OBrien); :exact and :contains supported. " +
				":contains cannot use an index and is bounded by the statement timeout."
		}
		if p.Code == "phonetic" {
			sp["documentation"] = "No phonetic algorithm: matched like name, a prefix of text folded for case, accents and punctuation."
		}
		out = append(out, sp)
	}
	return out
}

// includes lists the _include values of t: each reference parameter, and
// the wildcard of t's (Type:*; a bare * is not an _include value of R4).
func includes(t *fhir.ResourceType) []string {
	out := []string{t.Name + ":*"}
	for _, p := range t.Params {
		if p.Type == fhir.ParamReference {
			out = append(out, t.Name+":"+p.Code)
		}
	}
	return out
}

// revIncludes lists the reference parameters of stored types that can
// point at t.
func revIncludes(t *fhir.ResourceType) []string {
	out := []string{}
	for _, src := range fhir.Types() {
		for _, p := range src.Params {
			if p.Type == fhir.ParamReference && (len(p.Targets) == 0 || slices.Contains(p.Targets, t.Name)) {
				out = append(out, src.Name+":"+p.Code)
			}
		}
	}
	return out
}
