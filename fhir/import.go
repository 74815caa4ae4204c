package fhir

// ImportResult says what became of a batch of resources given to a bulk
// import: how many were stored, how many were left alone because a
// resource of the same type and id exists already (a rerun), and which
// could not even be prepared for storage.
type ImportResult struct {
	// Loaded counts the resources stored as new resources (version 1).
	Loaded int
	// Skipped counts the resources whose type and id were present already,
	// or appeared earlier in the same batch; they were not written.
	Skipped int
	// Rejected lists the items refused before anything was written, by
	// their position in the batch; the other items were still loaded.
	Rejected []ImportRejection
}

// ImportRejection is one item of an import batch that was refused, and why.
type ImportRejection struct {
	Index int
	Err   error
}
