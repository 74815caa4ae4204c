package fhir

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is the category of an error. The transport maps each kind to exactly
// one HTTP status; nothing below the transport knows about status codes.
type Kind int

// The kinds of error. KindInternal is the zero value so that an error of
// unknown origin is never mistaken for a client error.
const (
	KindInternal         Kind = iota // 500: a bug or an outage; diagnostics are not shown
	KindInvalid                      // 400: malformed request, body or parameter
	KindUnprocessable                // 422: well-formed resource that breaks a business rule
	KindNotFound                     // 404: no such resource, type or route
	KindGone                         // 410: the resource was deleted
	KindConflict                     // 409: the write conflicts with the current state
	KindPrecondition                 // 412: If-Match or a conditional interaction failed
	KindTooLarge                     // 413: the request body is over the limit
	KindNotAcceptable                // 406: no supported representation was asked for
	KindUnsupportedMedia             // 415: the body is in a format the server does not read
	KindMethodNotAllowed             // 405: the route exists, the method does not
	KindTooCostly                    // 400 with issue code too-costly: a limit was hit
	KindUnauthorized                 // 401: no or bad credentials
	KindForbidden                    // 403: credentials do not allow this
	KindUnavailable                  // 503: a dependency (the database) is not reachable
	KindNotImplemented               // 501: a valid FHIR interaction this server does not offer yet
)

// IssueType is a code from the FHIR issue-type value set
// (http://hl7.org/fhir/ValueSet/issue-type).
type IssueType string

// The issue types the server emits.
const (
	IssueInvalid         IssueType = "invalid"
	IssueStructure       IssueType = "structure"
	IssueRequired        IssueType = "required"
	IssueValue           IssueType = "value"
	IssueInvariant       IssueType = "invariant"
	IssueSecurity        IssueType = "security"
	IssueLogin           IssueType = "login"
	IssueForbidden       IssueType = "forbidden"
	IssueProcessing      IssueType = "processing"
	IssueNotSupported    IssueType = "not-supported"
	IssueDuplicate       IssueType = "duplicate"
	IssueMultipleMatches IssueType = "multiple-matches"
	IssueNotFound        IssueType = "not-found"
	IssueDeleted         IssueType = "deleted"
	IssueTooLong         IssueType = "too-long"
	IssueTooCostly       IssueType = "too-costly"
	IssueConflict        IssueType = "conflict"
	IssueBusinessRule    IssueType = "business-rule"
	IssueException       IssueType = "exception"
	IssueTransient       IssueType = "transient"
	IssueTimeout         IssueType = "timeout"
	IssueThrottled       IssueType = "throttled"
	IssueInformational   IssueType = "informational"
)

// Severity is an OperationOutcome issue severity.
type Severity string

// The severities of the issue-severity value set.
const (
	SeverityFatal       Severity = "fatal"
	SeverityError       Severity = "error"
	SeverityWarning     Severity = "warning"
	SeverityInformation Severity = "information"
)

// Issue is one entry of an OperationOutcome.
type Issue struct {
	Severity    Severity
	Code        IssueType
	Diagnostics string
	// Expression holds FHIRPath expressions (or search parameter names)
	// locating the problem in the request.
	Expression []string
}

// Error is the one error type of the domain. Its issues are safe to show to
// a client; Err, the wrapped cause, is for logs only.
type Error struct {
	Kind   Kind
	Issues []Issue
	Err    error
}

// Errorf returns an error of the given kind with one issue of severity error.
func Errorf(kind Kind, code IssueType, format string, args ...any) *Error {
	return &Error{Kind: kind, Issues: []Issue{{
		Severity:    SeverityError,
		Code:        code,
		Diagnostics: fmt.Sprintf(format, args...),
	}}}
}

// At sets the location of the error's last issue and returns the error.
func (e *Error) At(expression ...string) *Error {
	if len(e.Issues) > 0 {
		e.Issues[len(e.Issues)-1].Expression = expression
	}
	return e
}

// Wrap records cause as the error's logged cause and returns the error.
func (e *Error) Wrap(cause error) *Error {
	e.Err = cause
	return e
}

// Diagnostics is the text of the issues, with their locations: what is
// safe to show, without the wrapped cause.
func (e *Error) Diagnostics() string {
	var b strings.Builder
	for i, is := range e.Issues {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(is.Diagnostics)
		if len(is.Expression) > 0 {
			b.WriteString(" (at ")
			b.WriteString(strings.Join(is.Expression, ", "))
			b.WriteString(")")
		}
	}
	return b.String()
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Diagnostics())
	if e.Err != nil {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of the first *Error in err's chain, or
// KindInternal when there is none.
func KindOf(err error) Kind {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Kind
	}
	return KindInternal
}

// AsError returns the first *Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var fe *Error
	ok := errors.As(err, &fe)
	return fe, ok
}

// Wrapf prefixes a non-nil *err with context, keeping the chain intact. It is
// meant for defer: defer fhir.Wrapf(&err, "store.Read(%s/%s)", typ, id).
func Wrapf(err *error, format string, args ...any) {
	if *err != nil {
		*err = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *err)
	}
}
