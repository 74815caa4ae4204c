package fhir

import (
	"strconv"
	"time"
)

// Resource is the envelope of one stored version of a resource.
type Resource struct {
	Type        string
	ID          string
	VersionID   int64
	LastUpdated time.Time
	Deleted     bool
	// Method is the interaction that produced this version: POST, PUT,
	// PATCH or DELETE. It fills Bundle.entry.request in history.
	Method string
	// JSON is the resource as stored, id and meta included. It is nil for a
	// deletion.
	JSON []byte
}

// ETag returns the weak entity tag of the version, W/"n".
func (r *Resource) ETag() string {
	return `W/"` + strconv.FormatInt(r.VersionID, 10) + `"`
}

// Instant formats t as a FHIR instant in UTC with microsecond precision,
// the precision PostgreSQL stores.
func Instant(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}

// CloneTree deep-copies a generic JSON tree (objects as map[string]any,
// arrays as []any); the leaves are shared, being immutable.
func CloneTree(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, el := range t {
			m[k] = CloneTree(el)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, el := range t {
			a[i] = CloneTree(el)
		}
		return a
	}
	return v
}
