package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/search"
)

// Config holds what the transport needs to know of the server's set-up.
type Config struct {
	// BaseURL is the absolute base of the FHIR endpoint, e.g.
	// http://localhost:8080/fhir; it prefixes Location and fullUrl.
	BaseURL string
	// Dev enables tenant selection by the X-Tenant-ID header.
	Dev bool
	// DefaultTenant serves requests that name no tenant.
	DefaultTenant string
	// MaxBodyBytes bounds request bodies (413 above it).
	MaxBodyBytes int64
	// DefaultCount and MaxCount bound history page sizes.
	DefaultCount, MaxCount int
	// CursorKey authenticates paging cursors; every node of a deployment
	// must share it.
	CursorKey []byte
	// SearchLimits bound what one search may cost.
	SearchLimits search.Limits
	// MaxBundleEntries bounds the entries of a batch or transaction.
	MaxBundleEntries int
	// MaxResponseBytes bounds the resources one batch, transaction or
	// history response carries (search pages are bounded by
	// SearchLimits.MaxPageBytes): read entries past it answer too-costly,
	// history pages end early. Zero: DefaultMaxResponseBytes.
	MaxResponseBytes int
	// RequestTimeout is the deadline of every FHIR request: waiting for a
	// database connection and every statement end with it (503). Zero:
	// none.
	RequestTimeout time.Duration
	// ConditionalDeleteMultiple lets a conditional delete remove every
	// match (at most MaxCount) instead of failing on more than one.
	ConditionalDeleteMultiple bool
	// Capability is the CapabilityStatement served at /metadata.
	Capability []byte
	Logger     *slog.Logger
	Metrics    *Metrics
}

// DefaultMaxResponseBytes is the default of Config.MaxResponseBytes, and of
// the search pages' bound: a response is built in memory, and one request
// must not take the memory of the process from every other tenant.
const DefaultMaxResponseBytes = 16 << 20

// Repository is the storage the server needs: the interactions of
// fhir.Repository and search.
type Repository interface {
	fhir.Repository
	Searcher
	Transactor
}

// Server holds the handlers' dependencies.
type Server struct {
	cfg      Config
	repo     fhir.Repository
	searcher Searcher
	tx       Transactor
}

// New returns the HTTP handler of the FHIR API, health and metrics.
func New(cfg Config, repo Repository) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBundleEntries <= 0 {
		cfg.MaxBundleEntries = 1000
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	s := &Server{cfg: cfg, repo: repo, searcher: repo, tx: repo}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.ContextWithFallback = true
	r.Use(requestContext(cfg.Logger))
	if cfg.Metrics != nil {
		r.Use(cfg.Metrics.middleware())
		r.GET("/metrics", gin.WrapH(cfg.Metrics.handler()))
	}
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", s.ready)
	r.NoRoute(func(c *gin.Context) {
		writeError(c, fhir.Errorf(fhir.KindNotFound, fhir.IssueNotSupported, "no route for %s", c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		writeError(c, fhir.Errorf(fhir.KindMethodNotAllowed, fhir.IssueNotSupported,
			"method %s is not allowed on %s", c.Request.Method, c.Request.URL.Path))
	})
	s.routes(r.Group("/fhir", deadline(cfg.RequestTimeout), s.negotiate, tenancy(cfg.Dev, cfg.DefaultTenant)))
	return r
}

func (s *Server) routes(g *gin.RouterGroup) {
	get := func(path string, h gin.HandlerFunc) {
		g.GET(path, h)
		g.HEAD(path, h) // net/http sends no body for HEAD
	}
	get("/metadata", s.metadata)
	get("/$versions", s.versions)
	g.POST("", s.bundle)
	g.POST("/", s.bundle)
	get("/_history", s.historySystem)
	g.POST("/:type", s.create)
	get("/:type", s.searchType)
	g.POST("/:type/_search", s.searchType)
	g.PUT("/:type", s.conditionalUpdate)
	g.DELETE("/:type", s.conditionalDelete)
	g.PATCH("/:type", s.conditionalPatch)
	g.POST("/:type/$validate", s.validateType)
	get("/:type/_history", s.historyType)
	get("/:type/:id", s.read)
	g.PUT("/:type/:id", s.update)
	g.DELETE("/:type/:id", s.delete)
	g.PATCH("/:type/:id", s.patch)
	g.POST("/:type/:id/$validate", s.validateInstance)
	get("/:type/:id/_history", s.historyInstance)
	get("/:type/:id/$everything", s.everything)
	g.POST("/:type/:id/$everything", s.everything)
	get("/:type/:id/:comptype", s.searchCompartment)
	g.POST("/:type/:id/:comptype/_search", s.searchCompartment)
	get("/:type/:id/_history/:vid", s.vread)
}

// negotiate refuses requests for representations the server cannot give.
func (s *Server) negotiate(c *gin.Context) {
	if err := negotiate(c); err != nil {
		writeError(c, err)
		c.Abort()
		return
	}
	c.Next()
}

// readyTimeout bounds the readiness check: a probe must get an answer
// while the database is slow, not queue behind it.
const readyTimeout = 2 * time.Second

func (s *Server) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), readyTimeout)
	defer cancel()
	if err := s.repo.Ready(ctx); err != nil {
		logger(c).Warn("not ready", slog.String("error", err.Error()))
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

func (s *Server) metadata(c *gin.Context) {
	c.Set(ctxInteraction, "capabilities")
	writeJSON(c, http.StatusOK, s.cfg.Capability)
}

// versionsBody is the answer of $versions: the one version this server
// speaks, which is also its default.
var versionsBody = []byte(`{"resourceType":"Parameters","parameter":[{"name":"version","valueCode":"4.0"},{"name":"default","valueCode":"4.0"}]}`)

// versions answers GET [base]/$versions (CapabilityStatement-versions).
func (s *Server) versions(c *gin.Context) {
	c.Set(ctxInteraction, "operation")
	writeJSON(c, http.StatusOK, versionsBody)
}
