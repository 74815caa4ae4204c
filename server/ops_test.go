package server_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fhirbase-go/fhird/server"
	"github.com/fhirbase-go/fhird/store/storetest"
)

func TestMetadata(t *testing.T) {
	c := testServer(t)
	cs := c.do("GET", "/fhir/metadata").want(t, 200).json(t)
	if cs["resourceType"] != "CapabilityStatement" || cs["fhirVersion"] != "4.0.1" {
		t.Fatalf("metadata: %v", cs)
	}
	rest := cs["rest"].([]any)[0].(map[string]any)
	types := map[string]bool{}
	for _, r := range rest["resource"].([]any) {
		types[r.(map[string]any)["type"].(string)] = true
	}
	for _, want := range []string{"Patient", "Practitioner", "Organization", "Encounter", "Observation", "Appointment",
		"Group", "Condition", "Location", "Schedule", "Slot"} {
		if !types[want] {
			t.Errorf("CapabilityStatement lacks %s", want)
		}
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	c := testServer(t)
	c.do("GET", "/healthz").want(t, 200)
	c.do("GET", "/readyz").want(t, 200)
	c.create()
	m := c.do("GET", "/metrics").want(t, 200)
	if !strings.Contains(string(m.body), `fhir_requests_total{code="201",interaction="create",type="Patient"}`) {
		t.Errorf("metrics lack the create counter:\n%.2000s", m.body)
	}
	if !strings.Contains(string(m.body), "fhir_request_duration_seconds_bucket") {
		t.Error("metrics lack the latency histogram")
	}
}

func TestHeaderTenancyNeedsDevMode(t *testing.T) {
	db := storetest.Shared(t)
	h := server.New(server.Config{BaseURL: "http://x/fhir", DefaultTenant: "default", MaxBodyBytes: 1 << 20,
		DefaultCount: 10, MaxCount: 10, CursorKey: []byte("k"), Capability: []byte(`{}`),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, db.Store)
	s := httptest.NewServer(h)
	defer s.Close()
	c := &client{t: t, base: s.URL, tenant: "someone-else"}
	c.do("GET", "/fhir/Patient/x").want(t, 403).outcome(t)
}
