package main

import (
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// httpLimits bound what one client connection may hold of the server: a
// client that sends its request slowly, or part of a declared body and
// then nothing, is cut off when its time is up, and at most MaxConnections
// connections are served at once (the others wait in the kernel's accept
// queue), so that stalled clients cannot use up the process's file
// descriptors.
type httpLimits struct {
	ReadHeader, Read, Write, Idle time.Duration
	MaxConnections                int
}

// server returns the HTTP server of h under the limits.
func (l httpLimits) server(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: l.ReadHeader, ReadTimeout: l.Read,
		WriteTimeout: l.Write, IdleTimeout: l.Idle}
}

// listener caps the connections ln accepts at once.
func (l httpLimits) listener(ln net.Listener) net.Listener {
	if l.MaxConnections <= 0 {
		return ln
	}
	return netutil.LimitListener(ln, l.MaxConnections)
}
