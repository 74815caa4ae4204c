package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fhirbase-go/fhird/fhir"
)

// SQLSTATEs the store gives a meaning to.
const (
	sqlUniqueViolation     = "23505"
	sqlSerializationFailed = "40001"
	sqlDeadlockDetected    = "40P01"
	sqlQueryCanceled       = "57014" // statement_timeout, or a cancel request
	sqlLockNotAvailable    = "55P03" // lock_timeout
	sqlAdminShutdown       = "57P01" // the server is shutting down or was told to end the session
	sqlCrashShutdown       = "57P02"
	sqlCannotConnectNow    = "57P03" // starting up or shutting down
)

// retryable reports whether an interaction failed only because of
// concurrent transactions and may simply be run again.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == sqlSerializationFailed || pgErr.Code == sqlDeadlockDetected)
}

// mapError turns database errors into domain errors; this file is the one
// place that knows SQLSTATEs. Errors that are already domain errors, and nil,
// pass through. What the server cannot do now but may soon (a statement or
// the request out of time, a database restarting or out of reach) is
// KindUnavailable: 503, never the client's mistake. A client that went away
// keeps context.Canceled.
func mapError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := fhir.AsError(err); ok {
		return err
	}
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		if errors.Is(ctx.Err(), context.Canceled) {
			return fmt.Errorf("%w: %w", context.Canceled, err)
		}
		return fhir.Errorf(fhir.KindUnavailable, fhir.IssueTimeout,
			"the request did not complete within the time the server allows it; retry later").Wrap(err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == sqlUniqueViolation:
			return fhir.Errorf(fhir.KindConflict, fhir.IssueConflict, "the resource was changed concurrently; retry").Wrap(err)
		case pgErr.Code == sqlSerializationFailed || pgErr.Code == sqlDeadlockDetected:
			return fhir.Errorf(fhir.KindConflict, fhir.IssueTransient, "the resource is under heavy concurrent change; retry").Wrap(err)
		case pgErr.Code == sqlQueryCanceled || pgErr.Code == sqlLockNotAvailable:
			return fhir.Errorf(fhir.KindUnavailable, fhir.IssueTimeout,
				"a database statement did not complete within the time the server allows it (it may wait for a lock, or the server may be loaded); retry later").Wrap(err)
		case serverGone(err) || strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "53"):
			return unreachable(err)
		}
		return err
	}
	if connectionLost(err) {
		return unreachable(err)
	}
	return err
}

func unreachable(err error) error {
	return fhir.Errorf(fhir.KindUnavailable, fhir.IssueTransient, "the database is not reachable; retry later").Wrap(err)
}

// serverGone reports an error that says the database server ended the
// session: it is shutting down, restarting or starting up, so every
// connection to it is gone or going.
func serverGone(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case sqlAdminShutdown, sqlCrashShutdown, sqlCannotConnectNow:
			return true
		}
	}
	return false
}

// connectionLost reports an error of the connection rather than of a
// statement: the server ended the session, the connection broke (reset,
// end of file, a network error), could not be made, or was closed.
func connectionLost(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	return serverGone(err) || errors.As(err, &ce) || errors.As(err, &ne) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNREFUSED) ||
		pgconn.SafeToRetry(err)
}

// wrapf adds context to a non-nil *err; use it in a defer.
func wrapf(err *error, format string, args ...any) {
	if *err != nil {
		*err = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *err)
	}
}

// importFailure gives a batch that the database refused because of its
// data a kind the importer can act on: SQLSTATE class 22 (data exception,
// e.g. a \u0000 that jsonb cannot store) and class 54 (a program limit,
// e.g. an oversized value) become KindInvalid, so the caller may split the
// batch to find the culprit and carry on. Other errors keep mapError's
// meaning.
func importFailure(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (strings.HasPrefix(pgErr.Code, "22") || strings.HasPrefix(pgErr.Code, "54")) {
		return fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "the database refused the data: %s", pgErr.Message).Wrap(err)
	}
	return err
}
