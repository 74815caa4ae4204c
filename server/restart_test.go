package server_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fhirbase-go/fhird/server"
	"github.com/fhirbase-go/fhird/store"
	"github.com/fhirbase-go/fhird/store/storetest"
)

// lockedBuffer is a log sink that goroutines share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A database restart under load, fast and immediate, answers 503 with
// Retry-After while the database is away, never 500; the server recovers
// by itself, and no acknowledged write is lost.
func TestDatabaseRestartUnderLoadNeverAnswers500(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster of its own")
	}
	cl := storetest.StartCluster(t)
	owner := cl.URL("fhir")
	ctx := context.Background()
	if err := store.Migrate(ctx, owner, storetest.AppRole); err != nil {
		t.Fatal(err)
	}
	app, _ := url.Parse(owner)
	app.User = url.User(storetest.AppRole)
	st, err := store.New(ctx, store.Config{URL: app.String(), MaxConns: 8, StatementTimeout: 5 * time.Second,
		AcquireTimeout: 2 * time.Second, BaseURL: storetest.BaseURL})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logs := &lockedBuffer{}
	c := ownServer(t, st, func(cfg *server.Config) {
		cfg.RequestTimeout = 10 * time.Second
		cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})

	const writers = 6
	acked := make([]atomic.Int64, writers) // the last counter each writer's PUT acknowledged
	var codes sync.Map                     // status -> *atomic.Int64
	count := func(code int) {
		v, _ := codes.LoadOrStore(code, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
	var noRetryAfter atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range writers {
		id := fmt.Sprintf("w%d", w)
		c.do("PUT", "/fhir/Patient/"+id, `{"resourceType":"Patient","id":"`+id+`","name":[{"family":"n0"}]}`).want(t, 201)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := int64(1); ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				var method, path, body string
				switch n % 3 {
				case 0:
					method, path = "GET", "/fhir/Patient/"+id
				case 1:
					method, path = "GET", "/fhir/Patient?name=n&_count=5"
				default:
					method, path = "PUT", "/fhir/Patient/"+id
					body = fmt.Sprintf(`{"resourceType":"Patient","id":%q,"name":[{"family":"n%d"}]}`, id, n)
				}
				req, err := c.request(method, path, body)
				if err != nil {
					t.Error(err)
					return
				}
				resp, _, err := send(req)
				if err != nil {
					count(-1)
					continue
				}
				count(resp.StatusCode)
				if resp.StatusCode == 503 && resp.Header.Get("Retry-After") == "" {
					noRetryAfter.Add(1)
				}
				if method == "PUT" && resp.StatusCode == 200 {
					acked[w].Store(n)
				}
				if resp.StatusCode >= 500 {
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	cl.Restart(t, "fast")
	time.Sleep(time.Second)
	cl.Restart(t, "immediate")
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()

	summary := map[int]int64{}
	codes.Range(func(k, v any) bool { summary[k.(int)] = v.(*atomic.Int64).Load(); return true })
	t.Logf("statuses across a fast and an immediate restart: %v (-1: no response)", summary)
	if summary[500] > 0 || summary[-1] > 0 {
		var causes []string
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, "internal error") && len(causes) < 5 {
				causes = append(causes, line)
			}
		}
		t.Errorf("%d answers 500 and %d requests without an answer; causes:\n%s", summary[500], summary[-1], strings.Join(causes, "\n"))
	}
	if summary[200] == 0 {
		t.Error("no request succeeded")
	}
	if n := noRetryAfter.Load(); n > 0 {
		t.Errorf("%d answers 503 without Retry-After", n)
	}

	// Recovered: every writer's resource reads back, at least as new as the
	// last write acknowledged.
	for w := range writers {
		id := fmt.Sprintf("w%d", w)
		var r *response
		for range 50 {
			if r = c.do("GET", "/fhir/Patient/"+id); r.StatusCode == 200 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		r.want(t, 200)
		family := r.json(t)["name"].([]any)[0].(map[string]any)["family"].(string)
		var got int64
		fmt.Sscanf(family, "n%d", &got)
		if got < acked[w].Load() {
			t.Errorf("%s holds write %d, but write %d was acknowledged", id, got, acked[w].Load())
		}
	}
}
