package store

import (
	"context"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fhirbase-go/fhird/fhir"
)

// Bounds used in place of "no bound" so that every history statement keeps
// one shape (and one prepared plan).
var (
	minTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// lookup returns the statements and registry entry of a stored type.
func (s *Store) lookup(typ string) (*statements, *fhir.ResourceType, error) {
	st, ok := s.stmts[typ]
	t, _ := fhir.LookupType(typ)
	if !ok || t == nil {
		return nil, nil, fhir.Errorf(fhir.KindNotFound, fhir.IssueNotSupported, "resource type %q is not supported", typ)
	}
	return st, t, nil
}

// Read returns the current version of typ/id. The stored JSON is served as
// it is, never decoded.
func (s *Store) Read(ctx context.Context, typ, id string) (r *fhir.Resource, err error) {
	st, _, err := s.lookup(typ)
	if err != nil {
		return nil, err
	}
	r = &fhir.Resource{Type: typ, ID: id}
	err = s.runRead(ctx, func(b *pgx.Batch) { b.Queue(st.read, tenantOf(ctx), id) }, func(br pgx.BatchResults) error {
		return br.QueryRow().Scan(&r.VersionID, &r.LastUpdated, &r.Deleted, &r.JSON)
	})
	return found(r, err)
}

// ReadForUpdate returns the current version of typ/id and locks it until
// the transaction of ctx ends: no other writer changes it in between, so
// a write of the next version made in the same transaction cannot meet a
// version conflict. A writer holding the lock is waited for, and its
// version is the one returned. It must be called inside Transact.
func (s *Store) ReadForUpdate(ctx context.Context, typ, id string) (r *fhir.Resource, err error) {
	if _, ok := ctx.Value(txKey{}).(*openTx); !ok {
		return nil, errNoTx
	}
	st, _, err := s.lookup(typ)
	if err != nil {
		return nil, err
	}
	r = &fhir.Resource{Type: typ, ID: id}
	err = s.run(ctx, func(b *pgx.Batch) { b.Queue(st.readForUpdate, tenantOf(ctx), id) }, func(br pgx.BatchResults) error {
		return br.QueryRow().Scan(&r.VersionID, &r.LastUpdated, &r.Deleted, &r.JSON)
	})
	return found(r, err)
}

// VRead returns version vid of typ/id.
func (s *Store) VRead(ctx context.Context, typ, id string, vid int64) (r *fhir.Resource, err error) {
	st, _, err := s.lookup(typ)
	if err != nil {
		return nil, err
	}
	r = &fhir.Resource{Type: typ, ID: id}
	err = s.runRead(ctx, func(b *pgx.Batch) { b.Queue(st.vread, tenantOf(ctx), id, vid) }, func(br pgx.BatchResults) error {
		return br.QueryRow().Scan(&r.VersionID, &r.LastUpdated, &r.Deleted, &r.Method, &r.JSON)
	})
	return found(r, err)
}

// found maps a read's outcome: no row is not found, a deletion is gone
// (returned together with the resource so the caller can show its version).
func found(r *fhir.Resource, err error) (*fhir.Resource, error) {
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, fhir.Errorf(fhir.KindNotFound, fhir.IssueNotFound, "%s/%s is not known", r.Type, r.ID)
	case err != nil:
		return nil, err
	case r.Deleted:
		return r, fhir.Errorf(fhir.KindGone, fhir.IssueDeleted, "%s/%s was deleted", r.Type, r.ID)
	}
	return r, nil
}

// History returns one page of versions, newest first.
func (s *Store) History(ctx context.Context, q fhir.HistoryQuery) (p *fhir.HistoryPage, err error) {
	defer wrapf(&err, "store.History(%s/%s)", q.Type, q.ID)
	since := q.Since
	if since.IsZero() {
		since = minTime
	}
	sql, args, err := s.historySQL(ctx, q, since)
	if err != nil {
		return nil, err
	}
	p = &fhir.HistoryPage{}
	cut := false
	err = s.runRead(ctx, func(b *pgx.Batch) { b.Queue(sql, args...) }, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		p.Entries, cut, err = scanHistory(rows, q, q.Type == "")
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(p.Entries) > q.Count || cut {
		p.Entries = p.Entries[:min(len(p.Entries), q.Count)]
		last := p.Entries[len(p.Entries)-1]
		p.Next = &fhir.HistoryKey{LastUpdated: last.LastUpdated, Type: last.Type, ID: last.ID, VersionID: last.VersionID}
	}
	return p, nil
}

// historySQL picks the statement of the history level q asks for and lays
// out its arguments; it asks for one row more than a page to learn whether
// another page follows.
func (s *Store) historySQL(ctx context.Context, q fhir.HistoryQuery, since time.Time) (string, []any, error) {
	tenant, limit := tenantOf(ctx), q.Count+1
	if q.Type == "" {
		return s.systemHistorySQL(tenant, q, since, limit)
	}
	st, _, err := s.lookup(q.Type)
	if err != nil {
		return "", nil, err
	}
	if q.ID != "" {
		before := int64(math.MaxInt64)
		if q.After != nil {
			before = q.After.VersionID
		}
		return st.history, []any{tenant, q.ID, before, since, limit}, nil
	}
	at, id, vid := maxTime, "", int64(math.MaxInt64)
	if q.After != nil {
		at, id, vid = q.After.LastUpdated, q.After.ID, q.After.VersionID
	} else {
		id = "\U0010FFFF" // sorts after every id under COLLATE "C"
	}
	return st.typeHistory, []any{tenant, since, at, id, vid, limit}, nil
}

func (s *Store) systemHistorySQL(tenant string, q fhir.HistoryQuery, since time.Time, limit int) (string, []any, error) {
	branches := make([]string, 0, len(s.typeList))
	for _, t := range s.typeList {
		branches = append(branches, s.stmts[t.Name].historyBranch)
	}
	sql := "SELECT * FROM (" + strings.Join(branches, "\nUNION ALL\n") +
		`) h ORDER BY last_updated DESC, type COLLATE "C" DESC, id DESC, version_id DESC LIMIT $7`
	at, typ, id, vid := maxTime, "\U0010FFFF", "", int64(math.MaxInt64)
	if q.After != nil {
		at, typ, id, vid = q.After.LastUpdated, q.After.Type, q.After.ID, q.After.VersionID
	}
	return sql, []any{tenant, at, typ, id, vid, since, limit}, nil
}

// scanHistory reads history rows (system history rows carry their type
// in the first column) within q.MaxBytes: reading stops before the version
// that would pass it, and cut says so (the first version always fits).
// The extra row past q.Count, which only says another page follows, is
// kept without its content.
func scanHistory(rows pgx.Rows, q fhir.HistoryQuery, withType bool) (out []*fhir.Resource, cut bool, err error) {
	defer rows.Close()
	size := 0
	for rows.Next() {
		r := &fhir.Resource{Type: q.Type}
		dest := []any{&r.ID, &r.VersionID, &r.LastUpdated, &r.Deleted, &r.Method, &r.JSON}
		if withType {
			dest = append([]any{&r.Type}, dest...)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, false, err
		}
		switch {
		case len(out) == q.Count:
			r.JSON = nil
		case q.MaxBytes > 0 && len(out) > 0 && size+len(r.JSON) > q.MaxBytes:
			return out, true, nil
		}
		size += len(r.JSON)
		out = append(out, r)
	}
	return out, false, rows.Err()
}
