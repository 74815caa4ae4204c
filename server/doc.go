// Package server is the HTTP transport: gin routes, thin handlers, content
// negotiation, middleware, and the one table that turns a domain error into
// an HTTP status and an OperationOutcome.
//
// Invariant: handlers depend on fhir.Repository, never on the store; every
// response that is not a success is an OperationOutcome; no client input
// produces a 500.
package server
