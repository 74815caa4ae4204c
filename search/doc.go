// Package search compiles FHIR search requests into SQL.
//
// The pipeline is url.Values → Parse → Query (the AST) → Compile →
// Statement{SQL, Args}. Identifiers (table names, parameter hashes' inputs)
// come only from the registry in package fhir; every value reaches SQL as a
// bind parameter through the builder, which owns $n numbering.
//
// Invariant: no I/O. The package imports neither net/http, gin nor pgx; a
// test fails if it does. The store runs what it produces inside the
// tenant's transaction.
package search
