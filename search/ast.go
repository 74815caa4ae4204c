package search

import (
	"net/url"
	"time"

	"github.com/fhirbase-go/fhird/fhir"
)

// Prefix is the comparison prefix of a number, date or quantity value.
type Prefix uint8

// The prefixes of R4 search; PrefixNone means the value had none (eq).
const (
	PrefixNone Prefix = iota
	PrefixEq
	PrefixNe
	PrefixGt
	PrefixLt
	PrefixGe
	PrefixLe
	PrefixSa
	PrefixEb
	PrefixAp
)

// Modifier is a search parameter modifier.
type Modifier uint8

// The modifiers the compiler understands.
const (
	ModNone       Modifier = iota
	ModExact               // string
	ModContains            // string, uri
	ModMissing             // every type
	ModNot                 // token
	ModText                // token
	ModIdentifier          // reference
	ModType                // reference :[type]; Param.TargetType holds it
	ModAbove               // uri
	ModBelow               // uri
	ModOfType              // token on Identifier
)

// Value is one OR-ed value of a parameter, its escapes resolved.
type Value struct {
	Prefix Prefix
	// Raw is the value without its prefix, escapes resolved (for composite
	// values, the whole text).
	Raw string
	// Parts splits Raw on unescaped '|' (tokens, quantities) and, for
	// composites, on '$' first; nil when the type has no parts.
	Parts []string
	// Components are the values of a composite parameter's components.
	Components []Value
}

// Param is one AND-ed condition of a query.
type Param struct {
	// Name is the parameter as the client wrote it (with modifier and
	// chain), for error messages.
	Name string
	// Resource is the type whose resources the condition filters.
	Resource *fhir.ResourceType
	Def      *fhir.SearchParam
	Modifier Modifier
	// TargetType restricts a reference (":Patient", or a chain's type).
	TargetType string
	// Chain, when set, makes this a chained reference: the referenced
	// resource (of TargetType, or of every target type that has the
	// chained parameter) must match Chain. Values are then empty.
	Chain *Param
	// Has, when set, makes this a reverse chain (_has).
	Has *Has
	// Values are OR-ed.
	Values []Value
}

// Has is a reverse chain: a resource of Type whose reference parameter
// RefParam points at the filtered resource, and that matches Param.
type Has struct {
	Type     *fhir.ResourceType
	RefParam *fhir.SearchParam
	Param    *Param
}

// Include is one _include or _revinclude.
type Include struct {
	// Source is the type that holds the reference parameter.
	Source *fhir.ResourceType
	// Param is the reference parameter; nil for "*" (every reference
	// parameter of Source).
	Param *fhir.SearchParam
	// Target restricts the referenced type; "" for any.
	Target  string
	Iterate bool
	Rev     bool
}

// SortKey is one key of _sort.
type SortKey struct {
	Def  *fhir.SearchParam
	Desc bool
}

// TotalMode is the _total setting.
type TotalMode uint8

// The _total modes.
const (
	TotalNone TotalMode = iota
	TotalEstimate
	TotalAccurate
)

// SummaryMode is the _summary setting.
type SummaryMode uint8

// The _summary modes.
const (
	SummaryFalse SummaryMode = iota
	SummaryTrue
	SummaryText
	SummaryData
	SummaryCount
)

// Compartment restricts a search to one compartment, e.g. Patient/123.
type Compartment struct {
	Type string
	ID   string
}

// Query is a parsed search: AND-ed Params over resources of Type, plus the
// result parameters.
type Query struct {
	Type        *fhir.ResourceType
	Params      []*Param
	Compartment *Compartment
	Includes    []Include // _include and _revinclude, in request order
	Sort        []SortKey
	Count       int
	Total       TotalMode
	Summary     SummaryMode
	Elements    []string
	// Now is the reference time of "ap" on dates; Parse sets it.
	Now time.Time
	// BaseURL is Options.BaseURL, for absolute references to this server.
	BaseURL string
	// Limits are Options.Limits.
	Limits Limits
	// Applied are the parameters the query applied, canonical, for the
	// self link: unknown ones dropped in lenient mode, result parameters
	// (_sort, _count, _include, ...) kept.
	Applied url.Values
}
