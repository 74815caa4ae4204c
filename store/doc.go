// Package store implements fhir.Repository on PostgreSQL through pgx.
//
// Invariants: it is the only package that imports pgx; every interaction
// runs in one database transaction opened by Store.tx, which sets the tenant
// transaction-locally in the same round trip as the first statement, so
// row-level security confines every statement to that tenant; every value
// reaches SQL as a bind parameter and every identifier comes from the
// registry.
package store
