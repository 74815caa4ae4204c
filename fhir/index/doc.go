// Package index extracts the search-parameter values of a resource into
// index rows, and defines the hashes and normalized forms those rows hold.
// The rows live in tables searched only with btree equality and range
// comparisons (the only ones PostgreSQL can use under row-level security),
// so every search form is precomputed here: the search compiler calls the
// same exported functions on query values and compares with "=", "<", ">".
//
// # Hashes
//
// Every hash is the first 8 bytes, big-endian, of the SHA-256 digest of a
// list of fields, each encoded as uvarint(len) followed by its bytes; the
// first field is a domain tag, so the encoding is injective and hashes of
// different kinds never share an input (see contract.go for the exact lists).
//
//   - ParamHash(code) identifies the parameter of a String, Ref, Date or
//     plain Number row. A modifier variant is the code with the modifier:
//     ParamHash("code:text").
//   - Token values emit, in Rows.Tokens, one hash per search form:
//     TokenAny(code, c) for "c"; TokenSystemCode(code, s, c) for "s|c" and
//     TokenSystem(code, s) for "s|" when the value has a system;
//     TokenNoSystem(code, c) for "|c" when it has none. Codes keep their
//     case (token matching is case-sensitive). A Coding is (system, code),
//     a CodeableConcept each of its codings, an Identifier (system, value),
//     a ContactPoint (no system, value) as the specification defines (use
//     the email and phone parameters to select by system), a boolean
//     "true"/"false", a code, id, string or uri (no system, value).
//   - Display texts (CodeableConcept.text, Coding.display,
//     Identifier.type.text) are Strings under ParamHash("<code>:text").
//   - An Identifier with a type emits TokenOfType(code, type system, type
//     code, value) per type coding, for ":of-type".
//   - The identifier of a Reference is tokenized like an Identifier under
//     the parameter "<code>:identifier", e.g. TokenAny("subject:identifier",
//     v), for ":identifier".
//   - Present(code) is emitted by every parameter that yields at least one
//     row, for ":missing".
//   - Quantities emit one Number per unit form with Hash QuantityHash(code,
//     system, unit): (system, code), ("", code), ("", unit) when the unit
//     text differs from the code, and ("", "") for a query without unit.
//   - Composites (a token and a token, quantity, date or string) combine
//     each form of the token with each value of the second component on the
//     same item: CompositeTokenToken, CompositeTokenQuantity (with each unit
//     form), CompositeTokenDate and CompositeTokenString give the Hash.
//   - Parameters derived from others have no rows at all (see Shape): a
//     union of other parameters (Observation combo-code) and a composite
//     on the resource itself whose components are their parameters
//     (Observation code-value-quantity). The compiler reads the rows of
//     the parameters they are made of.
//
// # Strings
//
// String.Norm is Normalize(value): lower-cased, accents folded (Latin,
// Greek and Cyrillic letters to base letters, final sigma to sigma,
// combining marks dropped), punctuation dropped, white space collapsed
// and trimmed. String.Exact is
// Exact(value): the value itself, with invalid UTF-8 replaced and NUL
// dropped. Both are capped at MaxStringBytes (1024) bytes on a rune
// boundary so btree entries stay small; queries must be cut the same way.
// HumanName parts (family, given, prefix, suffix, text) and Address parts
// (line, city, district, state, postalCode, country, text) are separate
// values. A uri parameter stores the uri as is in both Norm and Exact.
//
// # References
//
// "Type/id" and "Type/id/_history/n" give Ref{Type, id}. An absolute URL or
// a urn (urn:uuid:, urn:oid:) gives Ref{"", URL}, a trailing
// "/_history/n" dropped; ExtractUnder gives a URL under the server's own
// base as the relative reference it is (Ref{Type, id}). A
// canonical (a uri-typed reference) gives Ref{"", uri}. Contained ("#id")
// references give no Ref but the parameter's Present token (they are a
// value, for :missing); relative references that name no type are skipped.
//
// # Dates and numbers
//
// DateRange gives the closed range [Lo, Hi] of a date, dateTime or instant
// from its precision, in UTC, microsecond precision; no time zone means
// UTC, the server's zone. A Period is [start.Lo, end.Hi] with missing ends
// at MinTime (0001-01-01T00:00:00Z) and MaxTime
// (9999-12-31T23:59:59.999999Z); a Timing gives each event and its
// repeat.boundsPeriod. Numbers are float64; a quantity's comparator is
// ignored. Range, Ratio and SampledData values are not indexed.
//
// Invariant: Extract never panics and never modifies the resource; its
// rows are sorted and deduplicated, so two extractions of equal resources
// are equal and an update can diff them; and every hash and normal form it
// stores is computed only by the exported functions of this package, which
// the search compiler reuses.
package index
