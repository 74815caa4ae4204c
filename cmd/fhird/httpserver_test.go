package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// serveLimited serves a handler that reads the body and answers "ok"
// under l, on a loopback port; it returns the address.
func serveLimited(t *testing.T, l httpLimits) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := l.server(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write([]byte("ok"))
	}))
	go func() { _ = srv.Serve(l.listener(ln)) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// closedWithin reports whether the server closes conn within d, reading
// (and dropping) whatever it sends first.
func closedWithin(conn net.Conn, d time.Duration) bool {
	_ = conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// A client that stops part way through its headers or its declared body
// loses the connection when its time is up; it is not held forever.
func TestStalledClientsAreCutOff(t *testing.T) {
	addr := serveLimited(t, httpLimits{ReadHeader: 300 * time.Millisecond, Read: 700 * time.Millisecond, Write: 5 * time.Second, Idle: time.Second})
	headers := dial(t, addr)
	_, _ = headers.Write([]byte("GET /fhir/metadata HTTP/1.1\r\nHost: x\r\n"))
	body := dial(t, addr)
	_, _ = body.Write([]byte("POST /fhir/Patient HTTP/1.1\r\nHost: x\r\nContent-Type: application/fhir+json\r\nContent-Length: 100\r\n\r\n{\"resourc"))
	idle := dial(t, addr)
	_, _ = idle.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	if r, err := http.ReadResponse(bufio.NewReader(idle), nil); err != nil || r.StatusCode != 200 {
		t.Fatalf("a whole request: %v %v", r, err)
	}
	for name, conn := range map[string]net.Conn{"part of the headers": headers, "part of the body": body, "an idle keep-alive connection": idle} {
		if !closedWithin(conn, 5*time.Second) {
			t.Errorf("a client that sent %s still holds its connection after 5 s", name)
		}
	}
}

// At most MaxConnections are served at once; the next waits until one
// closes.
func TestConnectionsAreCapped(t *testing.T) {
	addr := serveLimited(t, httpLimits{ReadHeader: 5 * time.Second, Read: 5 * time.Second, Write: 5 * time.Second, Idle: 30 * time.Second, MaxConnections: 2})
	get := func(conn net.Conn, wait time.Duration) error {
		_ = conn.SetReadDeadline(time.Now().Add(wait))
		if _, err := conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
			return err
		}
		r, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err == nil {
			r.Body.Close()
		}
		return err
	}
	first, second, third := dial(t, addr), dial(t, addr), dial(t, addr)
	if err := get(first, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := get(second, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := get(third, 500*time.Millisecond); err == nil {
		t.Fatal("a third connection was served while two were open and the cap is 2")
	}
	first.Close()
	_ = third.SetReadDeadline(time.Now().Add(5 * time.Second))
	if r, err := http.ReadResponse(bufio.NewReader(third), nil); err != nil || r.StatusCode != 200 {
		t.Errorf("after one connection closed, the waiting one was not served: %v", err)
	}
}

// The defaults bound every phase of a connection.
func TestHTTPLimitsDefaults(t *testing.T) {
	for _, s := range settings {
		if strings.HasPrefix(s.name, "FHIR_") {
			if _, set := os.LookupEnv(s.name); set {
				t.Skipf("%s is set in the environment", s.name)
			}
		}
	}
	c, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	l := c.HTTP
	if l.ReadHeader <= 0 || l.Read <= 0 || l.Write <= 0 || l.Idle <= 0 || l.MaxConnections <= 0 {
		t.Errorf("an unbounded default: %+v", l)
	}
	if l.Write <= c.RequestTimeout {
		t.Errorf("the write timeout %v must outlast the request deadline %v, or slow answers are cut without an answer", l.Write, c.RequestTimeout)
	}
}
