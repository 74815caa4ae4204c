package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/fhirbase-go/fhird/fhir"
)

// statusOf is the one table from error kind to HTTP status.
var statusOf = map[fhir.Kind]int{
	fhir.KindInternal:         http.StatusInternalServerError,
	fhir.KindInvalid:          http.StatusBadRequest,
	fhir.KindUnprocessable:    http.StatusUnprocessableEntity,
	fhir.KindNotFound:         http.StatusNotFound,
	fhir.KindGone:             http.StatusGone,
	fhir.KindConflict:         http.StatusConflict,
	fhir.KindPrecondition:     http.StatusPreconditionFailed,
	fhir.KindTooLarge:         http.StatusRequestEntityTooLarge,
	fhir.KindNotAcceptable:    http.StatusNotAcceptable,
	fhir.KindUnsupportedMedia: http.StatusUnsupportedMediaType,
	fhir.KindMethodNotAllowed: http.StatusMethodNotAllowed,
	fhir.KindTooCostly:        http.StatusBadRequest,
	fhir.KindUnauthorized:     http.StatusUnauthorized,
	fhir.KindForbidden:        http.StatusForbidden,
	fhir.KindUnavailable:      http.StatusServiceUnavailable,
	fhir.KindNotImplemented:   http.StatusNotImplemented,
}

// outcome is the JSON form of an OperationOutcome.
type outcome struct {
	ResourceType string         `json:"resourceType"`
	Issue        []outcomeIssue `json:"issue"`
}

type outcomeIssue struct {
	Severity    fhir.Severity  `json:"severity"`
	Code        fhir.IssueType `json:"code"`
	Diagnostics string         `json:"diagnostics,omitempty"`
	Expression  []string       `json:"expression,omitempty"`
}

func newOutcome(issues []fhir.Issue) outcome {
	o := outcome{ResourceType: "OperationOutcome", Issue: make([]outcomeIssue, 0, len(issues))}
	for _, is := range issues {
		o.Issue = append(o.Issue, outcomeIssue{is.Severity, is.Code, is.Diagnostics, is.Expression})
	}
	return o
}

// information returns a one-issue informational outcome.
func information(msg string) []byte {
	b, _ := json.Marshal(newOutcome([]fhir.Issue{{Severity: fhir.SeverityInformation, Code: fhir.IssueInformational, Diagnostics: msg}}))
	return b
}

// writeError is the one function that answers a failed request. Unknown
// errors become a 500 with a generic message; their cause is logged. A
// 503 says when to try again (Retry-After). A client that went away gets
// nothing.
func writeError(c *gin.Context, err error) {
	if errors.Is(err, errAborted) || errors.Is(err, context.Canceled) {
		logger(c).Info("client went away", slog.String("error", err.Error()))
		c.Abort()
		return
	}
	fe, ok := fhir.AsError(err)
	if !ok || fe.Kind == fhir.KindInternal {
		logger(c).Error("internal error", slog.String("error", err.Error()))
		fe = fhir.Errorf(fhir.KindInternal, fhir.IssueException, "internal server error; the request id is %s", requestID(c))
	} else if fe.Kind == fhir.KindUnavailable {
		logger(c).Warn("unavailable", slog.String("error", err.Error()))
		c.Header("Retry-After", retryAfter)
	}
	body, _ := json.Marshal(newOutcome(fe.Issues))
	writeJSON(c, statusOf[fe.Kind], body)
}

// retryAfter is the Retry-After of a 503, in seconds: what makes a server
// unavailable (a full queue, a database restarting, a lock held by
// maintenance) usually passes within seconds.
const retryAfter = "1"

// errAborted marks a request whose client went away; nothing is written.
var errAborted = errors.New("client went away")
