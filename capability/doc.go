// Package capability builds the server's CapabilityStatement from the
// registry and the server's real configuration.
//
// Invariant: the statement lists exactly what the server does: every
// interaction it names has a route and a handler, and nothing the server
// answers is left out.
package capability
