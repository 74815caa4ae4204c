package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fhirbase-go/fhird/fhir"
)

// maxAttempts bounds how often an interaction is retried after a
// serialization failure or a deadlock before the error reaches the client.
const maxAttempts = 4

// errNoTenant is a programming error: a request reached the store without
// passing through the tenant middleware.
var errNoTenant = errors.New("store: no tenant in context")

// errNoTx is a programming error: Lock or ReadForUpdate outside Transact.
var errNoTx = errors.New("store: Lock and ReadForUpdate need a transaction (call them inside Transact)")

// errTenantSwitch is a programming error: a call inside a transaction
// names another tenant than the one the transaction was opened for.
var errTenantSwitch = errors.New("store: the context names another tenant than its transaction")

// txKey carries the open transaction of Transact in a context.
type txKey struct{}

// openTx is a transaction opened by Transact, bound to one tenant.
type openTx struct {
	tx     pgx.Tx
	tenant string
}

// run executes one interaction: the tenant setting followed by the
// statements queue adds, sent as one pgx batch. A batch runs as one implicit
// transaction, so the tenant is set transaction-locally in the same round
// trip as the first statement, and either every statement takes effect or
// none does. read consumes the statements' results in order. Inside
// Transact the statements join its transaction instead (the tenant is set
// already, and retrying is Transact's business).
//
// run and Transact are the only functions in the package that talk to the
// database on behalf of a tenant.
func (s *Store) run(ctx context.Context, queue func(*pgx.Batch), read func(pgx.BatchResults) error) error {
	return s.runBatch(ctx, false, queue, read)
}

// runRead is run for statements that only read: when the connection
// fails under them (a database restart closes every connection of the
// pool), they are sent once more on a fresh one.
func (s *Store) runRead(ctx context.Context, queue func(*pgx.Batch), read func(pgx.BatchResults) error) error {
	return s.runBatch(ctx, true, queue, read)
}

func (s *Store) runBatch(ctx context.Context, readOnly bool, queue func(*pgx.Batch), read func(pgx.BatchResults) error) error {
	tenant, ok := fhir.TenantFrom(ctx)
	if !ok {
		return errNoTenant
	}
	ot, err := joined(ctx, tenant)
	if err != nil {
		return err
	}
	if ot != nil {
		b := &pgx.Batch{}
		queue(b)
		return mapError(ctx, sendBatch(ctx, ot.tx, b, read))
	}
	for attempt := 1; ; attempt++ {
		err = s.sendOnce(ctx, tenant, queue, read)
		if attempt == maxAttempts || !s.again(ctx, err, readOnly, attempt) {
			return mapError(ctx, err)
		}
	}
}

// sendOnce sends the tenant setting and the statements on a connection of
// the pool.
func (s *Store) sendOnce(ctx context.Context, tenant string, queue func(*pgx.Batch), read func(pgx.BatchResults) error) error {
	conn, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	b := &pgx.Batch{}
	b.Queue(`SELECT set_config('fhir.tenant', $1, true)`, tenant)
	queue(b)
	return sendBatch(ctx, conn, b, func(br pgx.BatchResults) error {
		if _, err := br.Exec(); err != nil {
			return err
		}
		return read(br)
	})
}

// again decides whether a failed attempt is run again: after a
// serialization failure or a deadlock, always (up to maxAttempts); after
// a broken connection, once, when nothing reached the server or the
// statements only read. A broken connection that says the server went
// away empties the pool, whose other connections are gone too.
func (s *Store) again(ctx context.Context, err error, readOnly bool, attempt int) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	if retryable(err) {
		return true
	}
	if !connectionLost(err) {
		return false
	}
	if serverGone(err) {
		s.pool.Reset()
	}
	return attempt == 1 && (readOnly || pgconn.SafeToRetry(err))
}

// joined returns the transaction of ctx opened by Transact, or nil; a
// transaction of another tenant than the context's is an error.
func joined(ctx context.Context, tenant string) (*openTx, error) {
	ot, _ := ctx.Value(txKey{}).(*openTx)
	if ot != nil && ot.tenant != tenant {
		return nil, errTenantSwitch
	}
	return ot, nil
}

// batchSender is a pool or a transaction.
type batchSender interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

func sendBatch(ctx context.Context, to batchSender, b *pgx.Batch, read func(pgx.BatchResults) error) error {
	br := to.SendBatch(ctx, b)
	err := read(br)
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

// Transact runs fn in one database transaction of the tenant of ctx: every
// store call that fn makes with the context it is given joins that
// transaction, so its writes and reads commit together or not at all. fn's
// error rolls everything back and is returned; so does a panic, which is
// re-raised. A serialization failure or deadlock runs fn again from the
// start (at most maxAttempts times), so fn must keep no state across
// attempts but what it rebuilds. Transact inside Transact runs fn in the
// transaction already open.
func (s *Store) Transact(ctx context.Context, fn func(ctx context.Context) error) error {
	tenant, ok := fhir.TenantFrom(ctx)
	if !ok {
		return errNoTenant
	}
	if ot, err := joined(ctx, tenant); err != nil || ot != nil {
		if err != nil {
			return err
		}
		return fn(ctx)
	}
	for attempt := 1; ; attempt++ {
		err := s.transactOnce(ctx, tenant, fn)
		if attempt == maxAttempts || !s.again(ctx, err, false, attempt) {
			return mapError(ctx, err)
		}
	}
}

func (s *Store) transactOnce(ctx context.Context, tenant string, fn func(ctx context.Context) error) (err error) {
	conn, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			return
		}
		// Once fn has done its work the commit runs to its end: a commit
		// cut short by a cancelled context may have committed all the
		// same, and the caller would report as undone what is stored.
		err = tx.Commit(context.WithoutCancel(ctx))
	}()
	_, err = tx.Exec(ctx, `SELECT set_config('fhir.tenant', $1, true)`, tenant)
	if err != nil {
		return err
	}
	return fn(context.WithValue(ctx, txKey{}, &openTx{tx: tx, tenant: tenant}))
}

// Lock takes a transaction-level advisory lock on key within the tenant:
// it waits until no other transaction holds the same lock, and holds it
// until its own transaction ends. Conditional interactions lock their
// canonical condition, so two identical ones run one after the other and
// the second sees what the first wrote. It must be called inside Transact.
func (s *Store) Lock(ctx context.Context, key string) error {
	ot, ok := ctx.Value(txKey{}).(*openTx)
	if !ok {
		return errNoTx
	}
	// A cryptographic hash: with FNV one tenant could compute a condition
	// of its own that shares another tenant's lock and stall its writes.
	h := sha256.New()
	h.Write([]byte(ot.tenant))
	h.Write([]byte{0})
	h.Write([]byte(key))
	_, err := ot.tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(binary.BigEndian.Uint64(h.Sum(nil))))
	return mapError(ctx, err)
}

// tenantOf returns the tenant of ctx for use as the $1 of a statement; run
// refuses to send anything when there is none.
func tenantOf(ctx context.Context) string {
	t, _ := fhir.TenantFrom(ctx)
	return t
}
