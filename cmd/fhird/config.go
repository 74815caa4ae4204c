package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/fhirbase-go/fhird/search"
)

// config is every setting of the server, read once from the environment.
type config struct {
	Addr             string
	BaseURL          string
	DatabaseURL      string // the owner's: migrations
	AppDatabaseURL   string // the server role's: serving
	AppRole          string
	Migrate          bool
	Dev              bool
	Tenant           string
	MaxBodyBytes     int64
	DefaultCount     int
	MaxCount         int
	MaxConns         int32
	MinConns         int32
	StatementTimeout time.Duration
	ShutdownTimeout  time.Duration
	// RequestTimeout is every FHIR request's deadline.
	RequestTimeout time.Duration
	// AcquireTimeout and MaxWaiting bound the queue for database
	// connections (store.Config).
	AcquireTimeout time.Duration
	MaxWaiting     int
	// HTTP bounds the connections of the HTTP server.
	HTTP            httpLimits
	CursorKey       []byte
	CursorKeyRandom bool
	SampleData      string
	LogLevel        string
	SearchLimits    search.Limits
	// MaxBundleEntries bounds a batch or transaction Bundle.
	MaxBundleEntries int
	// MaxResponseBytes bounds the resources of one response (search page,
	// history page, batch or transaction).
	MaxResponseBytes int
	// ConditionalDeleteMultiple lets a conditional delete remove every match.
	ConditionalDeleteMultiple bool
	// PprofAddr, when set, serves net/http/pprof there (a loopback address).
	PprofAddr string
}

// defaultDatabaseURL is the local database of `make run`. It asks for no TLS:
// on loopback TLS protects nothing and costs CPU in the server and in
// PostgreSQL (reads by id serve 9-17% more requests per second without it).
// A database on another host needs a URL of its own, with sslmode=verify-full.
const defaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/fhir?sslmode=disable"

// settings documents every variable; README's table mirrors it.
var settings = []struct{ name, def, help string }{
	{"FHIR_ADDR", ":8080", "listen address"},
	{"FHIR_BASE_URL", "http://localhost:<port>/fhir", "absolute base URL used in Location, fullUrl and links"},
	{"FHIR_DATABASE_URL", defaultDatabaseURL, "owner connection: creates the database if missing and runs migrations"},
	{"FHIR_APP_DATABASE_URL", "FHIR_DATABASE_URL with user FHIR_DB_ROLE", "connection the server serves through (must not own tables or bypass RLS)"},
	{"FHIR_DB_ROLE", "fhir_app", "server role that migrations create and grant data privileges to"},
	{"FHIR_MIGRATE", "true", "migrate on start-up (serve)"},
	{"FHIR_DEV", "false", "development mode: the X-Tenant-ID header selects the tenant"},
	{"FHIR_TENANT", "default", "tenant of requests that name none"},
	{"FHIR_MAX_BODY_BYTES", "10485760", "largest accepted request body (413 above)"},
	{"FHIR_DEFAULT_COUNT", "50", "default page size"},
	{"FHIR_MAX_COUNT", "1000", "largest page size a client may ask for"},
	{"FHIR_DB_MAX_CONNS", "4 x CPUs", "database pool size"},
	{"FHIR_DB_MIN_CONNS", "2", "connections kept open"},
	{"FHIR_STATEMENT_TIMEOUT", "10s", "bound on every SQL statement, its preparation included (503 above)"},
	{"FHIR_REQUEST_TIMEOUT", "30s", "deadline of every FHIR request: waiting for a connection and every statement end with it (503)"},
	{"FHIR_DB_ACQUIRE_TIMEOUT", "5s", "longest wait for a free database connection (503 with Retry-After after it)"},
	{"FHIR_DB_MAX_WAITING", "512", "most requests waiting for a database connection at once; one more is refused at once (503 with Retry-After)"},
	{"FHIR_READ_HEADER_TIMEOUT", "10s", "time a client has to send the request headers"},
	{"FHIR_READ_TIMEOUT", "60s", "time a client has to send the whole request, body included"},
	{"FHIR_WRITE_TIMEOUT", "120s", "time from the end of the request headers to the end of the response"},
	{"FHIR_IDLE_TIMEOUT", "60s", "how long a keep-alive connection may wait for its next request"},
	{"FHIR_MAX_CONNECTIONS", "10000", "most client connections open at once; more wait to be accepted"},
	{"FHIR_SHUTDOWN_TIMEOUT", "25s", "how long SIGTERM waits for in-flight requests"},
	{"FHIR_CURSOR_KEY", "random per process", "hex secret that signs paging cursors; set the same on every node"},
	{"FHIR_SAMPLE_DATA", "", "directory of sample resources loaded into FHIR_TENANT when it is empty"},
	{"FHIR_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"FHIR_SEARCH_MAX_INCLUDES", "1000", "most resources _include/_revinclude may add to one page (too-costly above)"},
	{"FHIR_SEARCH_MAX_PARAMS", "32", "most AND-ed search parameters, chains and _has included"},
	{"FHIR_SEARCH_MAX_OR_VALUES", "100", "most comma-separated values of one search parameter"},
	{"FHIR_MAX_BUNDLE_ENTRIES", "1000", "most entries of a batch or transaction Bundle (too-costly above)"},
	{"FHIR_MAX_RESPONSE_BYTES", "16777216", "most bytes of resources one response carries: search and history pages end early (with a next link), batch and transaction reads past it answer too-costly"},
	{"FHIR_CONDITIONAL_DELETE_MULTIPLE", "false", "a conditional delete removes every match (at most FHIR_MAX_COUNT) instead of failing on more than one"},
	{"FHIR_PPROF_ADDR", "", "serve Go profiles (net/http/pprof) on this address, e.g. 127.0.0.1:6060; never a public one"},
}

func loadConfig() (*config, error) {
	c := &config{
		Addr:        env("FHIR_ADDR", ":8080"),
		DatabaseURL: env("FHIR_DATABASE_URL", defaultDatabaseURL),
		AppRole:     env("FHIR_DB_ROLE", "fhir_app"),
		Tenant:      env("FHIR_TENANT", "default"),
		SampleData:  env("FHIR_SAMPLE_DATA", ""),
		LogLevel:    env("FHIR_LOG_LEVEL", "info"),
		PprofAddr:   env("FHIR_PPROF_ADDR", ""),
	}
	var errs []string
	c.Migrate = boolEnv("FHIR_MIGRATE", true, &errs)
	c.Dev = boolEnv("FHIR_DEV", false, &errs)
	c.MaxBodyBytes = int64(intEnv("FHIR_MAX_BODY_BYTES", 10<<20, &errs))
	c.DefaultCount = intEnv("FHIR_DEFAULT_COUNT", 50, &errs)
	c.MaxCount = intEnv("FHIR_MAX_COUNT", 1000, &errs)
	c.MaxConns = int32(intEnv("FHIR_DB_MAX_CONNS", 4*runtime.NumCPU(), &errs))
	c.MinConns = int32(intEnv("FHIR_DB_MIN_CONNS", 2, &errs))
	c.StatementTimeout = durationEnv("FHIR_STATEMENT_TIMEOUT", 10*time.Second, &errs)
	c.ShutdownTimeout = durationEnv("FHIR_SHUTDOWN_TIMEOUT", 25*time.Second, &errs)
	c.RequestTimeout = durationEnv("FHIR_REQUEST_TIMEOUT", 30*time.Second, &errs)
	c.AcquireTimeout = durationEnv("FHIR_DB_ACQUIRE_TIMEOUT", 5*time.Second, &errs)
	c.MaxWaiting = intEnv("FHIR_DB_MAX_WAITING", 512, &errs)
	c.HTTP = httpLimits{
		ReadHeader:     durationEnv("FHIR_READ_HEADER_TIMEOUT", 10*time.Second, &errs),
		Read:           durationEnv("FHIR_READ_TIMEOUT", 60*time.Second, &errs),
		Write:          durationEnv("FHIR_WRITE_TIMEOUT", 120*time.Second, &errs),
		Idle:           durationEnv("FHIR_IDLE_TIMEOUT", 60*time.Second, &errs),
		MaxConnections: intEnv("FHIR_MAX_CONNECTIONS", 10000, &errs),
	}
	c.BaseURL = strings.TrimRight(env("FHIR_BASE_URL", "http://localhost"+port(c.Addr)+"/fhir"), "/")
	c.AppDatabaseURL = env("FHIR_APP_DATABASE_URL", "")
	if c.AppDatabaseURL == "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil {
			errs = append(errs, "FHIR_DATABASE_URL: "+err.Error())
		} else {
			u.User = url.User(c.AppRole)
			c.AppDatabaseURL = u.String()
		}
	}
	c.SearchLimits = search.DefaultLimits
	c.SearchLimits.MaxIncludes = intEnv("FHIR_SEARCH_MAX_INCLUDES", c.SearchLimits.MaxIncludes, &errs)
	c.SearchLimits.MaxParams = intEnv("FHIR_SEARCH_MAX_PARAMS", c.SearchLimits.MaxParams, &errs)
	c.SearchLimits.MaxOrValues = intEnv("FHIR_SEARCH_MAX_OR_VALUES", c.SearchLimits.MaxOrValues, &errs)
	c.MaxBundleEntries = intEnv("FHIR_MAX_BUNDLE_ENTRIES", 1000, &errs)
	c.MaxResponseBytes = intEnv("FHIR_MAX_RESPONSE_BYTES", 16<<20, &errs)
	c.SearchLimits.MaxPageBytes = c.MaxResponseBytes
	c.ConditionalDeleteMultiple = boolEnv("FHIR_CONDITIONAL_DELETE_MULTIPLE", false, &errs)
	c.cursorKey(&errs)
	if c.DefaultCount < 1 || c.MaxCount < c.DefaultCount {
		errs = append(errs, "FHIR_DEFAULT_COUNT must be at least 1 and at most FHIR_MAX_COUNT")
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

func (c *config) cursorKey(errs *[]string) {
	if k := os.Getenv("FHIR_CURSOR_KEY"); k != "" {
		b, err := hex.DecodeString(k)
		if err != nil || len(b) < 16 {
			*errs = append(*errs, "FHIR_CURSOR_KEY must be at least 16 bytes in hex")
		}
		c.CursorKey = b
		return
	}
	c.CursorKey = make([]byte, 32)
	_, _ = rand.Read(c.CursorKey)
	c.CursorKeyRandom = true
}

// port returns the ":port" part of a listen address.
func port(addr string) string {
	if i := strings.LastIndex(addr, ":"); i >= 0 {
		return addr[i:]
	}
	return ":8080"
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func boolEnv(name string, def bool, errs *[]string) bool {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		*errs = append(*errs, name+" must be true or false (or 1 or 0)")
	}
	return b
}

func intEnv(name string, def int, errs *[]string) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		*errs = append(*errs, name+" must be a non-negative integer")
	}
	return n
}

func durationEnv(name string, def time.Duration, errs *[]string) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		*errs = append(*errs, name+" must be a duration such as 10s")
	}
	return d
}
