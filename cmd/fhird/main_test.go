package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestServeOnAFreshDatabase runs the binary the way operators do: on a
// database that does not exist yet, with sample data, then SIGTERM.
func TestServeOnAFreshDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dbName := freshDatabase(t)

	bin := filepath.Join(t.TempDir(), "fhird")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "FHIR_DEV=1", "FHIR_ADDR="+addr,
		"FHIR_DATABASE_URL=postgres://postgres@127.0.0.1:5432/"+dbName,
		"FHIR_SAMPLE_DATA=../../testdata/sample")
	logs := &syncBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := "http://" + addr
	waitReady(t, base, logs)

	resp := get(t, base+"/fhir/Patient/pat-1")
	if resp.StatusCode != 200 || !strings.Contains(resp.body, `"pat-1"`) {
		t.Fatalf("sample patient: %d %s", resp.StatusCode, resp.body)
	}
	if !strings.Contains(logs.String(), "DEVELOPMENT MODE") {
		t.Error("development mode was not logged")
	}

	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit 30 s after SIGTERM")
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Errorf("no shutdown log:\n%s", logs.String())
	}
}

func TestHelpListsSubcommandsAndSettings(t *testing.T) {
	var out bytes.Buffer
	usage(&out)
	for _, want := range []string{"serve", "migrate", "FHIR_DATABASE_URL", "FHIR_DEV", "FHIR_ADDR"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %s", want)
		}
	}
}

type got struct {
	StatusCode int
	body       string
}

func get(t *testing.T, url string) got {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return got{resp.StatusCode, string(b)}
}

func waitReady(t *testing.T, base string, logs *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("server not ready after 60 s:\n%s", logs.String())
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// syncBuffer collects the server's log while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
