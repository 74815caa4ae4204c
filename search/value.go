package search

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/index"
)

// This file parses modifiers and values. What a Value holds, by the type
// of the parameter (and modifier) it belongs to:
//
//   - string, uri, token:text: Raw is the text, escapes resolved.
//   - token, reference:identifier: Raw is the text; Parts is Raw split on
//     unescaped '|', empty parts kept: "code" → ["code"], "sys|code" →
//     ["sys", "code"], "|code" → ["", "code"], "sys|" → ["sys", ""].
//   - token:of-type: Parts is ["type system", "type code", "value"]; the
//     system may be empty, the code and value may not.
//   - number, date: Prefix, and Raw the number or date without it.
//   - quantity: Prefix, Raw the text without it, Parts ["number"] or
//     ["number", "system", "code"] (system may be empty).
//   - reference: see reference.
//   - composite: Raw the whole text; Components one Value per component,
//     each parsed as a value of the component's own parameter (so a date
//     or quantity component has its prefix); Parts nil.
//   - any type with :missing: Raw "true" or "false".

// prefixes maps the text of each comparison prefix to its Prefix.
var prefixes = map[string]Prefix{
	"eq": PrefixEq, "ne": PrefixNe, "gt": PrefixGt, "lt": PrefixLt, "ge": PrefixGe,
	"le": PrefixLe, "sa": PrefixSa, "eb": PrefixEb, "ap": PrefixAp,
}

// modifiersByType lists the modifiers each parameter type accepts besides
// :missing (every type) and :[Type] (references).
var modifiersByType = map[fhir.ParamType]map[string]Modifier{
	fhir.ParamString:    {"exact": ModExact, "contains": ModContains},
	fhir.ParamURI:       {"contains": ModContains, "above": ModAbove, "below": ModBelow},
	fhir.ParamToken:     {"not": ModNot, "text": ModText, "of-type": ModOfType},
	fhir.ParamReference: {"identifier": ModIdentifier},
}

// parseModifier checks mod, the text after ':' of the parameter defs (the
// candidates of one link, all of one type), and returns the modifier and,
// for :[Type], the type.
func parseModifier(k string, defs []*fhir.SearchParam, mod string) (Modifier, string, error) {
	typ := defs[0].Type
	if mod == "" {
		return ModNone, "", nil
	}
	if mod == "missing" {
		return ModMissing, "", nil
	}
	if m, ok := modifiersByType[typ][mod]; ok {
		if m == ModOfType && !slices.ContainsFunc(defs, isIdentifier) {
			return 0, "", unsupportedParam(k, ":of-type applies only to parameters on an Identifier")
		}
		return m, "", nil
	}
	if typ == fhir.ParamReference && isTypeName(mod) {
		if !slices.ContainsFunc(defs, func(d *fhir.SearchParam) bool { return slices.Contains(d.Targets, mod) }) {
			return 0, "", invalidParam(k, "%s cannot point at %s", quoteShort(defs[0].Code), quoteShort(mod))
		}
		return ModType, mod, nil
	}
	if mod == "iterate" {
		return 0, "", unsupportedParam(k, ":iterate applies only to _include and _revinclude")
	}
	return 0, "", unsupportedParam(k, "the modifier %s is not supported on %s parameters", quoteShort(mod), typ)
}

// isIdentifier reports whether every path of def's expression ends in an
// element named identifier (the registry has no element types; in R4 an
// element so named is an Identifier).
func isIdentifier(def *fhir.SearchParam) bool {
	if def.Type != fhir.ParamToken || def.Expression == "" {
		return false
	}
	for _, path := range strings.Split(def.Expression, "|") {
		if !strings.HasSuffix(strings.TrimSpace(path), ".identifier") {
			return false
		}
	}
	return true
}

// valueSpec is what the parsing of one value depends on.
type valueSpec struct {
	k      string // the parameter's name, for errors
	res    *fhir.ResourceType
	def    *fhir.SearchParam
	mod    Modifier
	target string // TargetType of a reference
}

// values splits v into the OR-ed values of the leaf param and parses each.
func (p *parser) values(param *Param, v string) ([]Value, error) {
	k := param.Name
	if !utf8.ValidString(v) {
		return nil, invalidValue(k, "the value is not valid UTF-8")
	}
	if strings.IndexByte(v, 0) >= 0 {
		return nil, invalidValue(k, "the value holds a NUL character")
	}
	pieces := splitUnescaped(v, ',', p.lim.MaxOrValues)
	if len(pieces) > p.lim.MaxOrValues {
		return nil, costlyParam(k, "more than %d values", p.lim.MaxOrValues)
	}
	spec := valueSpec{k: k, res: param.Resource, def: param.Def, mod: param.Modifier, target: param.TargetType}
	out := make([]Value, 0, len(pieces))
	for _, piece := range pieces {
		val, err := p.value(spec, piece)
		if err != nil {
			return nil, err
		}
		out = append(out, val)
	}
	return out, nil
}

// value parses one value (one OR-ed piece, escapes still in it).
func (p *parser) value(s valueSpec, piece string) (Value, error) {
	raw := unescapeValue(piece)
	if raw == "" {
		return Value{}, invalidValue(s.k, "empty value")
	}
	if len(raw) > p.lim.MaxValueBytes {
		return Value{}, costlyParam(s.k, "a value is longer than %d bytes", p.lim.MaxValueBytes)
	}
	if s.mod == ModMissing {
		if raw != "true" && raw != "false" {
			return Value{}, invalidValue(s.k, ":missing takes true or false, not %s", quoteShort(raw))
		}
		return Value{Raw: raw}, nil
	}
	switch s.def.Type {
	case fhir.ParamString, fhir.ParamURI:
		return Value{Raw: raw}, nil
	case fhir.ParamToken:
		return tokenValue(s, piece, raw)
	case fhir.ParamReference:
		if s.mod == ModIdentifier {
			return partsValue(s.k, piece, raw, 2, "a token")
		}
		return p.reference(s, raw)
	case fhir.ParamNumber:
		return numberValue(s.k, raw)
	case fhir.ParamDate:
		return dateValue(s.k, raw)
	case fhir.ParamQuantity:
		return quantityValue(s.k, piece, raw)
	case fhir.ParamComposite:
		return p.composite(s, piece, raw)
	}
	return Value{}, unsupportedParam(s.k, "parameters of type %s are not supported", s.def.Type)
}

// tokenValue parses a token value by its modifier.
func tokenValue(s valueSpec, piece, raw string) (Value, error) {
	switch s.mod {
	case ModText:
		return Value{Raw: raw}, nil
	case ModOfType:
		v, err := partsValue(s.k, piece, raw, 3, ":of-type")
		if err == nil && (len(v.Parts) != 3 || v.Parts[1] == "" || v.Parts[2] == "") {
			err = invalidValue(s.k, ":of-type takes system|code|value with a code and a value")
		}
		return v, err
	}
	return partsValue(s.k, piece, raw, 2, "a token")
}

// partsValue splits piece on unescaped '|' into at most max parts, of
// which at least one is not empty.
func partsValue(k, piece, raw string, max int, what string) (Value, error) {
	parts := splitUnescaped(piece, '|', max)
	if len(parts) > max {
		return Value{}, invalidValue(k, "%s value has at most %d parts separated by |", what, max)
	}
	empty := true
	for i, part := range parts {
		parts[i] = unescapeValue(part)
		empty = empty && parts[i] == ""
	}
	if empty {
		return Value{}, invalidValue(k, "empty value")
	}
	return Value{Raw: raw, Parts: parts}, nil
}

// cutPrefix splits a comparison prefix off s.
func cutPrefix(s string) (Prefix, string) {
	if len(s) >= 2 {
		if pf, ok := prefixes[s[:2]]; ok {
			return pf, s[2:]
		}
	}
	return PrefixNone, s
}

// numberValue parses "[prefix]decimal".
func numberValue(k, raw string) (Value, error) {
	pf, num := cutPrefix(raw)
	if !isDecimal(num) {
		return Value{}, invalidValue(k, "%s is not a number", quoteShort(raw))
	}
	return Value{Prefix: pf, Raw: num}, nil
}

// dateValue parses "[prefix]date" with the FHIR date/dateTime grammar.
func dateValue(k, raw string) (Value, error) {
	pf, date := cutPrefix(raw)
	if _, _, err := index.DateRange(date); err != nil {
		return Value{}, invalidValue(k, "%s is not a date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.f]][zone])", quoteShort(raw))
	}
	return Value{Prefix: pf, Raw: date}, nil
}

// quantityValue parses "[prefix]number[|system|code]".
func quantityValue(k, piece, raw string) (Value, error) {
	v, err := partsValue(k, piece, raw, 3, "a quantity")
	if err != nil {
		return Value{}, err
	}
	if len(v.Parts) == 2 {
		return Value{}, invalidValue(k, "a quantity is number or number|system|code")
	}
	pf, num := cutPrefix(v.Parts[0])
	if !isDecimal(num) {
		return Value{}, invalidValue(k, "%s does not start with a number", quoteShort(raw))
	}
	if len(v.Parts) == 3 && v.Parts[1] != "" && v.Parts[2] == "" {
		return Value{}, invalidValue(k, "a quantity with a unit system needs a unit code")
	}
	v.Prefix, v.Parts[0] = pf, num
	if pf != PrefixNone {
		v.Raw = raw[2:]
	}
	return v, nil
}

// isDecimal reports whether s is a decimal: an optional sign, digits with
// an optional fraction, and an optional exponent ("1e2", "-0.5E-3"); the
// number must be finite as a float64.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := skipDigits(s, &i)
	if i < len(s) && s[i] == '.' {
		i++
		digits += skipDigits(s, &i)
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if skipDigits(s, &i) == 0 {
			return false
		}
	}
	if i != len(s) {
		return false
	}
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && !math.IsInf(f, 0)
}

// skipDigits advances *i over ASCII digits and returns how many it read.
func skipDigits(s string, i *int) int {
	n := 0
	for *i < len(s) && s[*i] >= '0' && s[*i] <= '9' {
		*i++
		n++
	}
	return n
}

// composite parses a composite value: its components, separated by
// unescaped '$', each as a value of the component's parameter on the same
// resource type.
func (p *parser) composite(s valueSpec, piece, raw string) (Value, error) {
	comps := s.def.Components
	pieces := splitUnescaped(piece, '$', len(comps))
	if len(comps) == 0 || len(pieces) != len(comps) {
		return Value{}, invalidValue(s.k, "the value needs %d components separated by $", len(comps))
	}
	v := Value{Raw: raw, Components: make([]Value, len(comps))}
	for i, c := range comps {
		def, ok := s.res.Param(c.Code)
		if !ok || def.Type == fhir.ParamComposite || def.Type == fhir.ParamSpecial {
			return Value{}, unsupportedParam(s.k, "the component %s is not supported", quoteShort(c.Code))
		}
		cv, err := p.value(valueSpec{k: s.k, res: s.res, def: def}, pieces[i])
		if err != nil {
			return Value{}, err
		}
		v.Components[i] = cv
	}
	return v, nil
}

// reference parses the value of a reference parameter (escapes resolved).
// The forms, and the Value each gives:
//
//   - "Type/id" and "Type/id/_history/n": Raw "Type/id", Parts ["Type",
//     "id"] (the version is dropped: a reference search matches any
//     version).
//   - "id": Raw "id", Parts ["", "id"]: any type the parameter allows.
//   - With the modifier :[Type] (s.target), a bare id becomes
//     "Type/id" as above, and a "Type/id" of another type is an error.
//   - An absolute URL under the server's base (Options.BaseURL + "/") is
//     first made relative, then read as above.
//   - Any other absolute URL or urn (it holds "://" or starts with
//     "urn:"): Raw the URL, with a trailing "/_history/n" dropped when the
//     URL ends in Type/id/_history/n; Parts nil.
//
// Types must look like resource type names and ids must be FHIR ids
// ([A-Za-z0-9.-]{1,64}); other relative forms are an error.
func (p *parser) reference(s valueSpec, raw string) (Value, error) {
	v := raw
	if p.base != "" && strings.HasPrefix(v, p.base+"/") {
		v = v[len(p.base)+1:]
	}
	if isAbsoluteRef(v) {
		return Value{Raw: dropHistory(v)}, nil
	}
	typ, id, ok := splitRelativeRef(v)
	if !ok {
		return Value{}, invalidValue(s.k, "%s is not a reference (Type/id, id or an absolute URL)", quoteShort(raw))
	}
	if s.target != "" {
		if typ != "" && typ != s.target {
			return Value{}, invalidValue(s.k, "%s is not a reference to %s", quoteShort(raw), s.target)
		}
		typ = s.target
	}
	if typ == "" {
		return Value{Raw: id, Parts: []string{"", id}}, nil
	}
	return Value{Raw: typ + "/" + id, Parts: []string{typ, id}}, nil
}

// isAbsoluteRef reports whether v is an absolute URL or a urn.
func isAbsoluteRef(v string) bool {
	return strings.Contains(v, "://") || (len(v) >= 4 && strings.EqualFold(v[:4], "urn:"))
}

// splitRelativeRef reads "id", "Type/id" or "Type/id/_history/n".
func splitRelativeRef(v string) (typ, id string, ok bool) {
	segs := strings.SplitN(v, "/", 5)
	switch {
	case len(segs) == 1:
		return "", v, isID(v)
	case len(segs) == 4 && segs[2] == "_history" && isID(segs[3]):
	case len(segs) != 2:
		return "", "", false
	}
	return segs[0], segs[1], isTypeName(segs[0]) && isID(segs[1])
}

// dropHistory removes "/_history/n" from an absolute URL that ends in
// Type/id/_history/n.
func dropHistory(u string) string {
	i := strings.LastIndex(u, "/_history/")
	if i < 0 || !isID(u[i+len("/_history/"):]) {
		return u
	}
	segs := strings.Split(u[:i], "/")
	if n := len(segs); n >= 3 && isTypeName(segs[n-2]) && isID(segs[n-1]) {
		return u[:i]
	}
	return u
}

// isID reports whether s is a FHIR resource id: 1 to 64 letters, digits,
// '-' and '.'.
func isID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
