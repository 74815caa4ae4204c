package store

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fhirbase-go/fhird/fhir"
)

// queue admits interactions to the pool: at most max of them wait for a
// connection at once (0: any number), each at most timeout (0: as long as
// its context lets it). Past either bound the interaction is refused as
// unavailable, so that under overload requests fail fast with 503 instead
// of queueing for minutes.
type queue struct {
	timeout time.Duration
	max     int64
	waiting atomic.Int64
}

// acquire takes a connection from the pool within the bounds of the queue.
func (s *Store) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	q := &s.queue
	if q.max > 0 {
		if q.waiting.Add(1) > q.max {
			q.waiting.Add(-1)
			return nil, fhir.Errorf(fhir.KindUnavailable, fhir.IssueThrottled,
				"the server is busy: %d requests are waiting for a database connection already; retry later", q.max)
		}
		defer q.waiting.Add(-1)
	}
	actx := ctx
	if q.timeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, q.timeout)
		defer cancel()
	}
	conn, err := s.pool.Acquire(actx)
	if err != nil && ctx.Err() == nil && actx.Err() != nil {
		return nil, fhir.Errorf(fhir.KindUnavailable, fhir.IssueTimeout,
			"the server is busy: no database connection came free within %v; retry later", q.timeout).Wrap(err)
	}
	return conn, err
}
