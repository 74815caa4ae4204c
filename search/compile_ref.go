package search

import (
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/index"
)

// reference compiles a reference parameter: a lookup in t's _ref table
// under ParamHash(code) of the target (type, id) pairs the values name, or
// with :identifier the tokens of the reference's identifier.
func (c *compiler) reference(p *Param, t *fhir.ResourceType, res string) (string, error) {
	if err := needModifier(p, ModNone, ModType, ModIdentifier); err != nil {
		return "", err
	}
	if p.Modifier == ModIdentifier {
		hashes := make([]int64, 0, len(p.Values))
		for _, v := range p.Values {
			f, err := tokenForm(p, v)
			if err != nil {
				return "", err
			}
			hashes = append(hashes, f.Hash(p.Def.Code+":identifier"))
		}
		return c.tokenExists(t, res, hashes)
	}
	h := c.b.arg(index.ParamHash(p.Def.Code))
	return c.indexExists(t, tabRef, res, func(x string) (string, error) {
		return sqlAnd(x+".h = "+h, c.refTargets(p, x)), nil
	})
}

// refGroup collects the ids of the values that name one target type.
type refGroup struct {
	typ string
	ids []string
}

// refTargets returns the condition on the _ref row x that it points at one
// of p's values. Values are grouped so that the condition keeps one shape
// however many values there are: per named type
// "x.target_type = $t AND x.target_id = ANY($ids)" (= $id for one),
// absolute URLs under the empty type (the index stores them so), and bare
// ids as "x.target_id = ANY($ids)" of any type (the one of :[type] when
// set).
//
// A resource may hold a reference to this server as an absolute URL under
// its base, which the index stores as ("", URL): "a relative reference
// resolving to the same value as a specified absolute URL, or vice versa,
// qualifies as a match" (search.html), so each Type/id value also matches
// the URL BaseURL/Type/id. The store indexes such references in their
// relative form (index.ExtractUnder), which bare ids, chains, _has,
// includes and compartments join on; the URL form here still finds rows
// indexed without a base (or under another one).
func (c *compiler) refTargets(p *Param, x string) string {
	var groups []refGroup
	var bare []string
	for _, v := range p.Values {
		typ, id, isBare := refTarget(v, c.q.BaseURL)
		switch {
		case id == "":
			continue // names no target: matches nothing
		case isBare:
			bare = append(bare, id)
			continue
		case p.TargetType != "" && typ != "" && typ != p.TargetType:
			continue // Patient/1 under :Group matches nothing
		}
		groups = addToGroup(groups, typ, id)
		if base := strings.TrimRight(c.q.BaseURL, "/"); typ != "" && base != "" {
			groups = addToGroup(groups, "", base+"/"+typ+"/"+id)
		}
	}
	alts := make([]string, 0, len(groups)+1)
	for _, g := range groups {
		alts = append(alts, x+".target_type = "+c.b.arg(g.typ)+" AND "+eqAny(c.b, x+".target_id", g.ids))
	}
	if len(bare) > 0 {
		cond := eqAny(c.b, x+".target_id", bare)
		if p.TargetType != "" {
			cond += " AND " + x + ".target_type = " + c.b.typeName(p.TargetType)
		}
		alts = append(alts, cond)
	}
	return sqlOr(alts...)
}

func addToGroup(groups []refGroup, typ, id string) []refGroup {
	for i := range groups {
		if groups[i].typ == typ {
			groups[i].ids = append(groups[i].ids, id)
			return groups
		}
	}
	return append(groups, refGroup{typ: typ, ids: []string{id}})
}

// refTarget returns the (type, id) pair the index holds for a reference
// value. The parser gives Parts ["Type", "id"] or ["", "id"] (bare) for
// relative forms and Raw alone for absolute ones; without Parts (a value
// made by hand), Raw is read the same way: an absolute URL under the
// server's base as its relative form, any other absolute URL or urn as
// ("", URL) with "/_history/n" dropped, as Extract stores it, "Type/id"
// (a version dropped) as (Type, id), and anything else as a bare id.
func refTarget(v Value, base string) (typ, id string, bare bool) {
	if len(v.Parts) == 2 {
		return v.Parts[0], v.Parts[1], v.Parts[0] == ""
	}
	raw := v.Raw
	if base = strings.TrimRight(base, "/"); base != "" && strings.HasPrefix(raw, base+"/") {
		raw = raw[len(base)+1:]
	}
	if strings.Contains(raw, "://") || (len(raw) >= 4 && strings.EqualFold(raw[:4], "urn:")) {
		if i := strings.LastIndex(raw, "/_history/"); i >= 0 {
			raw = raw[:i]
		}
		return "", index.Exact(raw), false
	}
	typ, rest, found := strings.Cut(raw, "/")
	if !found {
		return "", raw, true
	}
	id, _, _ = strings.Cut(rest, "/")
	if typ == "" {
		return "", "", false
	}
	return typ, id, false
}

// chain compiles a chained parameter (subject:Patient.name=x): the
// reference must point at a resource of a candidate type that matches the
// chained condition. The candidates are p.Branches() (TargetType when set,
// otherwise every stored target type of the parameter that has the
// chained parameter, each with the chained parameter resolved on it), and
// the condition is
//
//	r.pk IN (SELECT x.pk FROM <t>_ref x WHERE x.tenant_id = $1 AND x.h = $h
//	  AND x.target_type = 'T' AND x.target_id IN (SELECT t.id FROM <T> t
//	  WHERE t.tenant_id = $1 AND NOT t.deleted AND <chained condition on t>)
//	  UNION ALL <the same for the next candidate> ...)
//
// rather than one EXISTS with an OR over the candidates: PostgreSQL cannot
// turn an OR of IN subqueries into joins and would then filter every
// reference row of the parameter in the tenant, while each UNION ALL
// branch runs from the matching targets through the (tenant_id, h,
// target_id, target_type, pk) index. With no candidate the condition
// matches nothing.
func (c *compiler) chain(p *Param, t *fhir.ResourceType, res string) (string, error) {
	if p.Def.Type != fhir.ParamReference {
		return "", compileInvalid(p, "parameter %q is not a reference and cannot be chained", paramName(p))
	}
	branches := p.Branches()
	if len(branches) == 0 {
		return "FALSE", nil
	}
	h := c.b.arg(index.ParamHash(p.Def.Code))
	sels := make([]string, len(branches))
	for i, br := range branches {
		x := c.b.alias("x")
		inner, err := c.chainTarget(br)
		if err != nil {
			return "", err
		}
		sels[i] = "SELECT " + x + ".pk FROM " + tableName(t, tabRef) + " " + x + " WHERE " + sqlAnd(x+".tenant_id = "+tenantArg,
			x+".h = "+h, x+".target_type = "+c.b.typeName(br.Resource.Name), x+".target_id IN ("+inner+")")
	}
	return res + ".pk IN (" + strings.Join(sels, " UNION ALL ") + ")", nil
}

// chainTarget returns the ids of the resources of the branch's type that
// match the branch's condition.
func (c *compiler) chainTarget(br *Param) (string, error) {
	tt := br.Resource
	if tt == nil {
		return "", compileInvalid(br, "chained parameter %q has no resource type", paramName(br))
	}
	a := c.b.alias("t")
	cond, err := c.param(br, tt, a)
	if err != nil {
		return "", err
	}
	return "SELECT " + a + ".id FROM " + tableName(tt, tabMain) + " " + a +
		" WHERE " + sqlAnd(a+".tenant_id = "+tenantArg, "NOT "+a+".deleted", cond), nil
}

// has compiles a reverse chain (_has:Observation:subject:code=x): some
// resource o of Has.Type whose reference parameter Has.RefParam points at
// the row res, and that matches Has.Param.
//
// When Has.Param reads only the referring resource's index rows (see
// readsOnlyIndex), the condition starts from the reference rows alone:
//
//	EXISTS (SELECT 1 FROM <o>_ref x WHERE x.tenant_id = $1 AND x.h = $h
//	  AND x.target_type = 'T' AND x.target_id = res.id AND <Has.Param on x.pk>)
//
// A deleted resource has no index rows (store.VerifyIndex checks that
// invariant), so its main table adds nothing to the match but a lookup
// of every candidate row: 3,163 heap probes of observation for a common
// code (issue 11). The main table is joined only when the condition reads
// its columns (_id, _lastUpdated, a nested _has).
func (c *compiler) has(p *Param, t *fhir.ResourceType, res string) (string, error) {
	h := p.Has
	if h.Type == nil || h.RefParam == nil || h.Param == nil {
		return "", compileInvalid(p, "_has parameter %q is incomplete", paramName(p))
	}
	if readsOnlyIndex(h.Param) {
		x := c.b.alias("x")
		ha := c.b.arg(index.ParamHash(h.RefParam.Code))
		inner, err := c.param(h.Param, h.Type, x)
		if err != nil {
			return "", err
		}
		return "EXISTS (SELECT 1 FROM " + tableName(h.Type, tabRef) + " " + x + " WHERE " + sqlAnd(x+".tenant_id = "+tenantArg,
			x+".h = "+ha, x+".target_type = "+c.b.typeName(t.Name), x+".target_id = "+res+".id", inner) + ")", nil
	}
	o, x := c.b.alias("o"), c.b.alias("x")
	ha := c.b.arg(index.ParamHash(h.RefParam.Code))
	inner, err := c.param(h.Param, h.Type, o)
	if err != nil {
		return "", err
	}
	return "EXISTS (SELECT 1 FROM " + tableName(h.Type, tabMain) + " " + o +
		" JOIN " + tableName(h.Type, tabRef) + " " + x + " ON " + x + ".tenant_id = " + o + ".tenant_id AND " + x + ".pk = " + o + ".pk" +
		" WHERE " + sqlAnd(o+".tenant_id = "+tenantArg, "NOT "+o+".deleted", x+".tenant_id = "+tenantArg,
		x+".h = "+ha, x+".target_type = "+c.b.typeName(t.Name), x+".target_id = "+res+".id", inner) + ")", nil
}

// readsOnlyIndex reports whether the condition of p on a resource reads
// nothing of it but its pk: a lookup in its index tables. _id and
// _lastUpdated compare the main table's columns, and a _has (nested)
// compares its id.
func readsOnlyIndex(p *Param) bool {
	return p.Has == nil && p.Def != nil && p.Def.Code != "_id" && p.Def.Code != "_lastUpdated"
}

// compartment restricts the rows res of type t to the query's compartment:
// a reference of one of t's parameters for that compartment points at the
// compartment's focal resource. The focal resource itself belongs to its
// compartment. A type with no parameter for the compartment, other than
// the focal type, is not in it.
func (c *compiler) compartment(t *fhir.ResourceType, res string) (string, error) {
	comp := c.q.Compartment
	if _, ok := fhir.LookupCompartment(comp.Type); !ok {
		return "", fhir.Errorf(fhir.KindInvalid, fhir.IssueNotSupported, "%s is not a compartment", comp.Type)
	}
	if !t.InCompartment(comp.Type) {
		return "FALSE", nil
	}
	id := c.b.arg(comp.ID)
	self := ""
	if t.Name == comp.Type {
		self = res + ".id = " + id
	}
	codes := t.Compartments[comp.Type]
	if len(codes) == 0 {
		return self, nil
	}
	hashes := make([]int64, len(codes))
	for i, code := range codes {
		hashes[i] = index.ParamHash(code)
	}
	ex, err := c.indexExists(t, tabRef, res, func(x string) (string, error) {
		return sqlAnd(eqAny(c.b, x+".h", hashes), x+".target_type = "+c.b.typeName(comp.Type), x+".target_id = "+id), nil
	})
	return sqlOr(self, ex), err
}
