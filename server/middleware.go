package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fhirbase-go/fhird/fhir"
)

// Keys of values handlers and middleware share through the gin context.
const (
	ctxMedia       = "fhir.media"
	ctxRequestID   = "fhir.request_id"
	ctxLogger      = "fhir.logger"
	ctxInteraction = "fhir.interaction"
	ctxType        = "fhir.type"
)

var safeRequestID = regexp.MustCompile(`^[A-Za-z0-9._\-]{1,64}$`)

// requestContext gives every request an id (the client's X-Request-ID when
// it is sane), a logger carrying it, and recovery from panics into a 500
// OperationOutcome.
func requestContext(base *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if !safeRequestID.MatchString(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(ctxRequestID, id)
		c.Header("X-Request-ID", id)
		log := base.With(slog.String("request_id", id))
		c.Set(ctxLogger, log)
		start := time.Now()
		defer func() {
			if p := recover(); p != nil {
				writeError(c, fmt.Errorf("panic: %v", p))
			}
			log.Info("request",
				slog.String("method", c.Request.Method),
				slog.String("path", c.Request.URL.Path),
				slog.Int("status", c.Writer.Status()),
				slog.String("interaction", c.GetString(ctxInteraction)),
				slog.Duration("duration", time.Since(start)))
		}()
		c.Next()
	}
}

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

func logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(ctxLogger); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}

// deadline gives the request a deadline d from now (none when d is 0):
// the store gives up waiting for a connection or a statement then, and the
// request is answered 503.
func deadline(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		if d > 0 {
			ctx, cancel := context.WithTimeout(c.Request.Context(), d)
			defer cancel()
			c.Request = c.Request.WithContext(ctx)
		}
		c.Next()
	}
}

// validTenant bounds tenant ids to a safe alphabet and length.
var validTenant = regexp.MustCompile(`^[A-Za-z0-9._\-]{1,64}$`)

// tenancy decides the tenant of a request; it is the one place that does.
// In development mode the X-Tenant-ID header names it; otherwise every
// request belongs to the configured tenant and the header is refused, so
// a client never believes it is isolated when it is not. The SMART issue
// replaces the header with the token's claim here.
func tenancy(dev bool, defaultTenant string) gin.HandlerFunc {
	return func(c *gin.Context) {
		tenant := defaultTenant
		if dev {
			// The answer depends on the header: no shared cache may hand
			// one tenant's response to another.
			c.Writer.Header().Add("Vary", "X-Tenant-ID")
		}
		if hs := c.Request.Header.Values("X-Tenant-ID"); len(hs) > 0 {
			var err *fhir.Error
			switch {
			case !dev:
				err = fhir.Errorf(fhir.KindForbidden, fhir.IssueForbidden, "X-Tenant-ID is only honoured in development mode")
			case len(hs) > 1:
				err = fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "X-Tenant-ID is given %d times; give it once", len(hs))
			case hs[0] == "":
				// An empty tenant is a client's mistake, not a request for
				// the default tenant's data.
				err = fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "X-Tenant-ID is empty; name a tenant or leave the header out")
			}
			if err != nil {
				writeError(c, err)
				c.Abort()
				return
			}
			tenant = hs[0]
		}
		if !validTenant.MatchString(tenant) {
			writeError(c, fhir.Errorf(fhir.KindInvalid, fhir.IssueValue,
				"tenant id must be 1-64 characters of letters, digits, '.', '_' or '-'"))
			c.Abort()
			return
		}
		c.Request = c.Request.WithContext(fhir.WithTenant(c.Request.Context(), tenant))
		c.Set(ctxLogger, logger(c).With(slog.String("tenant", tenant)))
		c.Next()
	}
}
