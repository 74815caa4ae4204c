package server_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// raceWriters concurrent requests race in each of these tests.
const raceWriters = 20

// raceStatuses sends the requests req(i) for i in [0, n) at once and
// returns their statuses and bodies.
func raceStatuses(t *testing.T, c *client, n int, req func(i int) (method, path, body string, headers []string)) ([]int, []string) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	codes, bodies := make([]int, n), make([]string, n)
	for i := range n {
		method, path, body, headers := req(i)
		r, err := c.request(method, path, body, headers...)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, b, err := send(r)
			if err != nil {
				bodies[i] = err.Error()
				return
			}
			codes[i], bodies[i] = resp.StatusCode, string(b)
		}()
	}
	close(start)
	wg.Wait()
	return codes, bodies
}

// countCreated returns how many statuses are 201, and fails the test for
// any that is neither 201 nor 200.
func countCreated(t *testing.T, codes []int, bodies []string) int {
	t.Helper()
	created := 0
	for i, code := range codes {
		switch code {
		case http.StatusCreated:
			created++
		case http.StatusOK:
		default:
			t.Errorf("request %d: status %d: %s", i, code, bodies[i])
		}
	}
	return created
}

// allStatus fails the test unless every status is code.
func allStatus(t *testing.T, codes []int, bodies []string, code int) {
	t.Helper()
	for i, got := range codes {
		if got != code {
			t.Errorf("request %d: status %d, want %d: %s", i, got, code, bodies[i])
		}
	}
}

const jsonPatchType = "Content-Type: application/json-patch+json"

// givens returns the given names of the stored patient.
func givens(t *testing.T, c *client, id string) []any {
	t.Helper()
	m := c.do("GET", "/fhir/Patient/"+id).want(t, 200).json(t)
	return m["name"].([]any)[0].(map[string]any)["given"].([]any)
}

// A PATCH without If-Match applies to the current version, whatever
// other writers do: none of them may answer 412, and no patch is lost.
func TestConcurrentPatchesWithoutIfMatchAllApply(t *testing.T) {
	c := testServer(t)
	id := c.create()
	codes, bodies := raceStatuses(t, c, raceWriters, func(i int) (string, string, string, []string) {
		return "PATCH", "/fhir/Patient/" + id, fmt.Sprintf(`[{"op":"add","path":"/name/0/given/-","value":"G%02d"}]`, i), []string{jsonPatchType}
	})
	allStatus(t, codes, bodies, 200)
	if g := givens(t, c, id); len(g) != 2+raceWriters {
		t.Errorf("%d given names after %d patches that each add one to 2, want %d: %v", len(g), raceWriters, 2+raceWriters, g)
	}
}

func TestConcurrentTransactionPatchEntriesAllApply(t *testing.T) {
	c := testServer(t)
	id := c.create()
	codes, bodies := raceStatuses(t, c, raceWriters, func(i int) (string, string, string, []string) {
		doc := base64.StdEncoding.EncodeToString(fmt.Appendf(nil, `[{"op":"add","path":"/name/0/given/-","value":"G%02d"}]`, i))
		return "POST", "/fhir", `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Binary",
			"contentType":"application/json-patch+json","data":"` + doc + `"},"request":{"method":"PATCH","url":"Patient/` + id + `"}}]}`, nil
	})
	allStatus(t, codes, bodies, 200)
	if g := givens(t, c, id); len(g) != 2+raceWriters {
		t.Errorf("%d given names after %d patch entries that each add one to 2, want %d", len(g), raceWriters, 2+raceWriters)
	}
}

// A conditional update without If-Match updates the match's current
// version, even while plain updates of it race.
func TestConditionalUpdatesRacingUpdatesNeverAnswer412(t *testing.T) {
	c := testServer(t)
	id := c.create()
	// Each body differs, so that every update makes a version (an update
	// that changes nothing makes none).
	body := func(i int) string {
		return strings.Replace(patientJSON, `{"resourceType":"Patient",`, fmt.Sprintf(`{"resourceType":"Patient","id":"%s","telecom":[{"system":"phone","value":"555-%d"}],`, id, i), 1)
	}
	codes, bodies := raceStatuses(t, c, raceWriters, func(i int) (string, string, string, []string) {
		if i%2 == 0 {
			return "PUT", "/fhir/Patient?identifier=http://clinic.example.org/mrn|000123", body(i), nil
		}
		return "PUT", "/fhir/Patient/" + id, body(i), nil
	})
	allStatus(t, codes, bodies, 200)
	m := c.do("GET", "/fhir/Patient/"+id).want(t, 200).json(t)
	if v := m["meta"].(map[string]any)["versionId"]; v != fmt.Sprint(1+raceWriters) {
		t.Errorf("version %v after %d updates of version 1", v, raceWriters)
	}
}

// Racing updates of a deleted resource create it once: one 201, the rest
// 200.
func TestConcurrentUpdatesAfterDeleteCreateOnce(t *testing.T) {
	c := testServer(t)
	id := c.create()
	c.do("DELETE", "/fhir/Patient/"+id).want(t, 204)
	body := strings.Replace(patientJSON, `{"resourceType":"Patient",`, `{"resourceType":"Patient","id":"`+id+`",`, 1)
	codes, bodies := raceStatuses(t, c, raceWriters, func(int) (string, string, string, []string) {
		return "PUT", "/fhir/Patient/" + id, body, nil
	})
	if created := countCreated(t, codes, bodies); created != 1 {
		t.Errorf("%d of %d racing updates of a deleted resource answered 201, want 1", created, raceWriters)
	}
}

// Conditional creates whose conditions differ only in spelling (result
// parameters, a repeated value, the order of values and parameters) are
// one condition: exactly one of them may create.
func TestConcurrentConditionalCreatesSpelledDifferently(t *testing.T) {
	conds := []string{
		"identifier=urn:x|42",
		"identifier=urn:x|42&_count=1",
		"identifier=urn:x|42,urn:x|42",
		"identifier=urn:x|42&_total=none",
		"identifier=urn:x|42&_summary=true",
		"identifier=urn:x|42&_elements=id",
		"identifier=urn:x|42&_sort=_id",
		"identifier=urn:x|42&identifier=urn:x|42",
		"_count=5&identifier=urn:x%7C42",
	}
	body := `{"resourceType":"Patient","identifier":[{"system":"urn:x","value":"42"}]}`
	for round := range 3 {
		c := testServer(t) // a tenant of its own each round
		codes, bodies := raceStatuses(t, c, 2*len(conds), func(i int) (string, string, string, []string) {
			return "POST", "/fhir/Patient", body, []string{"If-None-Exist: " + conds[i%len(conds)]}
		})
		if created := countCreated(t, codes, bodies); created != 1 {
			t.Errorf("round %d: %d conditional creates of one condition spelled %d ways created, want 1", round, created, len(conds))
		}
	}
}
