package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/index"
)

// version is what a write statement returns. An update that changes
// nothing (changed false) keeps the current version id and time.
type version struct {
	id      int64
	ts      time.Time
	created bool
	changed bool
}

// Create stores res as a new resource under id, or under a new
// server-assigned id when id is "". An id that exists already is a
// conflict.
func (s *Store) Create(ctx context.Context, typ, id string, res map[string]any) (r *fhir.Resource, err error) {
	defer wrapf(&err, "store.Create(%s)", typ)
	if id == "" {
		id = NewID()
	}
	w, err := s.writeOne(ctx, fhir.Write{Method: "POST", Type: typ, ID: id, Res: res})
	return w.Resource, err
}

// Update stores a new version of typ/id, or creates it.
func (s *Store) Update(ctx context.Context, typ, id string, res map[string]any, ifMatch int64) (r *fhir.Resource, created bool, err error) {
	defer wrapf(&err, "store.Update(%s/%s)", typ, id)
	w, err := s.writeOne(ctx, fhir.Write{Method: "PUT", Type: typ, ID: id, Res: res, IfMatch: ifMatch})
	return w.Resource, w.Created, err
}

func (s *Store) writeOne(ctx context.Context, item fhir.Write) (fhir.Written, error) {
	out, err := s.WriteAll(ctx, []fhir.Write{item})
	var ie *fhir.ItemError
	if errors.As(err, &ie) {
		err = ie.Err
	}
	if err != nil {
		return fhir.Written{}, err
	}
	return out[0], nil
}

// WriteAll stores the writes in one round trip (one pgx batch, inside the
// transaction of ctx; several writes outside one get a transaction of their
// own), in order: the bulk path of transaction Bundles. Each item's ID must be set. The result follows the
// order of items; a failure is an *fhir.ItemError naming the first item
// that failed, and nothing of the batch is stored.
func (s *Store) WriteAll(ctx context.Context, items []fhir.Write) (out []fhir.Written, err error) {
	if _, inTx := ctx.Value(txKey{}).(*openTx); len(items) > 1 && !inTx {
		// A version-checked update that misses fails no statement, so
		// only a transaction undoes the writes before it.
		err = s.Transact(ctx, func(ctx context.Context) error {
			out, err = s.WriteAll(ctx, items)
			return err
		})
		return out, err
	}
	defer wrapf(&err, "store.WriteAll(%d resources)", len(items))
	tenant := tenantOf(ctx)
	plans := make([]writePlan, len(items))
	for i, it := range items {
		if plans[i], err = s.prepareWrite(tenant, it); err != nil {
			return nil, &fhir.ItemError{Index: i, Err: err}
		}
	}
	vs := make([]version, len(items))
	err = s.run(ctx, func(b *pgx.Batch) {
		for _, p := range plans {
			b.Queue(p.sql, p.args...)
			if p.index != "" {
				b.Queue(p.index, p.indexArgs...)
			}
		}
	}, func(br pgx.BatchResults) error {
		for i, p := range plans {
			if err := p.scan(br, &vs[i]); err != nil {
				return &fhir.ItemError{Index: i, Err: mapError(ctx, writeError(items[i], err))}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, p := range plans {
		w := p.w
		if !vs[i].changed { // a no-op update answers the current version
			w.ts = vs[i].ts
			w.meta["lastUpdated"] = fhir.Instant(w.ts)
		}
		if vs[i].id != w.vid || !vs[i].changed { // an update of an existing resource
			if err := w.setVersion(vs[i].id); err != nil {
				return nil, err
			}
		}
		out = append(out, fhir.Written{Resource: w.resource(items[i].Type, items[i].Method), Created: vs[i].created})
	}
	return out, nil
}

// writePlan is the statements of one write: a create's one statement, or
// an update's row statement followed by its index statement (see
// statements).
type writePlan struct {
	sql, index      string
	args, indexArgs []any
	w               *written
}

// scan reads the results of the plan's statements into v.
func (p writePlan) scan(br pgx.BatchResults, v *version) error {
	if p.index == "" {
		v.changed = true
		return br.QueryRow().Scan(&v.id, &v.created)
	}
	if err := br.QueryRow().Scan(&v.id, &v.ts, &v.changed); err != nil {
		return err
	}
	if err := br.QueryRow().Scan(&v.id, &v.created); err != nil {
		return err
	}
	v.created = v.created && v.changed
	return nil
}

// prepareWrite chooses the statements of one write and lays out their
// arguments.
func (s *Store) prepareWrite(tenant string, it fhir.Write) (writePlan, error) {
	st, t, err := s.lookup(it.Type)
	if err != nil {
		return writePlan{}, err
	}
	if it.IfMatch == fhir.NoVersion && it.Method != "POST" {
		return writePlan{}, writeError(it, pgx.ErrNoRows) // no row has that version
	}
	p := writePlan{sql: st.upsert, index: st.index}
	vid := int64(1)
	switch {
	case it.Method == "POST":
		p.sql, p.index = st.create, ""
	case it.IfMatch > 0:
		p.sql, vid = st.updateIfMatch, it.IfMatch+1
	}
	if p.w, err = prepare(t, it.ID, it.Res, vid, s.base); err != nil {
		return writePlan{}, err
	}
	p.args = []any{tenant, it.ID, p.w.ts, p.w.json, it.Method}
	switch {
	case p.index == "":
		p.args = append(p.args, p.w.indexArgs()...)
	case it.IfMatch > 0:
		p.args = append(p.args, it.IfMatch)
	}
	if p.index != "" {
		p.indexArgs = append([]any{tenant, it.ID}, p.w.indexArgs()...)
	}
	return p, nil
}

// writeError explains a write statement's failure: no row from a version
// checked update means the version was not the current one.
func writeError(it fhir.Write, err error) error {
	if errors.Is(err, pgx.ErrNoRows) && it.IfMatch > 0 {
		return fhir.StaleVersion(it.Type, it.ID, it.IfMatch)
	}
	return err
}

// Delete records a deletion version of typ/id.
func (s *Store) Delete(ctx context.Context, typ, id string, ifMatch int64) (r *fhir.Resource, err error) {
	defer wrapf(&err, "store.Delete(%s/%s)", typ, id)
	st, _, err := s.lookup(typ)
	if err != nil {
		return nil, err
	}
	now := now()
	var vid int64
	err = s.run(ctx, func(b *pgx.Batch) {
		b.Queue(st.delete, tenantOf(ctx), id, now, ifMatch)
		b.Queue(st.unindex, tenantOf(ctx), id)
	}, func(br pgx.BatchResults) error {
		if err := br.QueryRow().Scan(&vid); err != nil {
			return err
		}
		_, err := br.Exec()
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, s.checkDeleteMiss(ctx, typ, id, ifMatch)
	}
	if err != nil {
		return nil, err
	}
	return &fhir.Resource{Type: typ, ID: id, VersionID: vid, LastUpdated: now, Deleted: true, Method: "DELETE"}, nil
}

// checkDeleteMiss explains a delete that changed nothing: with If-Match
// against a live resource of another version it is a failed precondition;
// otherwise there was nothing to delete, which is not an error.
func (s *Store) checkDeleteMiss(ctx context.Context, typ, id string, ifMatch int64) error {
	if ifMatch == 0 {
		return nil
	}
	cur, err := s.Read(ctx, typ, id)
	if cur != nil && !cur.Deleted && cur.VersionID != ifMatch {
		return fhir.StaleVersion(typ, id, ifMatch)
	}
	if fhir.KindOf(err) == fhir.KindNotFound || fhir.KindOf(err) == fhir.KindGone {
		return nil
	}
	return err
}

// written is a resource prepared for storage: its content with id and meta
// set, and the index rows extracted from it.
type written struct {
	res  map[string]any
	meta map[string]any
	id   string
	vid  int64
	ts   time.Time
	json []byte
	rows index.Rows
}

// prepare sets id and meta on res and extracts its search index rows
// (references under base as relative ones).
func prepare(t *fhir.ResourceType, id string, res map[string]any, vid int64, base string) (*written, error) {
	w := &written{res: res, id: id, vid: vid, ts: now()}
	meta, _ := res["meta"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		res["meta"] = meta
	}
	w.meta = meta
	res["id"] = id
	meta["lastUpdated"] = fhir.Instant(w.ts)
	if err := w.setVersion(vid); err != nil {
		return nil, err
	}
	rows, err := index.ExtractUnder(t, res, base)
	if err != nil {
		return nil, fhir.Errorf(fhir.KindInvalid, fhir.IssueValue, "%v", err).Wrap(err)
	}
	w.rows = rows
	return w, nil
}

// setVersion records the version in meta and encodes the content again.
func (w *written) setVersion(vid int64) error {
	w.vid = vid
	w.meta["versionId"] = strconv.FormatInt(vid, 10)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(w.res); err != nil {
		return err
	}
	w.json = bytes.TrimRight(buf.Bytes(), "\n")
	return nil
}

func (w *written) resource(typ, method string) *fhir.Resource {
	return &fhir.Resource{Type: typ, ID: w.id, VersionID: w.vid, LastUpdated: w.ts, Method: method, JSON: w.json}
}

// indexArgs lays out the index rows as the arrays the write statements
// take (see statements).
func (w *written) indexArgs() []any {
	r := w.rows
	strH, strN, strE := make([]int64, len(r.Strings)), make([]string, len(r.Strings)), make([]string, len(r.Strings))
	for i, v := range r.Strings {
		strH[i], strN[i], strE[i] = v.Hash, v.Norm, v.Exact
	}
	refH, refT, refI := make([]int64, len(r.Refs)), make([]string, len(r.Refs)), make([]string, len(r.Refs))
	for i, v := range r.Refs {
		refH[i], refT[i], refI[i] = v.Hash, v.TargetType, v.TargetID
	}
	dH, dLo, dHi := make([]int64, len(r.Dates)), make([]time.Time, len(r.Dates)), make([]time.Time, len(r.Dates))
	for i, v := range r.Dates {
		dH[i], dLo[i], dHi[i] = v.Hash, v.Lo, v.Hi
	}
	nH, nV := make([]int64, len(r.Numbers)), make([]float64, len(r.Numbers))
	for i, v := range r.Numbers {
		nH[i], nV[i] = v.Hash, v.Value
	}
	tok := r.Tokens
	if tok == nil {
		tok = []int64{}
	}
	return []any{tok, strH, strN, strE, refH, refT, refI, dH, dLo, dHi, nH, nV}
}

// NewID returns a new server-assigned resource id: a UUIDv7, so that ids
// sort by creation time.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// now is the server's clock at the precision PostgreSQL stores.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
