// Package fhir is the domain vocabulary of the server: the resource
// envelope, the error type every layer returns, the tenant carried in the
// context, the Repository interface the HTTP layer depends on, and the
// registry of resource types and search parameters generated from the
// published R4 definitions.
//
// Invariant: this package imports only the standard library, so every other
// package can depend on it without pulling in a technology.
package fhir
