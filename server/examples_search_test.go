package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/examples"
	"github.com/fhirbase-go/fhird/fhir/index"
	"github.com/fhirbase-go/fhird/store/storetest"
)

// decodeJSON decodes a resource keeping numbers as their text, so that
// 1.50 and 1.5 differ as the specification has them differ (decimals keep
// their precision, datatypes.html#decimal).
func decodeJSON(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// semanticDiff compares a resource sent with the one read back, as JSON
// whose key order does not matter. Only meta.versionId and
// meta.lastUpdated may differ: the server sets both on every write
// (resource.html#Meta: "changes to the ... versionId and lastUpdated ...
// are controlled by the server"), replacing any the example carries, and
// a meta left empty without them is no meta. It returns "" when they are
// equal, or the path of the first difference.
func semanticDiff(sent, got []byte) (string, error) {
	a, err := decodeJSON(sent)
	if err != nil {
		return "", fmt.Errorf("sent: %w", err)
	}
	b, err := decodeJSON(got)
	if err != nil {
		return "", fmt.Errorf("read back: %w", err)
	}
	for _, m := range []map[string]any{a, b} {
		if meta, ok := m["meta"].(map[string]any); ok {
			delete(meta, "versionId")
			delete(meta, "lastUpdated")
			if len(meta) == 0 {
				delete(m, "meta")
			}
		}
	}
	return firstDiff("", a, b), nil
}

// firstDiff returns the path of the first difference between a and b, ""
// when they are equal.
func firstDiff(path string, a, b any) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: sent an object, read %s", path, short(b))
		}
		keys := make([]string, 0, len(x)+len(y))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range slices.Compact(keys) {
			if d := firstDiff(path+"."+k, x[k], y[k]); d != "" {
				return d
			}
		}
		return ""
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return fmt.Sprintf("%s: sent %s, read %s", path, short(a), short(b))
		}
		for i := range x {
			if d := firstDiff(fmt.Sprintf("%s[%d]", path, i), x[i], y[i]); d != "" {
				return d
			}
		}
		return ""
	}
	if x, ok := a.(json.Number); ok {
		if y, ok := b.(json.Number); ok && sameDecimal(x, y) {
			return ""
		}
	}
	if !reflect.DeepEqual(a, b) {
		return fmt.Sprintf("%s: sent %s, read %s", path, short(a), short(b))
	}
	return ""
}

// sameDecimal reports whether two JSON numbers are the same decimal: the
// same text, or, when either is in exponent notation, the same value with
// the same number of decimal places. The server stores resources as
// PostgreSQL jsonb, whose numeric type keeps 1.50 as 1.50 but writes 1E-22
// as 0.0000000000000000000001 and 1.0E+2 as 100: the value and its
// precision, which the specification requires kept (datatypes.html#decimal),
// are the same; only the notation changes.
func sameDecimal(a, b json.Number) bool {
	if a == b {
		return true
	}
	if !strings.ContainsAny(string(a)+string(b), "eE") {
		return false
	}
	x, okx := new(big.Rat).SetString(string(a))
	y, oky := new(big.Rat).SetString(string(b))
	return okx && oky && x.Cmp(y) == 0 && decimalPlaces(a) == decimalPlaces(b)
}

// decimalPlaces is the number of digits after the point of a JSON number
// written without an exponent: the fraction's digits less the exponent.
func decimalPlaces(n json.Number) int {
	s, exp, _ := strings.Cut(strings.ToLower(string(n)), "e")
	e, _ := strconv.Atoi(exp)
	_, frac, _ := strings.Cut(s, ".")
	return max(0, len(frac)-e)
}

// short renders a JSON value for a message.
func short(v any) string {
	if v == nil {
		return "nothing"
	}
	b, _ := json.Marshal(v)
	return clip(b)
}

// valueQuery returns a search query (without _id) that must find the
// example, built on one of the values the index extracts from it: in order
// of preference a token as system|code, a token as code, a string (with
// :exact) or uri, a reference, a date, a token's text (with :text), and
// last the presence of a value the others cannot search (with
// :missing=false, e.g. a reference to a contained resource). It returns ""
// when the example has no value of its type's parameters (a type with only
// the common parameters, like Binary or OperationOutcome).
//
// The index stores hashes and normal forms, not the values, so the
// candidates come from the example itself (its codings, identifiers and
// primitive values) and a token candidate is kept only when the rows hold
// its hash; strings, references and dates are read from the rows.
func valueQuery(ex examples.Example) (query, kind string, err error) {
	t, ok := fhir.LookupType(ex.Type)
	if !ok {
		return "", "", fmt.Errorf("type %s is not stored", ex.Type)
	}
	res, err := decodeJSON(ex.Body)
	if err != nil {
		return "", "", err
	}
	rows, err := index.ExtractUnder(t, res, storetest.BaseURL)
	if err != nil {
		return "", "", err
	}
	params := searchableParams(t)
	if query, kind = tokenQuery(params, rows, tokenCandidates(res)); query != "" {
		return query, kind, nil
	}
	query, kind = rowQuery(params, rows)
	return query, kind, nil
}

// searchableParams are the parameters of t a value query may use: every
// one but _id (searched on its own) and composites, those of the type
// before the common ones.
func searchableParams(t *fhir.ResourceType) []*fhir.SearchParam {
	var own, common []*fhir.SearchParam
	for i := range t.Params {
		p := &t.Params[i]
		switch {
		case p.Code == "_id" || p.Type == fhir.ParamComposite:
		case strings.HasPrefix(p.Code, "_"):
			common = append(common, p)
		default:
			own = append(own, p)
		}
	}
	return append(own, common...)
}

// tokenCandidate is a (system, code) pair of the example that a token
// parameter may have extracted.
type tokenCandidate struct{ system, code string }

// maxCandidates bounds the values taken from one example: the largest
// Bundles hold millions, and tokens are found near the top.
const maxCandidates = 100000

// tokenCandidates collects the example's (system, code) pairs breadth
// first, shallow values first: a Coding's (system, code), an Identifier's
// (system, value), and every string and boolean as a code without system.
func tokenCandidates(res map[string]any) []tokenCandidate {
	var out []tokenCandidate
	queue := []any{res}
	for len(queue) > 0 && len(out) < maxCandidates {
		v := queue[0]
		queue = queue[1:]
		switch x := v.(type) {
		case map[string]any:
			system, _ := x["system"].(string)
			if code, ok := x["code"].(string); ok {
				out = append(out, tokenCandidate{system, code})
			} else if value, ok := x["value"].(string); ok && system != "" {
				out = append(out, tokenCandidate{system, value})
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if k != "text" || !isNarrative(x[k]) {
					queue = append(queue, x[k])
				}
			}
		case []any:
			queue = append(queue, x...)
		case string:
			if len(x) <= 256 {
				out = append(out, tokenCandidate{"", x})
			}
		case bool:
			out = append(out, tokenCandidate{"", fmt.Sprint(x)})
		}
	}
	return out
}

// isNarrative reports whether v is a Narrative, whose div holds no tokens.
func isNarrative(v any) bool {
	m, ok := v.(map[string]any)
	_, div := m["div"]
	return ok && div
}

// tokenQuery returns a token query on the first candidate the rows hold,
// as system|code before code alone, and its kind.
func tokenQuery(params []*fhir.SearchParam, rows index.Rows, cands []tokenCandidate) (query, kind string) {
	held := func(h int64) bool { _, ok := slices.BinarySearch(rows.Tokens, h); return ok }
	for _, withSystem := range []bool{true, false} {
		for _, p := range params {
			if p.Type != fhir.ParamToken {
				continue
			}
			for _, c := range cands {
				switch {
				case c.code == "" || (c.system != "") != withSystem:
				case withSystem && held(index.TokenSystemCode(p.Code, c.system, c.code)):
					return param(p.Code, escape(c.system)+"|"+escape(c.code)), "token system|code"
				case !withSystem && held(index.TokenAny(p.Code, c.code)):
					return param(p.Code, escape(c.code)), "token code"
				}
			}
		}
	}
	return "", ""
}

// rowQuery returns a query on a string, uri, reference or date row of
// the parameters, in that order of preference, and its kind.
func rowQuery(params []*fhir.SearchParam, rows index.Rows) (query, kind string) {
	byHash := map[int64]*fhir.SearchParam{}
	for _, p := range params {
		byHash[index.ParamHash(p.Code)] = p
	}
	for _, s := range rows.Strings {
		if p := byHash[s.Hash]; p != nil && len(s.Exact) <= 200 && s.Exact != "" {
			if p.Type == fhir.ParamURI {
				return param(p.Code, escape(s.Exact)), "uri"
			}
			return param(p.Code+":exact", escape(s.Exact)), "string"
		}
	}
	for _, r := range rows.Refs {
		if p := byHash[r.Hash]; p != nil && !strings.Contains(r.TargetID, "|") {
			if r.TargetType != "" {
				return param(p.Code, r.TargetType+"/"+r.TargetID), "reference"
			}
			return param(p.Code, escape(r.TargetID)), "reference"
		}
	}
	for _, d := range rows.Dates {
		if p := byHash[d.Hash]; p != nil {
			if q := dateQuery(p.Code, d); q != "" {
				return q, "date"
			}
		}
	}
	return textQuery(params, rows)
}

// textQuery returns a :text query on a token's display text (a
// CodeableConcept with a text and no coding has no other value).
func textQuery(params []*fhir.SearchParam, rows index.Rows) (query, kind string) {
	byHash := map[int64]*fhir.SearchParam{}
	for _, p := range params {
		if p.Type == fhir.ParamToken {
			byHash[index.ParamHash(p.Code+":text")] = p
		}
	}
	for _, s := range rows.Strings {
		if p := byHash[s.Hash]; p != nil && len(s.Exact) <= 200 && s.Exact != "" {
			return param(p.Code+":text", escape(s.Exact)), "token :text"
		}
	}
	for _, p := range params {
		if _, ok := slices.BinarySearch(rows.Tokens, index.Present(p.Code)); ok {
			return param(p.Code+":missing", "false"), ":missing"
		}
	}
	return "", ""
}

// dateQuery returns a query that a date range must match: the range
// above a value a second before its start overlaps it (ge), or else the
// range below a value a second after its end (le).
func dateQuery(code string, d index.Date) string {
	const layout = "2006-01-02T15:04:05Z"
	if d.Lo.After(index.MinTime.Add(time.Second)) {
		return param(code, "ge"+d.Lo.Add(-time.Second).Format(layout))
	}
	if d.Hi.Before(index.MaxTime.Add(-time.Second)) {
		return param(code, "le"+d.Hi.Add(time.Second).Format(layout))
	}
	return ""
}

// param renders one search parameter for a query string.
func param(code, value string) string {
	return url.QueryEscape(code) + "=" + url.QueryEscape(value)
}

// escape escapes the characters search values give a meaning to
// (search.html#escaping).
var escape = strings.NewReplacer(`\`, `\\`, `,`, `\,`, `$`, `\$`, `|`, `\|`).Replace
