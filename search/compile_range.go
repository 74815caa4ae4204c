package search

import (
	"fmt"
	"time"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/index"
)

// rangeBound is one comparison of a range condition: the target's column col
// ("lo", "hi", or "v" for a number) compared by op with val.
type rangeBound[T any] struct {
	col string
	op  string
	val T
}

// rangeCond is a condition on a target value: every bound of must AND
// one of the alternatives of any (each an AND of bounds), when there are
// alternatives. Keeping it as data lets the range math be tested without
// SQL.
type rangeCond[T any] struct {
	must []rangeBound[T]
	any  [][]rangeBound[T]
}

// rangeAll is the rangeCond of a conjunction of bounds.
func rangeAll[T any](bs ...rangeBound[T]) rangeCond[T] { return rangeCond[T]{must: bs} }

// rangeAny is the rangeCond of a disjunction of bounds.
func rangeAny[T any](bs ...rangeBound[T]) rangeCond[T] {
	out := rangeCond[T]{any: make([][]rangeBound[T], len(bs))}
	for i, b := range bs {
		out.any[i] = []rangeBound[T]{b}
	}
	return out
}

// String renders the condition for tests and messages.
func (rc rangeCond[T]) String() string {
	return rc.render(func(b rangeBound[T]) string { return fmt.Sprintf("%s %s %v", b.col, b.op, b.val) })
}

// sql renders the condition with the columns named by cols and the
// values bound as arguments.
func (rc rangeCond[T]) sql(b *sqlBuilder, cols map[string]string) string {
	return rc.render(func(bd rangeBound[T]) string { return cols[bd.col] + " " + bd.op + " " + b.arg(bd.val) })
}

func (rc rangeCond[T]) render(bound func(rangeBound[T]) string) string {
	conj := func(bs []rangeBound[T]) string {
		if len(bs) == 0 {
			return ""
		}
		parts := make([]string, len(bs))
		for i, b := range bs {
			parts[i] = bound(b)
		}
		return sqlAnd(parts...)
	}
	must := conj(rc.must) // first, so its arguments are numbered first
	alts := make([]string, len(rc.any))
	for i, bs := range rc.any {
		alts[i] = conj(bs)
	}
	if len(alts) == 0 {
		return must
	}
	return sqlAnd(must, sqlOr(alts...))
}

// dateRangeCond returns the condition on a target range [lo, hi] (closed,
// microsecond precision, as index.DateRange and the _date rows hold it) of
// the date search value raw with the given prefix. The search value covers
// [slo, shi] by its precision. In the words of the R4 specification
// (search.html, "prefix"):
//
//   - eq: "the range of the search value fully contains the range of the
//     target value": lo >= slo AND hi <= shi.
//   - ne: "the range of the search value does not fully contain the range
//     of the target value": lo < slo OR hi > shi.
//   - gt: "the range above the search value intersects (i.e. overlaps)
//     with the range of the target value": hi > shi.
//   - lt: "the range below the search value intersects (i.e. overlaps)
//     with the range of the target value": lo < slo.
//   - ge: "the range above the search value intersects (i.e. overlaps)
//     with the range of the target value, or the range of the search value
//     fully contains the range of the target value": hi > shi OR (lo >= slo
//     AND hi <= shi), which simplifies to hi > shi OR lo >= slo (when hi <=
//     shi fails, hi > shi holds).
//   - le: likewise below: lo < slo OR hi <= shi.
//   - sa: "the range of the search value does not overlap with the range
//     of the target value, and the range above the search value contains
//     the range of the target value": lo > shi.
//   - eb: likewise below: hi < slo.
//   - ap: "the range of the search value overlaps with the range of the
//     target value", the search range first widened on both sides by 10%
//     of the gap between now and the value (approxDates): lo <= ahi AND
//     hi >= alo.
//
// Since lo <= hi, eq also implies lo <= shi and hi >= slo, ge implies
// hi >= slo and le implies lo <= shi: these redundant bounds are added
// so that eq is a two-sided range on one index column and ge and le have
// one range condition outside their OR. They change no result, but they
// give the planner a range it can estimate and scan (without them it
// multiplies two one-sided estimates and may walk every date row in pk
// order instead).
//
// When point is set the target is a single instant (lo = hi, as
// _lastUpdated) and the forms simplify: ge is v >= slo, le is v <= shi.
func dateRangeCond(prefix Prefix, raw string, now time.Time, point bool) (rangeCond[time.Time], error) {
	slo, shi, err := index.DateRange(raw)
	if err != nil {
		return rangeCond[time.Time]{}, err
	}
	type b = rangeBound[time.Time]
	switch prefix {
	case PrefixNone, PrefixEq:
		if point {
			return rangeAll(b{"lo", ">=", slo}, b{"hi", "<=", shi}), nil
		}
		return rangeAll(b{"lo", ">=", slo}, b{"lo", "<=", shi}, b{"hi", ">=", slo}, b{"hi", "<=", shi}), nil
	case PrefixNe:
		return rangeAny(b{"lo", "<", slo}, b{"hi", ">", shi}), nil
	case PrefixGt, PrefixSa:
		if prefix == PrefixSa {
			return rangeAll(b{"lo", ">", shi}), nil
		}
		return rangeAll(b{"hi", ">", shi}), nil
	case PrefixLt, PrefixEb:
		if prefix == PrefixEb {
			return rangeAll(b{"hi", "<", slo}), nil
		}
		return rangeAll(b{"lo", "<", slo}), nil
	case PrefixGe:
		if point {
			return rangeAll(b{"lo", ">=", slo}), nil
		}
		return rangeCond[time.Time]{must: []b{{"hi", ">=", slo}}, any: [][]b{{{"hi", ">", shi}}, {{"lo", ">=", slo}}}}, nil
	case PrefixLe:
		if point {
			return rangeAll(b{"hi", "<=", shi}), nil
		}
		return rangeCond[time.Time]{must: []b{{"lo", "<=", shi}}, any: [][]b{{{"lo", "<", slo}}, {{"hi", "<=", shi}}}}, nil
	case PrefixAp:
		alo, ahi := approxDates(slo, shi, now)
		return rangeAll(b{"lo", "<=", ahi}, b{"hi", ">=", alo}), nil
	}
	return rangeCond[time.Time]{}, fmt.Errorf("unknown prefix %d", prefix)
}

// approxDates widens [slo, shi] by 10% of the gap between now and the
// range (zero when now lies inside it or is not set) on each side, so the
// approximation is never narrower than the value's own precision. The
// result is clamped to [index.MinTime, index.MaxTime] and kept at
// microsecond precision.
func approxDates(slo, shi, now time.Time) (time.Time, time.Time) {
	var gap time.Duration
	switch {
	case now.IsZero():
	case now.Before(slo):
		gap = slo.Sub(now)
	case now.After(shi):
		gap = now.Sub(shi)
	}
	d := (gap / 10).Truncate(time.Microsecond)
	alo, ahi := slo.Add(-d), shi.Add(d)
	if alo.Before(index.MinTime) {
		alo = index.MinTime
	}
	if ahi.After(index.MaxTime) {
		ahi = index.MaxTime
	}
	return alo, ahi
}

// date compiles a date parameter: some _date row of the parameter matches
// one of the values.
func (c *compiler) date(p *Param, t *fhir.ResourceType, res string) (string, error) {
	if err := needModifier(p, ModNone); err != nil {
		return "", err
	}
	h := c.b.arg(index.ParamHash(p.Def.Code))
	return c.indexExists(t, tabDate, res, func(x string) (string, error) {
		cols := map[string]string{"lo": x + ".lo", "hi": x + ".hi"}
		alts := make([]string, len(p.Values))
		for i, v := range p.Values {
			rc, err := dateRangeCond(v.Prefix, v.Raw, c.q.Now, false)
			if err != nil {
				return "", compileInvalid(p, "invalid date %q in %q", v.Raw, paramName(p))
			}
			alts[i] = rc.sql(c.b, cols)
		}
		return sqlAnd(x+".h = "+h, sqlOr(alts...)), nil
	})
}

// lastUpdatedCond compiles _lastUpdated on the main table's last_updated
// column, an instant (lo = hi), so that the (tenant_id, last_updated, pk)
// index answers it.
func (c *compiler) lastUpdatedCond(p *Param, res string) (string, error) {
	if err := needModifier(p, ModNone); err != nil {
		return "", err
	}
	col := res + ".last_updated"
	cols := map[string]string{"lo": col, "hi": col}
	alts := make([]string, len(p.Values))
	for i, v := range p.Values {
		rc, err := dateRangeCond(v.Prefix, v.Raw, c.q.Now, true)
		if err != nil {
			return "", compileInvalid(p, "invalid date %q in %q", v.Raw, paramName(p))
		}
		alts[i] = rc.sql(c.b, cols)
	}
	return sqlOr(alts...), nil
}
