package search

import (
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/index"
)

// Parameters derived from others (index.Shape) have no rows of their own:
// a union parameter (Observation combo-code: code | component-code) is
// looked up in its members' rows, and a root composite (Observation
// code-value-quantity) is the conjunction of its components' parameters
// on the same resource. Tokens and quantities of a union stay one lookup,
// with the members' hashes in one = ANY; other kinds (param dispatches
// them to union, composites included) are a UNION ALL of one lookup per
// member.

// hashCodes returns the codes whose hashes a token, number or quantity
// condition of def looks up: the code itself, or a union's members.
func hashCodes(t *fhir.ResourceType, def *fhir.SearchParam) []string {
	if s := index.ShapeOf(t, def.Code); s.Members != nil {
		return s.Members
	}
	return []string{def.Code}
}

// hashesOf returns f of each code of def (see hashCodes).
func hashesOf(t *fhir.ResourceType, def *fhir.SearchParam, f func(code string) int64) []int64 {
	codes := hashCodes(t, def)
	out := make([]int64, len(codes))
	for i, code := range codes {
		out[i] = f(code)
	}
	return out
}

// union compiles p, a union parameter of a kind that is not one lookup,
// as "pk IN" the UNION ALL of the resources matching each member. An OR of
// the members' conditions would be as correct, but PostgreSQL cannot turn
// an OR of EXISTS into a join: with no other condition to drive the query
// it filters every resource of the tenant. The IN of a UNION ALL is a
// semi-join whose branches are each driven by their own index lookups, or
// probed per resource by pk when another condition drives.
func (c *compiler) union(p *Param, t *fhir.ResourceType, res string, members []string) (string, error) {
	branches := make([]string, 0, len(members))
	for _, code := range members {
		def, err := partOf(t, p.Def, code)
		if err != nil {
			return "", err
		}
		sub := *p
		sub.Def = def
		u := c.b.alias("u")
		cond, err := c.param(&sub, t, u)
		if err != nil {
			return "", err
		}
		branches = append(branches, "SELECT "+u+".pk FROM "+tableName(t, "")+" "+u+" WHERE "+sqlAnd(u+".tenant_id = "+tenantArg, cond))
	}
	return res + ".pk IN (" + strings.Join(branches, " UNION ALL ") + ")", nil
}

// conjunction compiles a root composite: a value matches when each of its
// components matches the component's parameter; the values are OR-ed.
func (c *compiler) conjunction(p *Param, t *fhir.ResourceType, res string) (string, error) {
	defs := make([]*fhir.SearchParam, len(p.Def.Components))
	for i, comp := range p.Def.Components {
		def, err := partOf(t, p.Def, comp.Code)
		if err != nil {
			return "", err
		}
		defs[i] = def
	}
	alts := make([]string, 0, len(p.Values))
	for _, v := range p.Values {
		conds := make([]string, len(defs))
		for i, def := range defs {
			cond, err := c.param(&Param{Name: p.Name, Resource: p.Resource, Def: def, Values: []Value{v.Components[i]}}, t, res)
			if err != nil {
				return "", err
			}
			conds[i] = cond
		}
		alts = append(alts, sqlAnd(conds...))
	}
	return sqlOr(alts...), nil
}

// present is the condition that the resource has a value of def: a
// Present token of a parameter with rows, of any member of a union, of
// every component of a root composite.
func (c *compiler) present(def *fhir.SearchParam, t *fhir.ResourceType, res string) (string, error) {
	s := index.ShapeOf(t, def.Code)
	switch {
	case s.Conjunction:
		conds := make([]string, 0, len(def.Components))
		for _, comp := range def.Components {
			cd, err := partOf(t, def, comp.Code)
			if err != nil {
				return "", err
			}
			cond, err := c.present(cd, t, res)
			if err != nil {
				return "", err
			}
			conds = append(conds, cond)
		}
		return sqlAnd(conds...), nil
	case s.Members != nil:
		var plain []int64
		var alts []string
		for _, code := range s.Members {
			md, err := partOf(t, def, code)
			if err != nil {
				return "", err
			}
			if !index.ShapeOf(t, code).Derived() {
				plain = append(plain, index.Present(code))
				continue
			}
			cond, err := c.present(md, t, res)
			if err != nil {
				return "", err
			}
			alts = append(alts, cond)
		}
		if plain != nil {
			ex, err := c.tokenExists(t, res, plain)
			if err != nil {
				return "", err
			}
			alts = append([]string{ex}, alts...)
		}
		return sqlOr(alts...), nil
	}
	h := c.b.arg(index.Present(def.Code))
	return c.indexExists(t, tabTok, res, func(x string) (string, error) { return x + ".h = " + h, nil })
}

// partOf returns the parameter code of t that the derived parameter def is
// made of; the registry guarantees it exists (index.ShapeOf found it).
func partOf(t *fhir.ResourceType, def *fhir.SearchParam, code string) (*fhir.SearchParam, error) {
	pd, ok := t.Param(code)
	if !ok {
		return nil, fhir.Errorf(fhir.KindInternal, fhir.IssueException, "search: %s, part of %s, is not a parameter of %s", code, def.Code, t.Name)
	}
	return pd, nil
}
