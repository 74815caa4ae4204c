// Package gen generates seeded synthetic clinical data as FHIR R4 JSON for
// the benchmark kit: organizations, practitioners and their schedules shared
// by all patients, then per patient the Patient, its encounters,
// observations, conditions, and appointments with the slots they book.
//
// Invariant: the output is a pure function of the Config. Patient i is drawn
// from its own random stream seeded by (Seed, i), ids are hashes of (Seed,
// kind, index), and all times are offsets from Config.Ref, so neither the
// clock nor the number of workers changes a byte. Every reference names a
// resource of the same output, and every resource passes the server's
// validator. Streaming holds a bounded number of patients in memory,
// whatever the patient count.
package gen
