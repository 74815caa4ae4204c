// Package load is the load driver of the benchmark kit (fhird bench): it
// samples real ids and values from a running FHIR server through its API,
// runs named scenarios against it for a fixed duration at a fixed
// concurrency (closed loop) or rate (open loop) with vegeta, and reports
// throughput, latency percentiles, errors by status and the server's memory
// and CPU. For this server it also measures a floor: the same SQL the server
// runs for a read scenario, executed in a loop straight through the store,
// so the report shows the server's overhead over the database as a ratio.
//
// Invariants: every request a scenario sends is built from values sampled
// from the server, so it addresses rows that exist; a scenario whose pool is
// empty is skipped with a reason, never run against made-up values; the
// package does not import pgx (the floor reaches the database through the
// Floor interface, which *store.Store satisfies); percentiles are computed
// here, by nearest rank on every recorded latency (see Percentile).
package load
