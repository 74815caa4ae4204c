package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/fhirbase-go/fhird/capability"
	"github.com/fhirbase-go/fhird/search"
	"github.com/fhirbase-go/fhird/server"
	"github.com/fhirbase-go/fhird/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var (
	srvOnce sync.Once
	srv     *httptest.Server
)

// testServer returns the package's server (dev mode, on the shared test
// database) and a client bound to a tenant no other test uses.
func testServer(t testing.TB) *client {
	t.Helper()
	db := storetest.Shared(t)
	srvOnce.Do(func() { srv = httptest.NewServer(server.New(testConfig(t), db.Store)) })
	_, tenant := storetest.Tenant(t)
	return &client{t: t, base: srv.URL, tenant: tenant}
}

// testConfig is the configuration of the package's server.
func testConfig(t testing.TB) server.Config {
	t.Helper()
	cs, err := capability.Build(capability.Options{BaseURL: "http://fhir.test/fhir", Software: "fhird", Version: "test", ReleaseDate: "2026-11-23"})
	if err != nil {
		t.Fatal(err)
	}
	return server.Config{
		BaseURL: "http://fhir.test/fhir", Dev: true, DefaultTenant: "default", MaxBodyBytes: 64 << 10,
		DefaultCount: 50, MaxCount: 100, MaxBundleEntries: 40, SearchLimits: search.DefaultLimits, CursorKey: []byte("0123456789abcdef0123456789abcdef"),
		Capability: cs, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: server.NewMetrics(),
	}
}

// ownServer serves repo with the package's configuration as configure
// changes it, for tests that need settings or a database of their own;
// it returns a client of a fresh tenant.
func ownServer(t testing.TB, repo server.Repository, configure func(*server.Config)) *client {
	t.Helper()
	cfg := testConfig(t)
	if configure != nil {
		configure(&cfg)
	}
	hs := httptest.NewServer(server.New(cfg, repo))
	t.Cleanup(hs.Close)
	_, tenant := storetest.Tenant(t)
	return &client{t: t, base: hs.URL, tenant: tenant}
}

type client struct {
	t      testing.TB
	base   string
	tenant string
}

type response struct {
	*http.Response
	body []byte
}

// do sends a request: do(method, path[, body[, "Name: value" headers...]]).
func (c *client) do(method, path string, bodyAndHeaders ...string) *response {
	c.t.Helper()
	var body string
	var headers []string
	if len(bodyAndHeaders) > 0 {
		body, headers = bodyAndHeaders[0], bodyAndHeaders[1:]
	}
	req, err := c.request(method, path, body, headers...)
	if err != nil {
		c.t.Fatal(err)
	}
	resp, b, err := send(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return &response{resp, b}
}

// request builds a request of the client's tenant; a body is FHIR JSON
// unless a Content-Type header says otherwise.
func (c *client) request(method, path, body string, headers ...string) (*http.Request, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Tenant-ID", c.tenant)
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return req, nil
}

// send sends a request and reads the whole response; it is safe to call
// from any goroutine.
func send(req *http.Request) (*http.Response, []byte, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func (r *response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not JSON (%v): %q", err, r.body)
	}
	return m
}

// want fails the test unless the status is code.
func (r *response) want(t testing.TB, code int) *response {
	t.Helper()
	if r.StatusCode != code {
		t.Fatalf("%s %s: status %d, want %d; body %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, code, r.body)
	}
	return r
}

// outcome checks that the body is an OperationOutcome and returns its
// issues.
func (r *response) outcome(t testing.TB) []map[string]any {
	t.Helper()
	m := r.json(t)
	if m["resourceType"] != "OperationOutcome" {
		t.Fatalf("body is not an OperationOutcome: %s", r.body)
	}
	var out []map[string]any
	for _, is := range m["issue"].([]any) {
		out = append(out, is.(map[string]any))
	}
	if len(out) == 0 {
		t.Fatal("OperationOutcome without issues")
	}
	return out
}

func compact(s string) string {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		panic(err)
	}
	return b.String()
}

const patientJSON = `{"resourceType":"Patient","name":[{"family":"Bélanger","given":["Élodie","Marie"]}],
	"gender":"female","birthDate":"1984-03-12",
	"identifier":[{"system":"http://clinic.example.org/mrn","value":"000123"}]}`

// create posts a Patient and returns its id.
func (c *client) create() string {
	c.t.Helper()
	r := c.do("POST", "/fhir/Patient", patientJSON).want(c.t, 201)
	return r.json(c.t)["id"].(string)
}
