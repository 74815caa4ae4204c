package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/jackc/pgx/v5"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/search"
)

// Search runs one page of a compiled search in the tenant's transaction.
// A page whose matches would pass q.Limits.MaxPageBytes ends early, with a
// next position; when the query includes resources, the shorter page is
// run again, so that its includes are those of the matches it kept.
func (s *Store) Search(ctx context.Context, q *search.Query, after *search.After) (p *search.Page, err error) {
	defer wrapf(&err, "store.Search(%s)", q.Type.Name)
	p, kept, err := s.searchPage(ctx, q, after)
	if err == nil && kept > 0 && len(q.Includes) > 0 {
		short := *q
		short.Count = kept
		p, _, err = s.searchPage(ctx, &short, after)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// searchPage runs one page; kept > 0 says that the matches were cut at
// kept by the page's byte bound.
func (s *Store) searchPage(ctx context.Context, q *search.Query, after *search.After) (p *search.Page, kept int, err error) {
	st, err := search.Compile(q, tenantOf(ctx), after)
	if err != nil {
		return nil, 0, err
	}
	var rows []searchRow
	err = s.runStatement(ctx, st, func(br pgx.BatchResults) error {
		r, err := br.Query()
		if err != nil {
			return err
		}
		rows, kept, err = scanSearch(r, st, q)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	p, err = pageOf(q, after, st, rows, kept > 0)
	if err == nil && p.Total < 0 && after == nil && p.Next == nil {
		// The first page holds every match: its total is known without a
		// count, whatever _total asked for.
		p.Total = int64(len(p.Matches))
	}
	if err == nil && st.HasTotal && p.Total < 0 {
		// A page past the end has no row to carry the total.
		p.Total, err = s.Count(ctx, q)
	}
	if err == nil && q.Total == search.TotalEstimate && p.Total < 0 {
		p.Total, err = s.estimate(ctx, q)
		// The estimate never says less than this page shows.
		seen := int64(len(p.Matches))
		if p.Next != nil {
			seen++
		}
		p.Total = max(p.Total, seen)
	}
	return p, kept, err
}

// Count runs the count-only form of a search (_summary=count); with
// _total=estimate it gives the estimate.
func (s *Store) Count(ctx context.Context, q *search.Query) (n int64, err error) {
	defer wrapf(&err, "store.Count(%s)", q.Type.Name)
	if q.Total == search.TotalEstimate {
		return s.estimate(ctx, q)
	}
	return s.count(ctx, q)
}

// count runs the exact count of a search's matches.
func (s *Store) count(ctx context.Context, q *search.Query) (n int64, err error) {
	st, err := search.CompileCount(q, tenantOf(ctx))
	if err != nil {
		return 0, err
	}
	err = s.runStatement(ctx, st, func(br pgx.BatchResults) error {
		return br.QueryRow().Scan(&n)
	})
	return n, err
}

// exactCountBelow is the planner's estimate under which _total=estimate
// counts exactly: a count of that many rows costs little more than the
// plan, and an estimate of a small result is often far off.
var exactCountBelow atomic.Int64

func init() { exactCountBelow.Store(1000) }

// estimate answers _total=estimate: the planner's estimate of the number
// of matches (the rows of the top node of the selection's plan, planned
// under the tenant and its row-level security like the search itself),
// or the exact count when the estimate is small.
func (s *Store) estimate(ctx context.Context, q *search.Query) (int64, error) {
	st, err := search.CompileEstimate(q, tenantOf(ctx))
	if err != nil {
		return 0, err
	}
	var plan []byte
	err = s.runStatement(ctx, st, func(br pgx.BatchResults) error {
		return br.QueryRow().Scan(&plan)
	})
	if err != nil {
		return 0, err
	}
	var explained []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := json.Unmarshal(plan, &explained); err != nil {
		return 0, fmt.Errorf("store: reading the plan of an estimate: %w", err)
	}
	if len(explained) != 1 {
		return 0, errors.New("store: the plan of an estimate holds no plan")
	}
	if n := int64(explained[0].Plan.Rows); n >= exactCountBelow.Load() {
		return n, nil
	}
	return s.count(ctx, q)
}

// runStatement runs one compiled statement; read consumes its result.
// A statement that may use a generic plan gets one: plan_cache_mode is set
// for it alone, in the same round trip, and set back to auto (the
// default) after it, so the rest of a transaction plans as usual.
func (s *Store) runStatement(ctx context.Context, st search.Statement, read func(pgx.BatchResults) error) error {
	if !st.GenericPlan {
		return s.runRead(ctx, func(b *pgx.Batch) { b.Queue(st.SQL, st.Args...) }, read)
	}
	return s.runRead(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT set_config('plan_cache_mode', 'force_generic_plan', true)`)
		b.Queue(st.SQL, st.Args...)
		b.Queue(`SELECT set_config('plan_cache_mode', 'auto', true)`)
	}, func(br pgx.BatchResults) error {
		if _, err := br.Exec(); err != nil {
			return err
		}
		if err := read(br); err != nil {
			return err
		}
		_, err := br.Exec()
		return err
	})
}

// searchRow is one row of a search statement (see search.Statement).
type searchRow struct {
	include bool
	res     *fhir.Resource
	pk      int64
	keys    []any
	total   int64
}

// scanSearch reads the rows of a search statement within the page's byte
// bound (q.Limits.MaxPageBytes, 0 for none): when a match would pass it,
// reading stops, and kept is the number of matches read before it (the
// first match always fits); an include that passes it is a too-costly
// error. The extra match row, which only says that another page follows,
// is kept without its content.
func scanSearch(rows pgx.Rows, st search.Statement, q *search.Query) (out []searchRow, kept int, err error) {
	defer rows.Close()
	limit, size, matches := q.Limits.MaxPageBytes, 0, 0
	for rows.Next() {
		var mode string
		r := searchRow{res: &fhir.Resource{}, keys: make([]any, st.SortKeys), total: -1}
		dest := []any{&mode, &r.res.Type, &r.res.ID, &r.res.VersionID, &r.res.LastUpdated, &r.res.JSON, &r.pk}
		for i := range r.keys {
			dest = append(dest, &r.keys[i])
		}
		if st.HasTotal {
			dest = append(dest, &r.total)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, 0, err
		}
		r.include = mode == "include"
		switch {
		case !r.include && matches == q.Count:
			r.res.JSON = nil // the extra row
		case limit > 0 && size+len(r.res.JSON) > limit && !r.include && matches > 0:
			return out, matches, nil
		case limit > 0 && size+len(r.res.JSON) > limit && r.include:
			return nil, 0, fhir.Errorf(fhir.KindTooCostly, fhir.IssueTooCostly,
				"the page with its included resources would hold more than %d bytes, the most one response of this server holds; lower _count or include less", limit).At("_include")
		default:
			size += len(r.res.JSON)
		}
		if !r.include {
			matches++
		}
		out = append(out, r)
	}
	return out, 0, rows.Err()
}

// pageOf splits the rows into matches and includes, drops the extra match
// row that only signals another page, and computes the paging positions;
// cut says the matches were cut short by the page's byte bound, so more
// follow.
func pageOf(q *search.Query, after *search.After, st search.Statement, rows []searchRow, cut bool) (*search.Page, error) {
	p := &search.Page{Total: -1}
	var matches []searchRow
	for _, r := range rows {
		if r.include {
			p.Included = append(p.Included, r.res)
		} else {
			matches = append(matches, r)
		}
		if st.HasTotal {
			p.Total = r.total
		}
	}
	if len(p.Included) > q.Limits.MaxIncludes {
		return nil, fhir.Errorf(fhir.KindTooCostly, fhir.IssueTooCostly,
			"the page would include more than %d resources; narrow the search or lower _count", q.Limits.MaxIncludes).At("_include")
	}
	more := len(matches) > q.Count || cut
	if len(matches) > q.Count {
		matches = matches[:q.Count]
	}
	backward := after != nil && after.Backward
	if st.Reversed {
		slices.Reverse(matches)
	}
	for _, m := range matches {
		p.Matches = append(p.Matches, m.res)
	}
	if len(matches) == 0 {
		return p, nil
	}
	// Going forward, more rows mean a next page and a position means a
	// previous one; going backward it is the other way round.
	hasNext, hasPrev := more, after != nil
	if backward {
		hasNext, hasPrev = true, more
	}
	first, last := matches[0], matches[len(matches)-1]
	if hasNext {
		p.Next = &search.After{Keys: last.keys, PK: last.pk}
	}
	if hasPrev {
		p.Prev = &search.After{Keys: first.keys, PK: first.pk, Backward: true}
	}
	return p, nil
}
