package search

import (
	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/index"
)

// composite compiles a composite parameter of a token and a token,
// quantity, date or string, or of a reference and a token, as Extract
// indexes them: each form of the first component combined with the second
// in one hash, so that both components are matched on the same item.
//
//   - token+token: tokens CompositeTokenToken(code, form1, form2), and
//     reference+token likewise with index.RefForm of the reference;
//   - token+quantity: _num rows under CompositeTokenQuantity(code, form1,
//     system, unit) with the number comparison;
//   - token+date: _date rows under CompositeTokenDate(code, form1) with
//     the date range comparison;
//   - token+string: _str rows under CompositeTokenString(code, form1) with
//     the prefix match.
func (c *compiler) composite(p *Param, t *fhir.ResourceType, res string) (string, error) {
	if err := needModifier(p, ModNone); err != nil {
		return "", err
	}
	if len(p.Def.Components) == 3 && index.CompositeSupported(t, p.Def) {
		return c.coordinates(p, t, res)
	}
	second, err := compositeSecond(p, t)
	if err != nil {
		return "", err
	}
	for _, v := range p.Values {
		if len(v.Components) != 2 {
			return "", compileInvalid(p, "value of %q needs 2 components separated by $", paramName(p))
		}
	}
	if index.ShapeOf(t, p.Def.Code).Conjunction {
		return c.conjunction(p, t, res)
	}
	switch second {
	case fhir.ParamToken:
		return c.compositeTokens(p, t, res)
	case fhir.ParamQuantity:
		return c.compositeQuantities(p, t, res)
	case fhir.ParamDate:
		return c.compositeDates(p, t, res)
	}
	return c.compositeStrings(p, t, res)
}

// compositeSecond checks that p is a token composite of two components and
// returns the type of the second.
func compositeSecond(p *Param, t *fhir.ResourceType) (fhir.ParamType, error) {
	comps := p.Def.Components
	if len(comps) != 2 {
		return "", compileUnsupported(p, "composite %q with %d components is not supported", paramName(p), len(comps))
	}
	first, ok1 := t.Param(comps[0].Code)
	second, ok2 := t.Param(comps[1].Code)
	if ok1 && ok2 && first.Type == fhir.ParamReference && second.Type == fhir.ParamToken {
		return second.Type, nil
	}
	if !ok1 || !ok2 || first.Type != fhir.ParamToken {
		return "", compileUnsupported(p, "composite %q is not supported", paramName(p))
	}
	switch second.Type {
	case fhir.ParamToken, fhir.ParamQuantity, fhir.ParamDate, fhir.ParamString:
		return second.Type, nil
	}
	return "", compileUnsupported(p, "composite %q of a token and a %s is not supported", paramName(p), second.Type)
}

func (c *compiler) compositeTokens(p *Param, t *fhir.ResourceType, res string) (string, error) {
	first, _ := t.Param(p.Def.Components[0].Code)
	hashes := make([]int64, len(p.Values))
	for i, v := range p.Values {
		f1, err := tokenForm(p, v.Components[0])
		if first.Type == fhir.ParamReference {
			f1, err = compositeRefForm(first, v.Components[0]), nil
		}
		if err != nil {
			return "", err
		}
		f2, err := tokenForm(p, v.Components[1])
		if err != nil {
			return "", err
		}
		hashes[i] = index.CompositeTokenToken(p.Def.Code, f1, f2)
	}
	return c.tokenExists(t, res, hashes)
}

func (c *compiler) compositeQuantities(p *Param, t *fhir.ResourceType, res string) (string, error) {
	tests := make([]numTest, len(p.Values))
	for i, v := range p.Values {
		f1, err := tokenForm(p, v.Components[0])
		if err != nil {
			return "", err
		}
		q := v.Components[1]
		num, system, code := quantityUnit(q)
		rc, err := numberRangeCond(q.Prefix, num)
		if err != nil {
			return "", compileInvalid(p, "invalid number %q in %q", num, paramName(p))
		}
		tests[i] = numTest{index.CompositeTokenQuantity(p.Def.Code, f1, system, code), rc}
	}
	return c.numExists(t, res, tests)
}

func (c *compiler) compositeDates(p *Param, t *fhir.ResourceType, res string) (string, error) {
	return c.indexExists(t, tabDate, res, func(x string) (string, error) {
		cols := map[string]string{"lo": x + ".lo", "hi": x + ".hi"}
		alts := make([]string, len(p.Values))
		for i, v := range p.Values {
			f1, err := tokenForm(p, v.Components[0])
			if err != nil {
				return "", err
			}
			d := v.Components[1]
			rc, err := dateRangeCond(d.Prefix, d.Raw, c.q.Now, false)
			if err != nil {
				return "", compileInvalid(p, "invalid date %q in %q", d.Raw, paramName(p))
			}
			alts[i] = sqlAnd(x+".h = "+c.b.arg(index.CompositeTokenDate(p.Def.Code, f1)), rc.sql(c.b, cols))
		}
		return sqlOr(alts...), nil
	})
}

func (c *compiler) compositeStrings(p *Param, t *fhir.ResourceType, res string) (string, error) {
	return c.indexExists(t, tabStr, res, func(x string) (string, error) {
		alts := make([]string, len(p.Values))
		for i, v := range p.Values {
			f1, err := tokenForm(p, v.Components[0])
			if err != nil {
				return "", err
			}
			h := x + ".h = " + c.b.arg(index.CompositeTokenString(p.Def.Code, f1))
			alts[i] = h
			if s := index.Normalize(v.Components[1].Raw); s != "" {
				alts[i] = sqlAnd(h, c.prefixRange(x+".norm", s))
			}
		}
		return sqlOr(alts...), nil
	})
}

// compositeRefForm is the form of the reference component v, as the index
// holds it (index.RefForm): "Type/id", a bare id taken as the parameter's
// only target type when it has one, or the absolute URL.
func compositeRefForm(def *fhir.SearchParam, v Value) index.TokenForm {
	if len(v.Parts) == 2 && v.Parts[0] == "" && len(def.Targets) == 1 {
		return index.RefForm(def.Targets[0] + "/" + v.Parts[1])
	}
	return index.RefForm(v.Raw)
}

// coordinates compiles a composite of a token and two numbers
// (MolecularSequence chromosome-variant-coordinate=1$lt345$gt123): some
// _num row under CompositeTokenNumber(code, form, 1) meets the first
// number's comparison and some under (code, form, 2) the second's, as
// Extract indexes them.
func (c *compiler) coordinates(p *Param, t *fhir.ResourceType, res string) (string, error) {
	alts := make([]string, len(p.Values))
	for i, v := range p.Values {
		if len(v.Components) != 3 {
			return "", compileInvalid(p, "value of %q needs 3 components separated by $", paramName(p))
		}
		f1, err := tokenForm(p, v.Components[0])
		if err != nil {
			return "", err
		}
		conds := make([]string, 2)
		for j := 1; j <= 2; j++ {
			n := v.Components[j]
			rc, err := numberRangeCond(n.Prefix, n.Raw)
			if err != nil {
				return "", compileInvalid(p, "invalid number %q in %q", n.Raw, paramName(p))
			}
			if conds[j-1], err = c.numExists(t, res, []numTest{{index.CompositeTokenNumber(p.Def.Code, f1, j), rc}}); err != nil {
				return "", err
			}
		}
		alts[i] = sqlAnd(conds...)
	}
	return sqlOr(alts...), nil
}
