package search

import (
	"slices"
	"strconv"
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
)

// This file prints the AST back to canonical text: the query as a client
// could have written it, before URL encoding, with one spelling per
// meaning. Names are rebuilt from the definitions (a chain link's
// TargetType is always written, inferred or not), values are re-escaped
// (every ',', '|', '$' and '\' inside a value or part gets a backslash),
// and result parameters follow the filters in a fixed order. Parsing the
// text of a Param gives an equal Param, so the text is a stable key (the
// compiler's golden files are named by it).

var prefixText = [...]string{"", "eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"}

// String returns the prefix as written in a query ("gt"); "" for
// PrefixNone.
func (p Prefix) String() string {
	if int(p) < len(prefixText) {
		return prefixText[p]
	}
	return "?" + strconv.Itoa(int(p))
}

var modifierText = [...]string{"", "exact", "contains", "missing", "not", "text", "identifier", "", "above", "below", "of-type"}

// String returns the modifier as written after ':' ("exact"); "" for
// ModNone and for ModType, whose text is the type (Param.TargetType).
func (m Modifier) String() string {
	if int(m) < len(modifierText) {
		return modifierText[m]
	}
	return "?" + strconv.Itoa(int(m))
}

// String prints the condition as "name=value,value".
func (p *Param) String() string {
	var b strings.Builder
	p.writeName(&b)
	b.WriteByte('=')
	leaf := p.Leaf()
	for i, v := range leaf.Values {
		if i > 0 {
			b.WriteByte(',')
		}
		writeValue(&b, leaf.Resource, leaf.Def, leaf.Modifier, v)
	}
	return b.String()
}

// ConditionKey prints what q selects and nothing else: its conditions,
// each with its values de-duplicated and sorted, sorted and
// de-duplicated themselves, without the result parameters (_count,
// _sort, _total, _summary, _elements, includes). Queries that can only
// select the same resources by their spelling (a repeated value or
// parameter, another order, a result parameter) have one key: a
// conditional interaction locks it, so that two such conditions run one
// after the other.
func (q *Query) ConditionKey() string {
	conds := make([]string, 0, len(q.Params))
	for _, p := range q.Params {
		conds = append(conds, p.canonical())
	}
	slices.Sort(conds)
	return strings.Join(slices.Compact(conds), "&")
}

// canonical prints p as String does, its OR-ed values sorted and
// de-duplicated: the order of the values of one parameter means nothing.
func (p *Param) canonical() string {
	var b strings.Builder
	p.writeName(&b)
	b.WriteByte('=')
	leaf := p.Leaf()
	values := make([]string, len(leaf.Values))
	for i, v := range leaf.Values {
		var vb strings.Builder
		writeValue(&vb, leaf.Resource, leaf.Def, leaf.Modifier, v)
		values[i] = vb.String()
	}
	slices.Sort(values)
	b.WriteString(strings.Join(slices.Compact(values), ","))
	return b.String()
}

// Leaf returns the Param of a chain or reverse chain that holds the
// values: p itself for a plain parameter.
func (p *Param) Leaf() *Param {
	for {
		switch {
		case p.Chain != nil:
			p = p.Chain
		case p.Has != nil && p.Has.Param != nil:
			p = p.Has.Param
		default:
			return p
		}
	}
}

// writeName writes the canonical name of p, chain and _has included.
func (p *Param) writeName(b *strings.Builder) {
	if h := p.Has; h != nil {
		b.WriteString("_has:")
		b.WriteString(typeName(h.Type))
		b.WriteByte(':')
		if h.RefParam != nil {
			b.WriteString(h.RefParam.Code)
		}
		b.WriteByte(':')
		if h.Param != nil {
			h.Param.writeName(b)
		}
		return
	}
	if p.Def != nil {
		b.WriteString(p.Def.Code)
	}
	mod := p.Modifier.String()
	if p.TargetType != "" {
		mod = p.TargetType
	}
	if mod != "" {
		b.WriteByte(':')
		b.WriteString(mod)
	}
	if p.Chain != nil {
		b.WriteByte('.')
		p.Chain.writeName(b)
	}
}

// writeValue writes one value of a parameter of definition def on type
// res with modifier mod.
func writeValue(b *strings.Builder, res *fhir.ResourceType, def *fhir.SearchParam, mod Modifier, v Value) {
	b.WriteString(v.Prefix.String())
	switch {
	case len(v.Components) > 0 && def != nil:
		for i, c := range v.Components {
			if i > 0 {
				b.WriteByte('$')
			}
			var cdef *fhir.SearchParam
			if res != nil && i < len(def.Components) {
				cdef, _ = res.Param(def.Components[i].Code)
			}
			writeValue(b, res, cdef, ModNone, c)
		}
	case v.Parts != nil && (def == nil || def.Type != fhir.ParamReference || mod == ModIdentifier):
		for i, part := range v.Parts {
			if i > 0 {
				b.WriteByte('|')
			}
			b.WriteString(escapeValue(part))
		}
	default:
		b.WriteString(escapeValue(v.Raw))
	}
}

// String prints the query: its conditions, then the result parameters
// (_sort, _count, _total, _summary, _elements, the includes), joined by
// '&'. _count is always printed; the others only when set.
func (q *Query) String() string {
	var parts []string
	for _, p := range q.Params {
		parts = append(parts, p.String())
	}
	parts = append(parts, q.resultText()...)
	return strings.Join(parts, "&")
}

// resultText returns the result parameters of q as "name=value" texts.
func (q *Query) resultText() []string {
	var out []string
	if len(q.Sort) > 0 {
		keys := make([]string, len(q.Sort))
		for i, k := range q.Sort {
			keys[i] = k.String()
		}
		out = append(out, "_sort="+strings.Join(keys, ","))
	}
	out = append(out, "_count="+strconv.Itoa(q.Count))
	if q.Total != TotalNone {
		out = append(out, "_total="+[...]string{"none", "estimate", "accurate"}[min(int(q.Total), 2)])
	}
	if q.Summary != SummaryFalse {
		out = append(out, "_summary="+[...]string{"false", "true", "text", "data", "count"}[min(int(q.Summary), 4)])
	}
	if len(q.Elements) > 0 {
		out = append(out, "_elements="+strings.Join(q.Elements, ","))
	}
	for _, inc := range q.Includes {
		out = append(out, inc.String())
	}
	return out
}

// String prints the key as written in _sort: the code, '-' first when
// descending.
func (k SortKey) String() string {
	code := ""
	if k.Def != nil {
		code = k.Def.Code
	}
	if k.Desc {
		return "-" + code
	}
	return code
}

// String prints the include as "_include[:iterate]=Source:param[:Target]"
// (or _revinclude), "*" standing for every reference parameter.
func (inc Include) String() string {
	var b strings.Builder
	b.WriteString("_include")
	if inc.Rev {
		b.Reset()
		b.WriteString("_revinclude")
	}
	if inc.Iterate {
		b.WriteString(":iterate")
	}
	b.WriteByte('=')
	b.WriteString(typeName(inc.Source))
	b.WriteByte(':')
	if inc.Param == nil {
		b.WriteByte('*')
	} else {
		b.WriteString(inc.Param.Code)
	}
	if inc.Target != "" {
		b.WriteByte(':')
		b.WriteString(inc.Target)
	}
	return b.String()
}

// typeName is t's name, "" for nil.
func typeName(t *fhir.ResourceType) string {
	if t == nil {
		return ""
	}
	return t.Name
}
