package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/fhirbase-go/fhird/fhir"
)

// maxAttempts bounds how often an interaction is retried after a
// serialization failure or a deadlock before the error reaches the client.
const maxAttempts = 4

// errNoTenant is a programming error: a request reached the store without
// passing through the tenant middleware.
var errNoTenant = errors.New("store: no tenant in context")

// run executes one interaction: the tenant setting followed by the
// statements queue adds, sent as one pgx batch. A batch runs as one implicit
// transaction, so the tenant is set transaction-locally in the same round
// trip as the first statement, and either every statement takes effect or
// none does. read consumes the statements' results in order.
//
// run is the only function in the package that talks to the database on
// behalf of a tenant.
func (s *Store) run(ctx context.Context, queue func(*pgx.Batch), read func(pgx.BatchResults) error) error {
	tenant, ok := fhir.TenantFrom(ctx)
	if !ok {
		return errNoTenant
	}
	timeout := s.timeout
	if timeout == "" {
		timeout = "0"
	}
	var err error
	for attempt := 1; ; attempt++ {
		b := &pgx.Batch{}
		b.Queue(`SELECT set_config('fhir.tenant', $1, true), set_config('statement_timeout', $2, true)`, tenant, timeout)
		queue(b)
		br := s.pool.SendBatch(ctx, b)
		_, err = br.Exec()
		if err == nil {
			err = read(br)
		}
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		if !retryable(err) || attempt == maxAttempts {
			return mapError(err)
		}
	}
}

// tenantOf returns the tenant of ctx for use as the $1 of a statement; run
// refuses to send anything when there is none.
func tenantOf(ctx context.Context) string {
	t, _ := fhir.TenantFrom(ctx)
	return t
}
