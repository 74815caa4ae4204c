package load

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// TenantHeader selects the tenant on a development-mode fhird.
const TenantHeader = "X-Tenant-ID"

// api is a minimal FHIR client for sampling: GET a path relative to the
// base and decode the JSON answer.
type api struct {
	base   string
	tenant string
	http   *http.Client
}

// headers are the headers of every request the driver sends; POSTs add
// Content-Type.
func (a *api) headers(post bool) http.Header {
	h := http.Header{"Accept": {"application/fhir+json"}}
	if a.tenant != "" {
		h.Set(TenantHeader, a.tenant)
	}
	if post {
		h.Set("Content-Type", "application/fhir+json")
	}
	return h
}

// get fetches base/path and decodes its JSON body into v; any status but
// 200 is an error that quotes the start of the body.
func (a *api) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/"+path, nil)
	if err != nil {
		return err
	}
	req.Header = a.headers(false)
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d: %.200s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

// searchset is the part of a searchset Bundle sampling reads.
type searchset[T any] struct {
	Entry []struct {
		Resource T `json:"resource"`
	} `json:"entry"`
}

// searchPage fetches one page of a search and returns its resources.
func searchPage[T any](ctx context.Context, a *api, path string) ([]T, error) {
	var b searchset[T]
	if err := a.get(ctx, path, &b); err != nil {
		return nil, err
	}
	out := make([]T, 0, len(b.Entry))
	for _, e := range b.Entry {
		out = append(out, e.Resource)
	}
	return out, nil
}

// patientID returns the id of a reference to a Patient, relative
// ("Patient/1") or absolute (".../Patient/1"), or "" for anything else.
func patientID(ref string) string {
	i := strings.LastIndex(ref, "Patient/")
	if i < 0 || (i > 0 && ref[i-1] != '/') {
		return ""
	}
	id := ref[i+len("Patient/"):]
	if id == "" || strings.ContainsAny(id, "/?#") {
		return ""
	}
	return id
}
