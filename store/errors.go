package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fhirbase-go/fhird/fhir"
)

// SQLSTATEs the store gives a meaning to.
const (
	sqlUniqueViolation     = "23505"
	sqlSerializationFailed = "40001"
	sqlDeadlockDetected    = "40P01"
	sqlQueryCanceled       = "57014"
)

// retryable reports whether an interaction failed only because of
// concurrent transactions and may simply be run again.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == sqlSerializationFailed || pgErr.Code == sqlDeadlockDetected)
}

// mapError turns database errors into domain errors; this file is the one
// place that knows SQLSTATEs. Errors that are already domain errors, and nil,
// pass through.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := fhir.AsError(err); ok {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case sqlUniqueViolation:
			return fhir.Errorf(fhir.KindConflict, fhir.IssueConflict, "the resource was changed concurrently; retry").Wrap(err)
		case sqlSerializationFailed, sqlDeadlockDetected:
			return fhir.Errorf(fhir.KindConflict, fhir.IssueTransient, "the resource is under heavy concurrent change; retry").Wrap(err)
		case sqlQueryCanceled:
			return fhir.Errorf(fhir.KindTooCostly, fhir.IssueTooCostly, "the request took longer than the server allows").Wrap(err)
		}
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if pgconn.SafeToRetry(err) || isConnError(err) {
		return fhir.Errorf(fhir.KindUnavailable, fhir.IssueTransient, "the database is not reachable").Wrap(err)
	}
	return err
}

func isConnError(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce)
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
