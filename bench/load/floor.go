package load

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/search"
)

// Floor is direct access to the server's database, for the floor: the SQL
// the server runs for a read, without the server. *store.Store satisfies
// it.
type Floor interface {
	// Exec runs one compiled search statement in the tenant of ctx and
	// drains its rows.
	Exec(ctx context.Context, st search.Statement) (int, error)
	Read(ctx context.Context, typ, id string) (*fhir.Resource, error)
	History(ctx context.Context, q fhir.HistoryQuery) (*fhir.HistoryPage, error)
	ServerVersion(ctx context.Context) (string, error)
}

// FloorConfig is the database and the server settings that shape the SQL
// of a search: they must be the server's own (DefaultCount, MaxCount,
// BaseURL, Limits), or the floor runs other statements than the server.
type FloorConfig struct {
	DB Floor
	// Tenant is the tenant the server serves the driver's requests in.
	Tenant  string
	Options search.Options
}

// floorOp prepares the database work of one read request: a search is
// parsed and compiled here, outside the timed part, so the floor's latency
// is the database round trip alone.
func (f *FloorConfig) floorOp(r Request) (func(context.Context) error, error) {
	path, query, _ := strings.Cut(r.Path, "?")
	seg := strings.Split(path, "/")
	switch {
	case r.Method != "GET":
		return nil, fmt.Errorf("floor: %s has no floor", r.Method)
	case len(seg) == 1:
		return f.searchOp(seg[0], query)
	case len(seg) == 2:
		return func(ctx context.Context) error { _, err := f.DB.Read(ctx, seg[0], seg[1]); return err }, nil
	case len(seg) == 3 && seg[2] == "_history":
		q := fhir.HistoryQuery{Type: seg[0], ID: seg[1], Count: f.Options.DefaultCount}
		return func(ctx context.Context) error { _, err := f.DB.History(ctx, q); return err }, nil
	}
	return nil, fmt.Errorf("floor: no floor for %q", r.Path)
}

func (f *FloorConfig) searchOp(typ, query string) (func(context.Context) error, error) {
	t, ok := fhir.LookupType(typ)
	if !ok {
		return nil, fmt.Errorf("floor: unknown type %q", typ)
	}
	params, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("floor: %w", err)
	}
	opts := f.Options
	opts.Now = time.Now().UTC()
	q, err := search.Parse(t, params, opts)
	if err != nil {
		return nil, fmt.Errorf("floor: %s?%s: %w", typ, query, err)
	}
	st, err := search.Compile(q, f.Tenant, nil)
	if err != nil {
		return nil, fmt.Errorf("floor: %s?%s: %w", typ, query, err)
	}
	return func(ctx context.Context) error { _, err := f.DB.Exec(ctx, st); return err }, nil
}

// floorTally is what one floor run measured.
type floorTally struct {
	requests, errors int
	latencies        []time.Duration
	elapsed          time.Duration
	firstErr         error
}

// runFloor runs next's requests through the floor in a closed loop of c
// workers for d: each worker prepares a request and times its database
// work, then takes the next.
func (f *FloorConfig) runFloor(ctx context.Context, c int, d time.Duration, next func() Request) *floorTally {
	ctx = fhir.WithTenant(ctx, f.Tenant)
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	parts := make([]floorTally, c)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range parts {
		wg.Go(func() { f.floorWorker(ctx, next, &parts[w]) })
	}
	wg.Wait()
	out := &floorTally{elapsed: time.Since(start)}
	for _, p := range parts {
		out.requests += p.requests
		out.errors += p.errors
		out.latencies = append(out.latencies, p.latencies...)
		if out.firstErr == nil {
			out.firstErr = p.firstErr
		}
	}
	return out
}

func (f *FloorConfig) floorWorker(ctx context.Context, next func() Request, t *floorTally) {
	for ctx.Err() == nil {
		op, err := f.floorOp(next())
		if err == nil {
			t0 := time.Now()
			err = op(ctx)
			if ctx.Err() != nil {
				return // cut short by the deadline: not a measurement
			}
			if err == nil {
				t.latencies = append(t.latencies, time.Since(t0))
			}
		}
		t.requests++
		if err != nil {
			t.errors++
			if t.firstErr == nil {
				t.firstErr = err
			}
		}
	}
}
