package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/fhirbase-go/fhird/search"
)

// referencedPhase is the first sort key of a paging position among the
// referenced resources of a multi-type search; a position among its
// members has no key.
const referencedPhase = "referenced"

// SearchMulti runs one page of a multi-type search (a compartment search
// of every type, $everything) in the tenant's transaction. The members of
// the compartment come first, in pk order; when m has referenced types,
// the resources the members refer to follow them, in pk order, as the
// page's Included. A page that ends among the members runs one statement;
// the page on which the members end runs a second one for the first
// referenced resources, so that every page but the last is full.
func (s *Store) SearchMulti(ctx context.Context, m *search.Multi, after *search.After) (p *search.Page, err error) {
	defer wrapf(&err, "store.SearchMulti(%s/%s)", m.Compartment.Type, m.Compartment.ID)
	if after != nil && len(after.Keys) == 1 && after.Keys[0] == referencedPhase {
		p = &search.Page{Total: -1}
		return p, s.referencedPage(ctx, m, after.PK, m.Count, p)
	}
	p = &search.Page{Total: -1}
	if len(m.Members) > 0 {
		p, err = s.membersPage(ctx, m, after)
	}
	if err != nil || p.Next != nil || len(m.Referenced) == 0 || (after != nil && after.Backward) {
		return p, err
	}
	// Members and referenced resources page as one sequence: the previous
	// position of a later page would need both phases walked backwards.
	p.Prev, p.Total = nil, -1
	return p, s.referencedPage(ctx, m, 0, m.Count-len(p.Matches), p)
}

// CountMulti counts the members of a multi-type search.
func (s *Store) CountMulti(ctx context.Context, m *search.Multi) (n int64, err error) {
	defer wrapf(&err, "store.CountMulti(%s/%s)", m.Compartment.Type, m.Compartment.ID)
	st, err := search.CompileMembersCount(m, tenantOf(ctx))
	if err != nil {
		return 0, err
	}
	err = s.runStatement(ctx, st, func(br pgx.BatchResults) error {
		return br.QueryRow().Scan(&n)
	})
	return n, err
}

// membersPage runs one page of the members of m.
func (s *Store) membersPage(ctx context.Context, m *search.Multi, after *search.After) (*search.Page, error) {
	st, err := search.CompileMembers(m, tenantOf(ctx), after)
	if err != nil {
		return nil, err
	}
	q := &search.Query{Count: m.Count, Limits: m.Limits}
	rows, kept, err := s.multiRows(ctx, st, q)
	if err != nil {
		return nil, err
	}
	p, err := pageOf(q, after, st, rows, kept > 0)
	if err == nil && p.Total < 0 && after == nil && p.Next == nil {
		p.Total = int64(len(p.Matches))
	}
	return p, err
}

// referencedPage adds to p at most count referenced resources of m with a
// pk above afterPK, and the position after them when more follow.
func (s *Store) referencedPage(ctx context.Context, m *search.Multi, afterPK int64, count int, p *search.Page) error {
	st, err := search.CompileReferenced(m, tenantOf(ctx), afterPK, count)
	if err != nil {
		return err
	}
	rows, kept, err := s.multiRows(ctx, st, &search.Query{Count: count, Limits: m.Limits})
	if err != nil {
		return err
	}
	more := len(rows) > count || kept > 0
	if kept > 0 {
		rows = rows[:kept]
	}
	if len(rows) > count {
		rows = rows[:count]
	}
	last := afterPK
	for _, r := range rows {
		p.Included = append(p.Included, r.res)
		last = r.pk
	}
	if more {
		p.Next = &search.After{Keys: []any{referencedPhase}, PK: last}
	}
	return nil
}

// multiRows runs st and reads its rows within q's page bound.
func (s *Store) multiRows(ctx context.Context, st search.Statement, q *search.Query) (rows []searchRow, kept int, err error) {
	err = s.runStatement(ctx, st, func(br pgx.BatchResults) error {
		r, err := br.Query()
		if err != nil {
			return err
		}
		rows, kept, err = scanSearch(r, st, q)
		return err
	})
	return rows, kept, err
}
