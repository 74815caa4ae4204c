package search

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/index"
)

// param compiles one AND-ed condition on the rows of type t whose alias is
// res. Each condition is an EXISTS (or NOT EXISTS) over one index table of
// t, correlated on pk, or a comparison on a column of the main table.
func (c *compiler) param(p *Param, t *fhir.ResourceType, res string) (string, error) {
	switch {
	case p == nil:
		return "", fhir.Errorf(fhir.KindInternal, fhir.IssueException, "search: nil parameter")
	case p.Has != nil:
		return c.has(p, t, res)
	case p.Def == nil:
		return "", compileUnsupported(p, "parameter %q has no definition", paramName(p))
	case p.Modifier == ModMissing:
		return c.missing(p, t, res)
	case p.Chain != nil:
		return c.chain(p, t, res)
	case len(p.Values) == 0:
		return "", compileInvalid(p, "parameter %q has no value", paramName(p))
	}
	if s := index.ShapeOf(t, p.Def.Code); s.Members != nil && !oneLookup(p.Def.Type) {
		return c.union(p, t, res, s.Members)
	}
	switch p.Def.Code {
	case "_id":
		return c.idCond(p, res)
	case "_lastUpdated":
		return c.lastUpdatedCond(p, res)
	}
	switch p.Def.Type {
	case fhir.ParamToken:
		return c.token(p, t, res)
	case fhir.ParamString:
		return c.str(p, t, res)
	case fhir.ParamURI:
		return c.uri(p, t, res)
	case fhir.ParamReference:
		return c.reference(p, t, res)
	case fhir.ParamDate:
		return c.date(p, t, res)
	case fhir.ParamNumber, fhir.ParamQuantity:
		return c.number(p, t, res)
	case fhir.ParamComposite:
		return c.composite(p, t, res)
	}
	return "", compileUnsupported(p, "parameter %q of type %s is not supported", paramName(p), p.Def.Type)
}

// oneLookup reports the kinds whose conditions on a union parameter look
// up all its members' hashes at once.
func oneLookup(typ fhir.ParamType) bool {
	return typ == fhir.ParamToken || typ == fhir.ParamNumber || typ == fhir.ParamQuantity
}

// needModifier fails unless the parameter's modifier is one of ok.
func needModifier(p *Param, ok ...Modifier) error {
	for _, m := range ok {
		if p.Modifier == m {
			return nil
		}
	}
	return compileUnsupported(p, "modifier of %q is not supported for %s parameters", paramName(p), p.Def.Type)
}

// missing compiles ":missing": every indexed parameter emits the token
// Present(code) when the resource has a value, so missing=true is NOT
// EXISTS of it and missing=false is EXISTS. _id and _lastUpdated are never
// missing.
func (c *compiler) missing(p *Param, t *fhir.ResourceType, res string) (string, error) {
	var want [2]bool // want[0]: missing=false was asked; want[1]: missing=true
	for _, v := range p.Values {
		switch v.Raw {
		case "true":
			want[1] = true
		case "false":
			want[0] = true
		default:
			return "", compileInvalid(p, "value of %q must be true or false", paramName(p))
		}
	}
	switch {
	case want[0] && want[1]:
		return "TRUE", nil
	case p.Def.Code == "_id" || p.Def.Code == "_lastUpdated":
		if want[1] {
			return "FALSE", nil
		}
		return "TRUE", nil
	}
	ex, err := c.present(p.Def, t, res)
	switch {
	case want[1] && index.ShapeOf(t, p.Def.Code).Derived():
		return "NOT (" + ex + ")", err
	case want[1]:
		return "NOT " + ex, err
	}
	return ex, err
}

// idCond compiles _id on the main table's id column.
func (c *compiler) idCond(p *Param, res string) (string, error) {
	if err := needModifier(p, ModNone, ModNot); err != nil {
		return "", err
	}
	ids := make([]string, len(p.Values))
	for i, v := range p.Values {
		ids[i] = v.Raw
	}
	cond := eqAny(c.b, res+".id", ids)
	if p.Modifier == ModNot {
		return "NOT (" + cond + ")", nil
	}
	return cond, nil
}

// token compiles a token parameter: its values' search forms are hashes
// in the _tok table, OR-ed as one = ANY; :not is NOT EXISTS of the same
// (so it also matches resources without the element, as the specification
// asks); :text is a prefix search on the display texts; :of-type uses the
// TokenOfType hashes.
func (c *compiler) token(p *Param, t *fhir.ResourceType, res string) (string, error) {
	if err := needModifier(p, ModNone, ModNot, ModText, ModOfType); err != nil {
		return "", err
	}
	if p.Modifier == ModText {
		hs := hashesOf(t, p.Def, func(code string) int64 { return index.ParamHash(code + ":text") })
		return c.strPrefix(t, res, hs, normalizedValues(p.Values))
	}
	codes := hashCodes(t, p.Def)
	hashes := make([]int64, 0, len(p.Values)*len(codes))
	for _, v := range p.Values {
		if p.Modifier == ModOfType {
			parts := valueParts(v)
			if len(parts) != 3 {
				return "", compileInvalid(p, "value of %q must be system|code|value", paramName(p))
			}
			for _, code := range codes {
				hashes = append(hashes, index.TokenOfType(code, parts[0], parts[1], parts[2]))
			}
			continue
		}
		f, err := tokenForm(p, v)
		if err != nil {
			return "", err
		}
		for _, code := range codes {
			hashes = append(hashes, f.Hash(code))
		}
	}
	ex, err := c.tokenExists(t, res, hashes)
	if p.Modifier == ModNot {
		return "NOT " + ex, err
	}
	return ex, err
}

// tokenExists is the lookup of any of hashes in t's _tok table.
func (c *compiler) tokenExists(t *fhir.ResourceType, res string, hashes []int64) (string, error) {
	a := c.b.arg(hashes)
	return c.indexExists(t, tabTok, res, func(x string) (string, error) {
		return x + ".h = ANY(" + a + ")", nil
	})
}

// valueParts returns the '|'-separated parts of a value, or the raw value
// as the only part when the parser gave none.
func valueParts(v Value) []string {
	if len(v.Parts) == 0 {
		return []string{v.Raw}
	}
	return v.Parts
}

// tokenForm maps a token value to its search form: "code" is FormAny,
// "system|code" FormSystemCode, "|code" FormNoSystem and "system|"
// FormSystem.
func tokenForm(p *Param, v Value) (index.TokenForm, error) {
	parts := valueParts(v)
	switch {
	case len(parts) == 1:
		return index.TokenForm{Kind: index.FormAny, Code: parts[0]}, nil
	case len(parts) != 2 || (parts[0] == "" && parts[1] == ""):
		return index.TokenForm{}, compileInvalid(p, "token value of %q must be code, system|code, |code or system|", paramName(p))
	case parts[0] == "":
		return index.TokenForm{Kind: index.FormNoSystem, Code: parts[1]}, nil
	case parts[1] == "":
		return index.TokenForm{Kind: index.FormSystem, System: parts[0]}, nil
	}
	return index.TokenForm{Kind: index.FormSystemCode, System: parts[0], Code: parts[1]}, nil
}

// str compiles a string parameter: by default a prefix match on the
// normalized form, :exact an equality on the exact form, :contains a
// substring search.
func (c *compiler) str(p *Param, t *fhir.ResourceType, res string) (string, error) {
	if err := needModifier(p, ModNone, ModExact, ModContains); err != nil {
		return "", err
	}
	h := index.ParamHash(p.Def.Code)
	switch p.Modifier {
	case ModExact:
		return c.strExact(t, res, h, p.Values)
	case ModContains:
		return c.containsCond(t, res, h, normalizedValues(p.Values))
	}
	return c.strPrefix(t, res, []int64{h}, normalizedValues(p.Values))
}

// normalizedValues returns the Normalize form of each value, as the index
// stores String.Norm.
func normalizedValues(vs []Value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = index.Normalize(v.Raw)
	}
	return out
}

// strPrefix matches the string rows with one of the hashes hs whose norm
// starts with one of prefixes, as the range norm >= prefix AND norm <
// successor(prefix) on the (tenant_id, h, norm, pk) index. An empty
// prefix matches every value of the parameter.
func (c *compiler) strPrefix(t *fhir.ResourceType, res string, hs []int64, prefixes []string) (string, error) {
	return c.indexExists(t, tabStr, res, func(x string) (string, error) {
		h := eqAny(c.b, x+".h", hs)
		if slices.Contains(prefixes, "") {
			return h, nil
		}
		alts := make([]string, len(prefixes))
		for i, v := range prefixes {
			alts[i] = c.prefixRange(x+".norm", v)
		}
		return sqlAnd(h, sqlOr(alts...)), nil
	})
}

// prefixRange is the condition that col starts with the non-empty v.
func (c *compiler) prefixRange(col, v string) string {
	lo := col + " >= " + c.b.arg(v)
	if next, ok := prefixSuccessor(v); ok {
		return lo + " AND " + col + " < " + c.b.arg(next)
	}
	return lo
}

// prefixSuccessor returns the least string that is greater, under
// COLLATE "C" (byte order, which for UTF-8 is code point order), than
// every string starting with v: v with its last code point incremented
// (skipping the surrogates, which UTF-8 text cannot hold) and trailing
// U+10FFFF dropped first. Appending "\U0010FFFF" instead would miss
// values continuing with U+10FFFF itself; the successor has no such gap
// and stays valid UTF-8, which PostgreSQL requires of text. It reports
// false when no such string exists (v is empty or all U+10FFFF).
func prefixSuccessor(v string) (string, bool) {
	for v != "" {
		r, size := utf8.DecodeLastRuneInString(v)
		v = v[:len(v)-size]
		switch {
		case r == utf8.MaxRune:
			continue
		case r == 0xD7FF:
			r = 0xE000
		default:
			r++
		}
		return v + string(r), true
	}
	return "", false
}

// strExact compiles :exact. The stored Exact form is compared, and the
// Normalize form too so that the (tenant_id, h, norm, pk) index narrows
// the lookup: equal exact forms have equal normal forms.
func (c *compiler) strExact(t *fhir.ResourceType, res string, h int64, vs []Value) (string, error) {
	norms, exacts := make([]string, len(vs)), make([]string, len(vs))
	for i, v := range vs {
		norms[i], exacts[i] = index.Normalize(v.Raw), index.Exact(v.Raw)
	}
	ha, na, ea := c.b.arg(h), c.b.arg(norms), c.b.arg(exacts)
	return c.indexExists(t, tabStr, res, func(x string) (string, error) {
		return sqlAnd(x+".h = "+ha, x+".norm = ANY("+na+")", x+".exact = ANY("+ea+")"), nil
	})
}

// containsCond compiles :contains as strpos(x.norm, $v) > 0. It is the one
// predicate that is not a btree comparison: stock PostgreSQL has no
// leakproof operator that an index could answer a substring search with,
// so the lookup reads every string row of the parameter in the tenant
// through the (tenant_id, h, norm, pk) index and tests each one. Its cost
// grows with the number of values the parameter has in the tenant, which
// the store bounds with its statement timeout.
func (c *compiler) containsCond(t *fhir.ResourceType, res string, h int64, subs []string) (string, error) {
	ha := c.b.arg(h)
	return c.indexExists(t, tabStr, res, func(x string) (string, error) {
		if slices.Contains(subs, "") {
			return x + ".h = " + ha, nil
		}
		alts := make([]string, len(subs))
		for i, s := range subs {
			alts[i] = "strpos(" + x + ".norm, " + c.b.arg(s) + ") > 0"
		}
		return sqlAnd(x+".h = "+ha, sqlOr(alts...)), nil
	})
}

// uri compiles a uri parameter. A uri is stored as is in both norm and
// exact: the default is equality, :below a prefix match, :above an
// equality with any of the value's path prefixes, :contains a substring
// search.
func (c *compiler) uri(p *Param, t *fhir.ResourceType, res string) (string, error) {
	if err := needModifier(p, ModNone, ModBelow, ModAbove, ModContains); err != nil {
		return "", err
	}
	h := index.ParamHash(p.Def.Code)
	vals := make([]string, len(p.Values))
	for i, v := range p.Values {
		vals[i] = index.Exact(v.Raw)
	}
	switch p.Modifier {
	case ModBelow:
		return c.strPrefix(t, res, []int64{h}, vals)
	case ModContains:
		return c.containsCond(t, res, h, vals)
	case ModAbove:
		var all []string
		for _, v := range vals {
			all = append(all, uriAbove(v)...)
		}
		vals = all
	}
	ha, va := c.b.arg(h), c.b.arg(vals)
	return c.indexExists(t, tabStr, res, func(x string) (string, error) {
		return sqlAnd(x+".h = "+ha, x+".norm = ANY("+va+")"), nil
	})
}

// uriAbove returns the uris a resource's uri may equal to be "above" u:
// u itself and each prefix of u that ends before a '/' of its path, e.g.
// http://a.org/fhir/ValueSet/1, http://a.org/fhir/ValueSet,
// http://a.org/fhir and http://a.org. The "//" of the scheme is not cut.
func uriAbove(u string) []string {
	out := []string{u}
	start := 0
	if i := strings.Index(u, "://"); i >= 0 {
		start = i + 3
	}
	rest := strings.TrimRight(u, "/")
	if rest != u && len(rest) > start {
		out = append(out, rest)
	}
	for {
		i := strings.LastIndexByte(rest, '/')
		if i < start {
			return out
		}
		rest = rest[:i]
		if rest != "" {
			out = append(out, rest)
		}
	}
}
