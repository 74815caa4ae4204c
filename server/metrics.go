package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the server's Prometheus metrics: requests by interaction,
// resource type and status, and their latency.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// NewMetrics registers the request metrics and the Go and process
// collectors in a fresh registry; extra collectors (the database pool) are
// added by the caller.
func NewMetrics(extra ...prometheus.Collector) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fhir_requests_total",
			Help: "FHIR requests by interaction, resource type and HTTP status.",
		}, []string{"interaction", "type", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "fhir_request_duration_seconds",
			Help:    "Latency of FHIR requests by interaction and resource type.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"interaction", "type"}),
	}
	m.reg.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reg.MustRegister(extra...)
	return m
}

func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// middleware observes every request that a handler named an interaction
// for; the type label is set only for types in the registry, so clients
// cannot blow up the label space.
func (m *Metrics) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		interaction := c.GetString(ctxInteraction)
		if interaction == "" {
			return
		}
		typ := c.GetString(ctxType)
		m.requests.WithLabelValues(interaction, typ, strconv.Itoa(c.Writer.Status())).Inc()
		m.latency.WithLabelValues(interaction, typ).Observe(time.Since(start).Seconds())
	}
}
