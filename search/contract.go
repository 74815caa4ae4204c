package search

import "time"

// Options are the server settings that shape parsing.
type Options struct {
	// Strict makes unknown or unsupported parameters an error
	// (Prefer: handling=strict); otherwise they are ignored and left out of
	// Query.Applied.
	Strict bool
	// DefaultCount and MaxCount bound _count.
	DefaultCount, MaxCount int
	// BaseURL is the server's own base (e.g. http://localhost:8080/fhir):
	// an absolute reference under it equals the relative one.
	BaseURL string
	// Now is the reference time of "ap" on dates and of relative limits.
	Now    time.Time
	Limits Limits
}

// Limits bound what one search may cost; exceeding one is a too-costly
// error naming the parameter, never a slow query.
type Limits struct {
	MaxParams     int // AND-ed parameters, _has and chains included
	MaxOrValues   int // values of one parameter
	MaxChainDepth int // links of one chain (subject:Patient.organization.name is 2)
	MaxHasDepth   int // nested _has
	MaxIncludes   int // included resources per page
	MaxSortKeys   int
	MaxValueBytes int // one value, after unescaping
	// MaxPageBytes bounds the stored resources of one page, matches and
	// includes (in a Query that Parse made it is never 0; the store reads
	// 0 as no bound). Matches past it are left to the next page,
	// so a page may hold fewer than Count (the first match always fits);
	// includes past it make the search too-costly.
	MaxPageBytes int
}

// DefaultLimits are the limits the server uses unless configured.
var DefaultLimits = Limits{MaxParams: 32, MaxOrValues: 100, MaxChainDepth: 3, MaxHasDepth: 3,
	MaxIncludes: 1000, MaxSortKeys: 4, MaxValueBytes: 1024, MaxPageBytes: 16 << 20}

// Statement is compiled SQL and its bind arguments. The statement returns
// rows of these columns, matches first in page order, then includes:
//
//	mode text ('match' or 'include'), type text, id text,
//	version_id int8, last_updated timestamptz, content jsonb, pk int8,
//	one column per sort key (the value the page is ordered by; NULL on
//	include rows and when the resource has no value), and, when
//	Query.Total is TotalAccurate, total int8 (the number of matches, on
//	every row).
//
// At most Query.Count match rows plus one are returned: the extra row only
// says that another page follows and is not part of the page (its includes
// are not returned either).
type Statement struct {
	SQL  string
	Args []any
	// SortKeys is the number of sort key columns.
	SortKeys int
	// HasTotal says the last column is total.
	HasTotal bool
	// Reversed says the match rows come out in reverse page order (a
	// Backward page): the caller reverses them.
	Reversed bool
	// GenericPlan says that the matches are found through the identity of
	// a resource (a reference to it, its _id or its compartment), whatever
	// the values: a generic plan, planned once per connection, is as good
	// as one planned for the values, so the caller may ask PostgreSQL for
	// it and save the planning of every execution.
	GenericPlan bool
}

// After is a keyset position: the page starts strictly after (or, when
// Backward, strictly before) the match with these sort key values and pk.
// Keys hold time.Time, string, float64 or nil, one per sort key.
type After struct {
	Keys     []any
	PK       int64
	Backward bool
}
