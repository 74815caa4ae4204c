package fhir

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Repository is what the HTTP layer needs from storage. Every method runs in
// one database transaction under the tenant carried by ctx.
//
// Writes take a resource that is already parsed and validated, as the
// generic JSON tree encoding/json produces with UseNumber (objects are
// map[string]any, numbers json.Number). The repository sets id and meta.
type Repository interface {
	// Create stores a new resource under id, or under a server-assigned id
	// when id is "" (a resource of that id existing already is a
	// KindConflict).
	Create(ctx context.Context, typ, id string, res map[string]any) (*Resource, error)
	// Update stores a new version of typ/id, creating it when it does not
	// exist (update as create). ifMatch > 0 requires the current version to
	// be ifMatch, else the error is KindPrecondition. created reports an
	// update-as-create.
	Update(ctx context.Context, typ, id string, res map[string]any, ifMatch int64) (r *Resource, created bool, err error)
	// Delete records a deletion version. Deleting a missing or already
	// deleted resource is not an error: r is nil then.
	Delete(ctx context.Context, typ, id string, ifMatch int64) (r *Resource, err error)
	// Read returns the current version. A deleted resource is returned with
	// Deleted set together with a KindGone error.
	Read(ctx context.Context, typ, id string) (*Resource, error)
	// VRead returns one version; a deletion version comes back with Deleted
	// set together with a KindGone error.
	VRead(ctx context.Context, typ, id string, version int64) (*Resource, error)
	// History lists versions newest first, one page at a time.
	History(ctx context.Context, q HistoryQuery) (*HistoryPage, error)
	// Ready reports whether the database is reachable and migrated.
	Ready(ctx context.Context) error
}

// NoVersion is an If-Match version that no resource ever has: a client's
// tag that names no version this server could have issued (W/"abc") is
// carried as NoVersion, so the precondition fails like that of a stale
// version (412) instead of being refused as malformed.
const NoVersion int64 = math.MaxInt64

// StaleVersion is the failed precondition of a write whose If-Match names
// version v, which is not the current version of typ/id.
func StaleVersion(typ, id string, v int64) error {
	if v == NoVersion {
		return Errorf(KindPrecondition, IssueConflict, "the If-Match tag names no version of %s/%s", typ, id)
	}
	return Errorf(KindPrecondition, IssueConflict, "version %d is not the current version of %s/%s", v, typ, id)
}

// NewResource is one resource to create under a chosen id.
type NewResource struct {
	Type string
	ID   string
	Res  map[string]any
}

// Write is one write of a bulk write (the writes of a transaction Bundle).
// Method POST creates Type/ID, which must not exist; PUT stores a new
// version or creates the resource; PATCH stores a new version that a patch
// produced (history records it as PATCH). IfMatch > 0 requires the current
// version to be IfMatch (PUT and PATCH).
type Write struct {
	Method  string
	Type    string
	ID      string
	Res     map[string]any
	IfMatch int64
}

// Written is what one Write stored; Created reports that it created the
// resource.
type Written struct {
	*Resource
	Created bool
}

// ItemError is the failure of the item at Index of a bulk write.
type ItemError struct {
	Index int
	Err   error
}

func (e *ItemError) Error() string { return fmt.Sprintf("item %d: %v", e.Index, e.Err) }
func (e *ItemError) Unwrap() error { return e.Err }

// HistoryQuery selects the versions of one instance (Type and ID set), of
// one type (Type set) or of the whole system (neither set).
type HistoryQuery struct {
	Type  string
	ID    string
	Since time.Time // only versions updated at or after Since (zero: no bound)
	At    time.Time // only versions current at At (zero: no bound)
	Count int       // page size, > 0
	After *HistoryKey
	// MaxBytes bounds the stored resources of the page (0: no bound): the
	// versions past it are left to the next page; the first always fits.
	MaxBytes int
}

// HistoryKey is the position of a version in the newest-first order that
// history pages follow. Pages continue strictly after it.
type HistoryKey struct {
	LastUpdated time.Time
	Type        string
	ID          string
	VersionID   int64
}

// HistoryPage is one page of versions and, when more follow, the key of the
// last one.
type HistoryPage struct {
	Entries []*Resource
	Next    *HistoryKey
}
