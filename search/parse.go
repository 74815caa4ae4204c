package search

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/fhirbase-go/fhird/fhir"
)

// Parse turns the parameters of a search on resources of type t into a
// Query. It does no I/O and never panics; every error is a *fhir.Error of
// kind KindInvalid (issue code invalid, value or not-supported) or
// KindTooCostly (issue code too-costly), and names the offending parameter,
// as the client wrote it, in its Expression.
//
// Parameters are taken in the order of their names (url.Values keeps no
// order across names) and, for one name, in the order of their values;
// each value of a filter parameter is one AND-ed Param. _include values
// come before _revinclude values in Query.Includes (names sort so). Unknown parameters and
// those the server does not support (_text, _content, _query, _list,
// _filter, _contained, _containedType, _type and parameters of type
// special) are an error when opts.Strict is set and are otherwise
// ignored; _format, _pretty and _page_token are always ignored, and so is
// every empty value. Ignored parameters are left out of Query.Applied.
func Parse(t *fhir.ResourceType, params url.Values, opts Options) (*Query, error) {
	if t == nil {
		return nil, unsupportedParam("_type", "the resource type is not supported")
	}
	p := newParser(t, opts)
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := p.key(k, params[k]); err != nil {
			return nil, err
		}
	}
	return p.q, nil
}

// parser holds the state of one Parse call.
type parser struct {
	t    *fhir.ResourceType
	opts Options
	lim  Limits
	// base is opts.BaseURL without its trailing slashes.
	base string
	q    *Query
	// cost counts the AND-ed conditions so far, chain links and _has
	// levels included, against Limits.MaxParams.
	cost int
}

func newParser(t *fhir.ResourceType, opts Options) *parser {
	lim := effectiveLimits(opts.Limits)
	q := &Query{
		Type:    t,
		Count:   defaultCount(opts),
		Now:     opts.Now,
		BaseURL: opts.BaseURL,
		Limits:  lim,
		Applied: url.Values{},
	}
	return &parser{t: t, opts: opts, lim: lim, base: strings.TrimRight(opts.BaseURL, "/"), q: q}
}

// effectiveLimits replaces every zero (or negative) field of l by the
// field of DefaultLimits.
func effectiveLimits(l Limits) Limits {
	d := DefaultLimits
	pick := func(v, def int) int {
		if v <= 0 {
			return def
		}
		return v
	}
	return Limits{
		MaxParams:     pick(l.MaxParams, d.MaxParams),
		MaxOrValues:   pick(l.MaxOrValues, d.MaxOrValues),
		MaxChainDepth: pick(l.MaxChainDepth, d.MaxChainDepth),
		MaxHasDepth:   pick(l.MaxHasDepth, d.MaxHasDepth),
		MaxIncludes:   pick(l.MaxIncludes, d.MaxIncludes),
		MaxSortKeys:   pick(l.MaxSortKeys, d.MaxSortKeys),
		MaxValueBytes: pick(l.MaxValueBytes, d.MaxValueBytes),
		MaxPageBytes:  pick(l.MaxPageBytes, d.MaxPageBytes),
	}
}

// FallbackDefaultCount and FallbackMaxCount replace a zero
// Options.DefaultCount and Options.MaxCount.
const (
	FallbackDefaultCount = 20
	FallbackMaxCount     = 1000
)

// maxCount is the effective Options.MaxCount.
func maxCount(o Options) int {
	if o.MaxCount <= 0 {
		return FallbackMaxCount
	}
	return o.MaxCount
}

// defaultCount is the effective Options.DefaultCount, never above
// maxCount.
func defaultCount(o Options) int {
	n := o.DefaultCount
	if n <= 0 {
		n = FallbackDefaultCount
	}
	return min(n, maxCount(o))
}

// ignoredParams are taken out of the request before parsing by the
// server, or only shape the response's format; they are never applied.
var ignoredParams = map[string]bool{"_format": true, "_pretty": true, "_page_token": true}

// unsupportedParams are search parameters of the specification the
// server does not implement.
var unsupportedParams = map[string]bool{
	"_text": true, "_content": true, "_query": true, "_list": true, "_filter": true,
	"_contained": true, "_containedType": true, "_type": true,
}

// errSkip is the logged cause of the errors that lenient parsing turns
// into ignoring the parameter: unknown and unsupported parameters.
var errSkip = errors.New("search: unknown or unsupported parameter")

// key parses every value of the parameter named k. An empty value is
// ignored, as search.html asks ("?name=" is not an error and not a
// condition), whatever the parameter and however strict the parsing: it
// is left out of Applied, so the self link shows only what was applied.
func (p *parser) key(k string, values []string) error {
	base, _, _ := strings.Cut(k, ":")
	values = slices.DeleteFunc(slices.Clone(values), func(v string) bool { return v == "" })
	switch {
	case len(values) == 0 || ignoredParams[base]:
		return nil
	case base == "_include" || base == "_revinclude":
		return p.includes(k, base, values)
	case resultParams[base] != nil:
		return p.result(k, base, values)
	}
	for _, v := range values {
		if err := p.filter(k, v); err != nil {
			return err
		}
	}
	return nil
}

// filter parses one value of a filter parameter and adds it to the query,
// or ignores it when it is unknown and parsing is lenient.
func (p *parser) filter(k, v string) error {
	param, err := p.param(k, v)
	if err != nil {
		if errors.Is(err, errSkip) && !p.opts.Strict {
			return nil
		}
		return err
	}
	p.cost += cost(param)
	if p.cost > p.lim.MaxParams {
		return costlyParam(k, "the search has more than %d conditions (chain links and _has count)", p.lim.MaxParams)
	}
	p.q.Params = append(p.q.Params, param)
	p.q.Applied[k] = append(p.q.Applied[k], v)
	return nil
}

// cost is the number of conditions param adds up to: one, plus those of
// its chain or of its _has condition.
func cost(param *Param) int {
	switch {
	case param.Chain != nil:
		return 1 + cost(param.Chain)
	case param.Has != nil:
		return 1 + cost(param.Has.Param)
	}
	return 1
}

// The error constructors below put the parameter in the issue's
// Expression; their messages start with the parameter's name.

func invalidParam(name, format string, args ...any) *fhir.Error {
	return paramError(fhir.KindInvalid, fhir.IssueInvalid, name, format, args)
}

func invalidValue(name, format string, args ...any) *fhir.Error {
	return paramError(fhir.KindInvalid, fhir.IssueValue, name, format, args)
}

func unsupportedParam(name, format string, args ...any) *fhir.Error {
	return paramError(fhir.KindInvalid, fhir.IssueNotSupported, name, format, args)
}

func costlyParam(name, format string, args ...any) *fhir.Error {
	return paramError(fhir.KindTooCostly, fhir.IssueTooCostly, name, format, args)
}

func paramError(kind fhir.Kind, code fhir.IssueType, name, format string, args []any) *fhir.Error {
	msg := fmt.Sprintf(format, args...)
	return fhir.Errorf(kind, code, "search parameter %s: %s", quoteShort(name), msg).At(name)
}

// quoteShort quotes s for a message, cut to 64 bytes so that a hostile
// value does not make the message huge.
func quoteShort(s string) string {
	const max = 64
	if len(s) <= max {
		return fmt.Sprintf("%q", s)
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return fmt.Sprintf("%q…", s[:i])
}
