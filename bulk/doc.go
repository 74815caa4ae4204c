// Package bulk is the NDJSON import engine of fhird import, and later of
// the Bulk Data $import and $export operations.
//
// Import reads NDJSON files, validates each line in parallel, groups the
// resources into batches and hands each batch to a Loader (the store),
// which writes it in one transaction. A line that cannot be stored is
// reported with its file and line number and counted; it never stops the
// load. A batch is written whole or not at all, so an interrupted import
// leaves only whole batches behind, and since the store skips resources
// that exist already, running the same import again is safe: it loads
// what is missing and counts the rest as skipped. The database is the
// checkpoint: a rerun asks it (Lister) which ids of each chunk of lines
// are stored and skips those without validating them, until a stretch of
// a file holds none; every line is still read.
//
// Invariant: the package knows nothing of the database; it depends on the
// Loader interface only, and every line it reads ends up counted exactly
// once, as loaded, skipped or bad, unless the import stops on a fatal
// error (the context cancelled, the database unreachable).
package bulk
