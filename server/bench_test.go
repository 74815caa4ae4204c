package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkRead measures read-by-id through the full HTTP stack (client,
// gin, tenant, store, PostgreSQL under RLS) on the real database.
func BenchmarkRead(b *testing.B) {
	c := testServer(b)
	id := c.create()
	req, _ := http.NewRequest("GET", c.base+"/fhir/Patient/"+id, nil)
	req.Header.Set("X-Tenant-ID", c.tenant)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("read: %v %v", err, resp)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// BenchmarkCreate measures create (parse, validate, extract, insert with
// history and index rows) through the full HTTP stack.
func BenchmarkCreate(b *testing.B) {
	c := testServer(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("POST", c.base+"/fhir/Patient", strings.NewReader(patientJSON))
		req.Header.Set("X-Tenant-ID", c.tenant)
		req.Header.Set("Content-Type", "application/fhir+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 201 {
			b.Fatalf("create: %v %v", err, resp)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// BenchmarkReadParallel measures read-by-id with concurrent clients.
func BenchmarkReadParallel(b *testing.B) {
	c := testServer(b)
	id := c.create()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", c.base+"/fhir/Patient/"+id, nil)
			req.Header.Set("X-Tenant-ID", c.tenant)
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != 200 {
				b.Errorf("read: %v %v", err, resp)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}
