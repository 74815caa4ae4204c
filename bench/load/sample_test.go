package load

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeFHIR answers the sampling searches from a dataset of n patients,
// one born each day from 1925 on, and records the queries' paths.
func fakeFHIR(t *testing.T, n int) (*api, *[]string) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.Path+"?"+r.URL.RawQuery)
		mu.Unlock()
		q := r.URL.Query()
		var entries []string
		switch {
		case r.URL.Path == "/Patient" && q.Get("birthdate") != "":
			var y, m, d int
			fmt.Sscanf(q.Get("birthdate"), "%d-%d-%d", &y, &m, &d)
			if i := (y-1925)*365 + (m-1)*30 + d; i < n {
				entries = append(entries, fmt.Sprintf(`{"resource":{"resourceType":"Patient","id":"p%d","identifier":[{"system":"urn:mrn","value":"%d"}],"name":[{"family":"Family%d"}]}}`, i, i, i))
			}
		case r.URL.Path == "/Encounter":
			entries = append(entries, `{"resource":{"resourceType":"Encounter","subject":{"reference":"`+q.Get("subject")+`"}}}`)
		case r.URL.Path == "/Observation":
			entries = append(entries, `{"resource":{"resourceType":"Observation","subject":{"reference":"`+q.Get("subject")+`"},"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"effectiveDateTime":"2024-05-01T10:00:00Z"}}`)
		case r.URL.Path == "/Appointment":
			entries = append(entries, `{"resource":{"resourceType":"Appointment","start":"2025-01-02T09:00:00Z","participant":[{"actor":{"reference":"`+q.Get("patient")+`"}}]}}`)
		}
		fmt.Fprintf(w, `{"resourceType":"Bundle","type":"searchset","entry":[%s]}`, strings.Join(entries, ","))
	}))
	t.Cleanup(srv.Close)
	return &api{base: srv.URL, http: srv.Client()}, &seen
}

func TestSampleSpreadsOverTheDataset(t *testing.T) {
	a, seen := fakeFHIR(t, 100*365)
	p, err := Sample(context.Background(), a, 200)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Patients) != 200 {
		t.Fatalf("%d patients sampled, want 200", len(p.Patients))
	}
	late := 0
	for _, id := range p.Patients {
		var i int
		fmt.Sscanf(id, "p%d", &i)
		if i > 50*365 {
			late++
		}
	}
	if late < 60 || late > 140 {
		t.Errorf("%d of 200 patients from the second half of the dataset: not spread", late)
	}
	if len(p.Observations) == 0 || len(p.Appointments) == 0 || len(p.Encountered) == 0 {
		t.Errorf("per-patient pools empty: %v", p.Sizes())
	}
	for _, s := range *seen {
		if strings.HasPrefix(s, "/Observation?") && !strings.Contains(s, "subject=Patient") {
			t.Errorf("observations sampled without a patient: %s", s)
		}
	}
}

func TestSampleFallsBackToFirstPages(t *testing.T) {
	a, seen := fakeFHIR(t, 0) // no patient has a birth date
	if _, err := Sample(context.Background(), a, 50); err != nil {
		t.Fatal(err)
	}
	first := false
	for _, s := range *seen {
		first = first || strings.HasPrefix(s, "/Patient?_count=50")
	}
	if !first {
		t.Error("no first-page sampling after birth dates found nothing")
	}
}
