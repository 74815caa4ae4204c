package search

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fhirbase-go/fhird/fhir"
)

// This file parses the result parameters: _sort, _count, _total,
// _summary, _elements, _include and _revinclude.

// resultParams maps each result parameter but the includes to its
// parser, which sets the query's field and returns the value to record in
// Query.Applied.
var resultParams = map[string]func(p *parser, k, v string) (string, error){
	"_sort":     (*parser).sort,
	"_count":    (*parser).count,
	"_total":    (*parser).total,
	"_summary":  (*parser).summary,
	"_elements": (*parser).elements,
}

// result parses the result parameter k (whose name without modifier is
// base). Each may be given once, without modifier.
func (p *parser) result(k, base string, values []string) error {
	if k != base {
		return unsupportedParam(k, "%s takes no modifier", base)
	}
	if len(values) == 0 {
		return nil
	}
	if len(values) > 1 {
		return invalidParam(k, "%s may be given only once", base)
	}
	v := values[0]
	if err := p.checkResultValue(k, v); err != nil {
		return err
	}
	applied, err := resultParams[base](p, k, v)
	if err != nil {
		return err
	}
	p.q.Applied[k] = []string{applied}
	return nil
}

// checkResultValue applies the checks common to result parameter values.
func (p *parser) checkResultValue(k, v string) error {
	switch {
	case v == "":
		return invalidValue(k, "empty value")
	case len(v) > p.lim.MaxValueBytes:
		return costlyParam(k, "the value is longer than %d bytes", p.lim.MaxValueBytes)
	case !utf8.ValidString(v):
		return invalidValue(k, "the value is not valid UTF-8")
	}
	return nil
}

// sortable are the parameter types _sort accepts.
var sortable = []fhir.ParamType{fhir.ParamString, fhir.ParamDate, fhir.ParamNumber,
	fhir.ParamQuantity, fhir.ParamURI, fhir.ParamReference, fhir.ParamToken}

// sort parses "_sort=key,-key": parameters of the searched type, '-' for
// descending.
func (p *parser) sort(k, v string) (string, error) {
	keys := strings.SplitN(v, ",", p.lim.MaxSortKeys+1)
	if len(keys) > p.lim.MaxSortKeys {
		return "", costlyParam(k, "more than %d sort keys", p.lim.MaxSortKeys)
	}
	for _, key := range keys {
		code, desc := strings.CutPrefix(key, "-")
		def, ok := p.t.Param(code)
		switch {
		case code == "":
			return "", invalidValue(k, "empty sort key")
		case !ok:
			return "", invalidValue(k, "%s has no search parameter %s to sort by", p.t.Name, quoteShort(code))
		case !slices.Contains(sortable, def.Type):
			return "", unsupportedParam(k, "cannot sort by %s, a %s parameter", quoteShort(code), def.Type)
		case slices.ContainsFunc(p.q.Sort, func(s SortKey) bool { return s.Def == def }):
			return "", invalidValue(k, "sorts by %s twice", quoteShort(code))
		}
		p.q.Sort = append(p.q.Sort, SortKey{Def: def, Desc: desc})
	}
	return v, nil
}

// count parses "_count=n": 0 asks for no matches (only the total), a
// number above the maximum is cut to it. The applied value is the count
// used, so that the self link tells the page size.
func (p *parser) count(k, v string) (string, error) {
	if strings.Trim(v, "0123456789") != "" {
		return "", invalidValue(k, "%s is not a count (a whole number from 0)", quoteShort(v))
	}
	n := maxCount(p.opts)
	if len(v) <= 9 { // longer numbers are above any maximum
		m, _ := strconv.Atoi(v)
		n = min(m, n)
	}
	p.q.Count = n
	return strconv.Itoa(n), nil
}

// total parses "_total=none|estimate|accurate".
func (p *parser) total(k, v string) (string, error) {
	modes := map[string]TotalMode{"none": TotalNone, "estimate": TotalEstimate, "accurate": TotalAccurate}
	m, ok := modes[v]
	if !ok {
		return "", invalidValue(k, "%s is not none, estimate or accurate", quoteShort(v))
	}
	p.q.Total = m
	return v, nil
}

// summary parses "_summary=true|false|text|data|count".
func (p *parser) summary(k, v string) (string, error) {
	modes := map[string]SummaryMode{"true": SummaryTrue, "false": SummaryFalse,
		"text": SummaryText, "data": SummaryData, "count": SummaryCount}
	m, ok := modes[v]
	if !ok {
		return "", invalidValue(k, "%s is not true, false, text, data or count", quoteShort(v))
	}
	p.q.Summary = m
	return v, nil
}

// elements parses "_elements=a,b": top-level element names.
func (p *parser) elements(k, v string) (string, error) {
	names := strings.SplitN(v, ",", p.lim.MaxOrValues+1)
	if len(names) > p.lim.MaxOrValues {
		return "", costlyParam(k, "more than %d elements", p.lim.MaxOrValues)
	}
	for _, n := range names {
		if !isElementName(n) {
			return "", invalidValue(k, "%s is not an element name", quoteShort(n))
		}
	}
	p.q.Elements = names
	return v, nil
}

// isElementName reports whether s is a FHIR element name: a letter, then
// letters, digits and '_'.
func isElementName(s string) bool {
	if s == "" || !(s[0] >= 'A' && s[0] <= 'Z' || s[0] >= 'a' && s[0] <= 'z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// includes parses every value of the _include or _revinclude parameter k
// (base without its modifier).
func (p *parser) includes(k, base string, values []string) error {
	_, mod, _ := strings.Cut(k, ":")
	if mod != "" && mod != "iterate" || k == base+":" {
		return unsupportedParam(k, "%s takes only the modifier :iterate", base)
	}
	for _, v := range values {
		if len(p.q.Includes) >= p.lim.MaxParams {
			return costlyParam(k, "more than %d _include and _revinclude", p.lim.MaxParams)
		}
		if err := p.checkResultValue(k, v); err != nil {
			return err
		}
		inc, err := p.include(k, v, base == "_revinclude", mod == "iterate")
		if err != nil {
			return err
		}
		p.q.Includes = append(p.q.Includes, inc)
		p.q.Applied[k] = append(p.q.Applied[k], v)
	}
	return nil
}

// include parses one "Source:param[:Target]" or "Source:*". Without
// :iterate, an _include's Source must be the searched type and a
// _revinclude's parameter must be able to point at it.
func (p *parser) include(k, v string, rev, iterate bool) (Include, error) {
	parts := strings.Split(v, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return Include{}, invalidValue(k, "%s is not Source:parameter[:Target]", quoteShort(v))
	}
	src, ok := fhir.LookupType(parts[0])
	if !ok {
		return Include{}, invalidValue(k, "unknown resource type %s", quoteShort(parts[0]))
	}
	if !rev && !iterate && src != p.t {
		return Include{}, invalidValue(k, "%s starts with %s, not the searched type %s (use _include:iterate)", quoteShort(v), src.Name, p.t.Name)
	}
	inc := Include{Source: src, Iterate: iterate, Rev: rev}
	if parts[1] == "*" {
		if len(parts) == 3 {
			return Include{}, invalidValue(k, "%s: * takes no target type", quoteShort(v))
		}
		return inc, nil
	}
	def, ok := src.Param(parts[1])
	if !ok || def.Type != fhir.ParamReference {
		return Include{}, invalidValue(k, "%s has no reference parameter %s", src.Name, quoteShort(parts[1]))
	}
	if rev && !iterate && !canPointAt(def, p.t.Name) {
		return Include{}, invalidValue(k, "%s.%s cannot point at %s", src.Name, def.Code, p.t.Name)
	}
	inc.Param = def
	if len(parts) == 3 {
		target, err := p.includeTarget(k, def, parts[2], rev && !iterate)
		if err != nil {
			return Include{}, err
		}
		inc.Target = target
	}
	return inc, nil
}

// includeTarget checks the target type of an include: one of def's
// targets that the server stores (the searched type for a _revinclude
// without :iterate).
func (p *parser) includeTarget(k string, def *fhir.SearchParam, target string, searched bool) (string, error) {
	if !slices.Contains(def.Targets, target) {
		return "", invalidValue(k, "%s cannot point at %s", def.Code, quoteShort(target))
	}
	if _, ok := fhir.LookupType(target); !ok {
		return "", unsupportedParam(k, "this server does not store %s resources", target)
	}
	if searched && target != p.t.Name {
		return "", invalidValue(k, "the target of a _revinclude must be the searched type %s", p.t.Name)
	}
	return target, nil
}
