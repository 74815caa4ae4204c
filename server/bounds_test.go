package server_test

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fhirbase-go/fhird/server"
	"github.com/fhirbase-go/fhird/store/storetest"
)

// bigBytes is the size of a big patient's photo: resources of megabytes
// exist (attachments, large documents), within the body limit.
const bigBytes = 1 << 20

// boundedServer serves the shared database with responses bounded to
// maxBytes, and bodies up to twice a big patient.
func boundedServer(t *testing.T, maxBytes int) *client {
	t.Helper()
	db := storetest.Shared(t)
	return ownServer(t, db.Store, func(c *server.Config) {
		c.MaxBodyBytes = 2 * bigBytes
		c.MaxResponseBytes = maxBytes
		c.SearchLimits.MaxPageBytes = maxBytes
		c.MaxBundleEntries = 300
		c.MaxCount = 1000
	})
}

// putBig stores a patient of about bigBytes as id, through the store so
// that the test does not spend its time validating megabytes.
func putBig(t *testing.T, c *client, id string, version int) {
	t.Helper()
	photo := strings.Repeat("QUJD", bigBytes/4)
	body := fmt.Sprintf(`{"resourceType":"Patient","id":%q,"gender":"other","birthDate":"1970-01-%02d",
		"name":[{"family":"Big%d"}],"photo":[{"contentType":"image/png","data":%q}]}`, id, 1+version%28, version, photo)
	c.do("PUT", "/fhir/Patient/"+id, body).want(t, map[bool]int{true: 201, false: 200}[version == 0])
}

// heapPeak samples the heap while fn runs and returns its growth over the
// heap before fn.
func heapPeak(fn func()) uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	if peak.Load() < base {
		return 0
	}
	return peak.Load() - base
}

// A batch of reads of one big resource would build a response of
// hundreds of megabytes; the entries past the response limit answer
// too-costly instead, and the server's memory stays near the limit.
func TestBatchResponseIsBounded(t *testing.T) {
	const limit = 4 << 20
	c := boundedServer(t, limit)
	putBig(t, c, "big", 0)
	entries := make([]string, 300)
	for i := range entries {
		entries[i] = `{"request":{"method":"GET","url":"Patient/big"}}`
	}
	batch := `{"resourceType":"Bundle","type":"batch","entry":[` + strings.Join(entries, ",") + `]}`
	var r *response
	grew := heapPeak(func() { r = c.do("POST", "/fhir", batch).want(t, 200) })
	if len(r.body) > limit+bigBytes+(1<<20) {
		t.Errorf("a response of %d bytes; the limit is %d (one resource may pass it)", len(r.body), limit)
	}
	var b struct {
		Entry []struct {
			Resource json.RawMessage
			Response struct {
				Status  string
				Outcome struct {
					Issue []struct{ Code, Diagnostics string }
				}
			}
		}
	}
	if err := json.Unmarshal(r.body, &b); err != nil {
		t.Fatal(err)
	}
	served, refused := 0, 0
	for i, e := range b.Entry {
		switch {
		case strings.HasPrefix(e.Response.Status, "200") && len(e.Resource) > 0:
			served++
		case strings.HasPrefix(e.Response.Status, "400") && len(e.Response.Outcome.Issue) > 0 && e.Response.Outcome.Issue[0].Code == "too-costly":
			refused++
		default:
			t.Fatalf("entry %d: %s %+v", i, e.Response.Status, e.Response.Outcome)
		}
	}
	if served < 1 || served > limit/bigBytes+1 || served+refused != len(entries) {
		t.Errorf("%d entries served and %d refused of %d; want the first ones served up to %d bytes", served, refused, len(entries), limit)
	}
	t.Logf("heap growth during the batch: %d MB", grew>>20)
	if grew > 120<<20 {
		t.Errorf("the server's heap grew by %d MB for one batch; the response limit is %d MB", grew>>20, limit>>20)
	}
}

// A search page of big resources holds fewer than _count, and its next
// link leads on: every match is served exactly once.
func TestSearchPageIsBoundedInBytes(t *testing.T) {
	const limit = 3 << 20
	c := boundedServer(t, limit)
	for i := range 6 {
		putBig(t, c, fmt.Sprintf("big%d", i), 0)
	}
	seen := map[string]int{}
	next := "/fhir/Patient?gender=other&_count=100"
	for pages := 0; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("more than 10 pages for 6 patients")
		}
		r := c.do("GET", next).want(t, 200)
		if len(r.body) > limit+bigBytes+(64<<10) {
			t.Errorf("a page of %d bytes; the limit is %d", len(r.body), limit)
		}
		var b struct {
			Link  []struct{ Relation, URL string }
			Entry []struct{ Resource struct{ ID string } }
		}
		if err := json.Unmarshal(r.body, &b); err != nil {
			t.Fatal(err)
		}
		for _, e := range b.Entry {
			seen[e.Resource.ID]++
		}
		next = ""
		for _, l := range b.Link {
			if l.Relation == "next" {
				next = strings.TrimPrefix(l.URL, "http://fhir.test")
			}
		}
		if next != "" && len(b.Entry) == 0 {
			t.Fatal("an empty page with a next link")
		}
	}
	for i := range 6 {
		if id := fmt.Sprintf("big%d", i); seen[id] != 1 {
			t.Errorf("%s served %d times over the pages, want once", id, seen[id])
		}
	}
}

// Included resources past the limit make the search too-costly: a page
// whose includes are cut would be wrong.
func TestIncludesPastTheLimitAreTooCostly(t *testing.T) {
	c := boundedServer(t, 3<<20)
	for i := range 4 {
		id := fmt.Sprintf("big%d", i)
		putBig(t, c, id, 0)
		c.do("POST", "/fhir/Observation", `{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/`+id+`"}}`).want(t, 201)
	}
	r := c.do("GET", "/fhir/Observation?_include=Observation:subject").want(t, 400)
	if is := r.outcome(t); is[0]["code"] != "too-costly" {
		t.Errorf("issue %v, want too-costly", is[0])
	}
	c.do("GET", "/fhir/Observation?_include=Observation:subject&_count=2").want(t, 200)
}

// A history page of big versions is bounded like a search page.
func TestHistoryPageIsBoundedInBytes(t *testing.T) {
	const limit = 3 << 20
	c := boundedServer(t, limit)
	for v := range 5 {
		putBig(t, c, "big", v)
	}
	versions := map[string]int{}
	next := "/fhir/Patient/big/_history?_count=50"
	for pages := 0; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("more than 10 pages for 5 versions")
		}
		r := c.do("GET", next).want(t, 200)
		if len(r.body) > limit+bigBytes+(64<<10) {
			t.Errorf("a history page of %d bytes; the limit is %d", len(r.body), limit)
		}
		var b struct {
			Link  []struct{ Relation, URL string }
			Entry []struct {
				Resource struct{ Meta struct{ VersionID string } }
			}
		}
		if err := json.Unmarshal(r.body, &b); err != nil {
			t.Fatal(err)
		}
		for _, e := range b.Entry {
			versions[e.Resource.Meta.VersionID]++
		}
		next = ""
		for _, l := range b.Link {
			if l.Relation == "next" {
				next = strings.TrimPrefix(l.URL, "http://fhir.test")
			}
		}
	}
	if len(versions) != 5 {
		t.Errorf("versions served: %v, want 1 to 5 once each", versions)
	}
}
