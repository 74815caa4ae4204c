package store

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/index"
)

// ReindexProgress is reported after each batch of a reindex.
type ReindexProgress struct {
	Type  string
	Done  int // resources of Type checked so far (in this run)
	Total int // resources of Type when the type started
	Fixed int // resources of Type whose rows were rewritten so far
}

// ReindexReport is what Reindex did in one tenant.
type ReindexReport struct {
	Resources int  // resources checked
	Fixed     int  // resources whose index rows differed and were rewritten
	Resumed   bool // the run continued an interrupted one
}

// ReindexBatch is how many resources one reindex transaction handles by
// default.
const ReindexBatch = 500

// ReindexOptions tune a reindex.
type ReindexOptions struct {
	Batch    int                   // resources per transaction; ReindexBatch when 0
	Types    []string              // resource types to reindex; every stored type when empty
	Progress func(ReindexProgress) // called after each batch when not nil
}

// Reindex brings the index rows of every resource of the tenant of ctx to
// those today's extraction and folding yield (index.ExtractUnder), type by
// type in pk order, one batch of resources per transaction, and rewrites
// only the resources whose rows differ. Each batch locks its resources'
// rows (FOR UPDATE, as writers do before they touch index rows), reads
// their current content and index rows after the lock, and records its
// checkpoint in the same transaction: a concurrent write either commits
// before the batch reads (and is reindexed from its content) or waits for
// the batch and then maintains its own rows, so no update is ever
// overwritten by stale rows. An interrupted run (an error, a cancelled
// ctx) resumes from its checkpoints; a finished run deletes them.
func (s *Store) Reindex(ctx context.Context, o ReindexOptions) (rep ReindexReport, err error) {
	defer wrapf(&err, "store.Reindex")
	if o.Batch <= 0 {
		o.Batch = ReindexBatch
	}
	types, err := s.reindexTypes(o.Types)
	if err != nil {
		return rep, err
	}
	marks, err := s.reindexMarks(ctx)
	if err != nil {
		return rep, err
	}
	var names []string
	for _, t := range types {
		names = append(names, t.Name)
		m, seen := marks[t.Name]
		rep.Resumed = rep.Resumed || seen
		if seen && m.done {
			continue
		}
		if err := s.reindexType(ctx, t, m.after, o, &rep); err != nil {
			return rep, err
		}
	}
	return rep, s.run(ctx, func(b *pgx.Batch) {
		b.Queue(`DELETE FROM fhir_reindex WHERE tenant_id = $1 AND resource_type = ANY($2)`, tenantOf(ctx), names)
	}, func(br pgx.BatchResults) error { _, err := br.Exec(); return err })
}

// reindexTypes resolves the names of ReindexOptions.Types.
func (s *Store) reindexTypes(names []string) ([]*fhir.ResourceType, error) {
	if len(names) == 0 {
		return s.typeList, nil
	}
	var out []*fhir.ResourceType
	for _, name := range names {
		_, t, err := s.lookup(name)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// Tenants lists every tenant that holds resources, read through the
// owner's connection ownerURL, which must see past row-level security (a
// superuser or a BYPASSRLS role): the server's role sees one tenant at a
// time.
func Tenants(ctx context.Context, ownerURL string) ([]string, error) {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	var parts []string
	for _, t := range fhir.Types() {
		parts = append(parts, "SELECT DISTINCT tenant_id FROM "+pgx.Identifier{t.Table}.Sanitize())
	}
	rows, err := conn.Query(ctx, "SELECT tenant_id FROM ("+strings.Join(parts, " UNION ")+") t ORDER BY 1")
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// reindexMark is the checkpoint of one type.
type reindexMark struct {
	after int64
	done  bool
}

func (s *Store) reindexMarks(ctx context.Context) (map[string]reindexMark, error) {
	marks := map[string]reindexMark{}
	err := s.runRead(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT resource_type, after_pk, done FROM fhir_reindex WHERE tenant_id = $1`, tenantOf(ctx))
	}, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		var typ string
		var m reindexMark
		_, err = pgx.ForEachRow(rows, []any{&typ, &m.after, &m.done}, func() error { marks[typ] = m; return nil })
		return err
	})
	return marks, err
}

// reindexType reindexes the resources of t after pk `after` (MinInt64
// for all), one transaction per batch.
func (s *Store) reindexType(ctx context.Context, t *fhir.ResourceType, after int64, o ReindexOptions, rep *ReindexReport) error {
	n := tableNames(t.Table)
	if after == 0 {
		after = math.MinInt64
	}
	p := ReindexProgress{Type: t.Name}
	if err := s.runRead(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT count(*) FROM `+n.main+` WHERE tenant_id = $1 AND pk > $2`, tenantOf(ctx), after)
	}, func(br pgx.BatchResults) error { return br.QueryRow().Scan(&p.Total) }); err != nil {
		return err
	}
	for {
		var res reindexBatch
		err := s.Transact(ctx, func(ctx context.Context) error {
			var err error
			res, err = s.reindexBatch(ctx, t, n, after, o.Batch)
			return err
		})
		if err != nil {
			return err
		}
		after = res.last
		p.Done += res.resources
		p.Fixed += res.fixed
		rep.Resources += res.resources
		rep.Fixed += res.fixed
		if o.Progress != nil {
			p.Total = max(p.Total, p.Done)
			o.Progress(p)
		}
		if res.done {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// reindexBatch is what one batch did.
type reindexBatch struct {
	resources, fixed int
	last             int64
	done             bool
}

// reindexBatch locks the next batch of t's resources after `after`,
// rewrites the index rows of those whose rows differ from their content's
// and records the checkpoint, inside the caller's transaction.
func (s *Store) reindexBatch(ctx context.Context, t *fhir.ResourceType, n names, after int64, batch int) (res reindexBatch, err error) {
	tenant := tenantOf(ctx)
	var pks []int64
	err = s.run(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT pk FROM `+n.main+` WHERE tenant_id = $1 AND pk > $2 ORDER BY pk LIMIT $3 FOR UPDATE`, tenant, after, batch)
	}, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err == nil {
			pks, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		}
		return err
	})
	if err != nil {
		return res, err
	}
	res.done = len(pks) < batch
	res.last = after
	if len(pks) > 0 {
		res.last = pks[len(pks)-1]
	}
	hi := res.last
	if res.done {
		hi = math.MaxInt64 // the last batch also drops rows past the last resource
	}
	fixes, err := s.reindexDiff(ctx, t, n, after, hi, &res)
	if err != nil {
		return res, err
	}
	err = s.run(ctx, func(b *pgx.Batch) {
		for _, f := range fixes {
			b.Queue(reindexSQL(n), append([]any{tenant, f.pk}, f.args...)...)
		}
		b.Queue(`INSERT INTO fhir_reindex (tenant_id, resource_type, after_pk, done) VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id, resource_type) DO UPDATE SET after_pk = EXCLUDED.after_pk, done = EXCLUDED.done, updated_at = now()`,
			tenant, t.Name, res.last, res.done)
	}, func(br pgx.BatchResults) error {
		for range len(fixes) + 1 {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		return nil
	})
	return res, err
}

// reindexFix is the index rows one resource (pk) must have.
type reindexFix struct {
	pk   int64
	args []any
}

// reindexDiff reads the resources and index rows with after < pk <= hi
// (the rows are locked, so this read sees their latest versions) and
// returns the resources whose stored rows differ from their content's.
func (s *Store) reindexDiff(ctx context.Context, t *fhir.ResourceType, n names, after, hi int64, res *reindexBatch) ([]reindexFix, error) {
	c, err := s.readRange(ctx, n, after, hi)
	if err != nil {
		return nil, err
	}
	var fixes []reindexFix
	for pk := range c.all {
		res.resources++
		var want index.Rows
		if content, live := c.content[pk]; live {
			if want, err = index.ExtractUnder(t, content, s.base); err != nil {
				return nil, fmt.Errorf("%s/%s: %w", t.Name, c.live[pk], err)
			}
		}
		if len(diffRows(t.Name, c.live[pk], pk, wantRows(want), c.rows[pk])) > 0 {
			w := &written{rows: want}
			fixes = append(fixes, reindexFix{pk: pk, args: w.indexArgs()})
		}
		delete(c.rows, pk)
	}
	for pk := range c.rows { // rows of no resource in the range
		fixes = append(fixes, reindexFix{pk: pk, args: (&written{}).indexArgs()})
	}
	res.fixed += len(fixes)
	return fixes, nil
}

// rangeChunk is the resources (deleted ones included) with their index
// rows of one pk range.
type rangeChunk struct {
	verifiedChunk
	all map[int64]bool
}

func (s *Store) readRange(ctx context.Context, n names, after, hi int64) (rangeChunk, error) {
	c := rangeChunk{verifiedChunk{live: map[int64]string{}, content: map[int64]map[string]any{}, rows: map[int64]tableRows{}}, map[int64]bool{}}
	err := s.run(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT pk, id, deleted, content FROM `+n.main+` WHERE tenant_id = $1 AND pk > $2 AND pk <= $3`, tenantOf(ctx), after, hi)
	}, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		var pk int64
		var id string
		var deleted bool
		var content []byte
		_, err = pgx.ForEachRow(rows, []any{&pk, &id, &deleted, &content}, func() error {
			c.all[pk] = true
			if deleted {
				return nil
			}
			m, err := decodeStored(content)
			c.live[pk], c.content[pk] = id, m
			return err
		})
		return err
	})
	if err != nil {
		return c, err
	}
	return c, s.verifyIndexRows(ctx, n, after, hi, c.rows)
}

// reindexSQL brings the index rows of the resource with pk $2 to the rows
// given from $3 on (the layout of indexArgs): the stale ones are deleted,
// the missing ones inserted, a string row's norm rewritten.
func reindexSQL(n names) string {
	return `WITH r AS (SELECT $2::int8 AS pk)` + pruneIndexCTEs(n, indexIdx) + insertIndexCTEs(n, indexIdx) + `
SELECT count(*) FROM r`
}
