package search

import (
	"fmt"
	"math/big"
	"strconv"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/index"
)

// numRange is a parsed number search value: its value and the
// half-open range [lo, hi) its precision implies, each the float64 nearest
// to the exact decimal bound.
type numRange struct {
	v, lo, hi float64
}

// maxExponent bounds the exponent of a number search value, so that the
// exact arithmetic stays small; float64 overflows long before.
const maxExponent = 400

// parseNumber reads a decimal number ([+-]digits[.digits][e[+-]digits])
// and its implicit range. Following the R4 specification's examples
// (search.html, "number"), a plain decimal with d fractional digits
// stands for ±0.5·10^-d ("100" is [99.5, 100.5), "100.00" is
// [99.995, 100.005)), and a value in exponent form m·10^e, the mantissa
// having d fractional digits, for ±0.05·10^(e-d) ("1e2" is [95, 105), as
// the specification's table says). The bounds are computed exactly and
// rounded once, so "2.3" gives exactly the float64 values nearest to 2.25
// and 2.35.
func parseNumber(raw string) (numRange, error) {
	mant, frac, exp, hasExp, ok := splitDecimal(raw)
	if !ok {
		return numRange{}, fmt.Errorf("invalid number %q", raw)
	}
	v := new(big.Rat).SetInt(mant)
	scaleRat(v, exp-frac)
	half := big.NewRat(5, 1)
	if hasExp {
		scaleRat(half, exp-frac-2)
	} else {
		scaleRat(half, -frac-1)
	}
	lo := new(big.Rat).Sub(v, half)
	hi := new(big.Rat).Add(v, half)
	fv, _ := v.Float64()
	flo, _ := lo.Float64()
	fhi, _ := hi.Float64()
	return numRange{v: fv, lo: flo, hi: fhi}, nil
}

// scaleRat multiplies r by 10^e.
func scaleRat(r *big.Rat, e int) {
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(absInt(e))), nil)
	if e >= 0 {
		r.Mul(r, new(big.Rat).SetInt(p))
	} else {
		r.Quo(r, new(big.Rat).SetInt(p))
	}
}

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// splitDecimal splits a decimal into its digits as an integer (sign
// applied), the number of fractional digits and the exponent.
func splitDecimal(s string) (mant *big.Int, frac, exp int, hasExp, ok bool) {
	i, digits := 0, make([]byte, 0, len(s)+1)
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		digits = append(digits, s[i])
		i++
	}
	n := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits, n = append(digits, s[i]), n+1
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits, frac = append(digits, s[i]), frac+1
		}
	}
	if n+frac == 0 {
		return nil, 0, 0, false, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || absInt(e) > maxExponent {
			return nil, 0, 0, false, false
		}
		exp, hasExp, i = e, true, len(s)
	}
	mant, ok = new(big.Int).SetString(string(digits), 10)
	return mant, frac, exp, hasExp, ok && i == len(s)
}

// numberRangeCond returns the condition on a target number v (a _num row)
// of a number or quantity search value. As the R4 specification's number
// examples say, eq, ne and ap use the value's implicit range while gt, lt,
// ge and le compare with the exact value ("lt100: values that are less
// than exactly 100"); sa and eb, defined on ranges, reduce on a point
// target to gt and lt. ap is within 10% of the value, and never narrower
// than its implicit range.
func numberRangeCond(prefix Prefix, raw string) (rangeCond[float64], error) {
	n, err := parseNumber(raw)
	if err != nil {
		return rangeCond[float64]{}, err
	}
	type b = rangeBound[float64]
	switch prefix {
	case PrefixNone, PrefixEq:
		return rangeAll(b{"v", ">=", n.lo}, b{"v", "<", n.hi}), nil
	case PrefixNe:
		return rangeAny(b{"v", "<", n.lo}, b{"v", ">=", n.hi}), nil
	case PrefixGt, PrefixSa:
		return rangeAll(b{"v", ">", n.v}), nil
	case PrefixLt, PrefixEb:
		return rangeAll(b{"v", "<", n.v}), nil
	case PrefixGe:
		return rangeAll(b{"v", ">=", n.v}), nil
	case PrefixLe:
		return rangeAll(b{"v", "<=", n.v}), nil
	case PrefixAp:
		d := n.v / 10
		if d < 0 {
			d = -d
		}
		return rangeAll(b{"v", ">=", min(n.v-d, n.lo)}, b{"v", "<=", max(n.v+d, n.hi)}), nil
	}
	return rangeCond[float64]{}, fmt.Errorf("unknown prefix %d", prefix)
}

// numTest is one alternative of a number or quantity condition: the _num
// rows under hash h whose value passes cond.
type numTest struct {
	h    int64
	cond rangeCond[float64]
}

// number compiles a number or quantity parameter: some _num row matches
// one of the values. A number's rows are under ParamHash(code); a
// quantity's under QuantityHash(code, system, unit) of the value's unit
// form: "v|sys|code" as (sys, code), "v||code" as ("", code) and "v" as
// ("", "") — the form every quantity is indexed under too.
func (c *compiler) number(p *Param, t *fhir.ResourceType, res string) (string, error) {
	if err := needModifier(p, ModNone); err != nil {
		return "", err
	}
	codes := hashCodes(t, p.Def)
	tests := make([]numTest, 0, len(p.Values)*len(codes))
	for _, v := range p.Values {
		num, system, unit := v.Raw, "", ""
		if p.Def.Type == fhir.ParamQuantity {
			num, system, unit = quantityUnit(v)
		}
		rc, err := numberRangeCond(v.Prefix, num)
		if err != nil {
			return "", compileInvalid(p, "invalid number %q in %q", num, paramName(p))
		}
		for _, code := range codes {
			h := index.ParamHash(code)
			if p.Def.Type == fhir.ParamQuantity {
				h = index.QuantityHash(code, system, unit)
			}
			tests = append(tests, numTest{h, rc})
		}
	}
	return c.numExists(t, res, tests)
}

// quantityUnit splits a quantity value into its number and its unit
// form: "v|sys|code" is (sys, code), "v||code" ("", code) and "v" ("", "").
func quantityUnit(v Value) (num, system, code string) {
	parts := valueParts(v)
	switch len(parts) {
	case 1:
		return parts[0], "", ""
	case 2:
		return parts[0], "", parts[1]
	}
	return parts[0], parts[1], parts[2]
}

// numExists is the lookup of rows passing any of tests in t's _num table.
// Consecutive tests under one hash share its comparison:
// x.h = $h AND (cond1 OR cond2).
func (c *compiler) numExists(t *fhir.ResourceType, res string, tests []numTest) (string, error) {
	return c.indexExists(t, tabNum, res, func(x string) (string, error) {
		cols := map[string]string{"v": x + ".v"}
		var alts []string
		for i := 0; i < len(tests); {
			j, conds, ha := i, []string(nil), c.b.arg(tests[i].h)
			for ; j < len(tests) && tests[j].h == tests[i].h; j++ {
				conds = append(conds, tests[j].cond.sql(c.b, cols))
			}
			alts = append(alts, sqlAnd(x+".h = "+ha, sqlOr(conds...)))
			i = j
		}
		return sqlOr(alts...), nil
	})
}
