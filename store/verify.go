package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/index"
)

// IndexReport is what VerifyIndex found in one tenant.
type IndexReport struct {
	// Resources is how many current, not deleted resources were checked.
	Resources int
	// Problems lists every resource whose index rows differ from those of
	// its current version, and every index row that belongs to no current
	// resource. It is empty when the index is sound.
	Problems []IndexProblem
}

// IndexProblem is one difference between the stored index rows and the
// rows of a resource's current version.
type IndexProblem struct {
	Type, ID string // ID is "" for rows whose resource does not exist
	PK       int64
	Table    string // tok, str, ref, date or num
	// Stale are stored rows the current version does not have; Missing are
	// rows of the current version that are not stored. Each row is shown in
	// a readable form.
	Stale, Missing []string
}

func (p IndexProblem) String() string {
	who := p.Type + "/" + p.ID
	if p.ID == "" {
		who = fmt.Sprintf("%s pk %d (no current resource)", p.Type, p.PK)
	}
	return fmt.Sprintf("%s: %s rows stale %s, missing %s", who, p.Table, abbrev(p.Stale), abbrev(p.Missing))
}

// abbrev shows the first few rows of a list and how many there are.
func abbrev(rows []string) string {
	if len(rows) <= 3 {
		return fmt.Sprint(rows)
	}
	return fmt.Sprintf("%v and %d more", rows[:3], len(rows)-3)
}

// verifyChunk is how many resources VerifyIndex reads in one round trip.
const verifyChunk = 500

// VerifyIndex checks the invariant the search index lives by, for every
// stored type in the tenant of ctx: the index rows of a resource are
// exactly those its current version yields (index.ExtractUnder, as
// writes compute them), and deleted resources have none. It reads the
// tenant in chunks of resources, each with the index rows of its range of
// keys, so a large tenant is checked in bounded memory; each chunk is
// read in one statement snapshot, so run it while the tenant is quiet
// for an exact answer.
func (s *Store) VerifyIndex(ctx context.Context) (rep IndexReport, err error) {
	defer wrapf(&err, "store.VerifyIndex")
	for _, t := range s.typeList {
		if err := s.verifyType(ctx, t, &rep); err != nil {
			return rep, err
		}
	}
	sortProblems(rep.Problems)
	return rep, nil
}

func (s *Store) verifyType(ctx context.Context, t *fhir.ResourceType, rep *IndexReport) error {
	n := tableNames(t.Table)
	after := int64(math.MinInt64)
	for {
		chunk, last, done, err := s.verifyRead(ctx, n, after)
		if err != nil {
			return err
		}
		rep.Resources += len(chunk.live)
		for pk, id := range chunk.live {
			want, err := index.ExtractUnder(t, chunk.content[pk], s.base)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", t.Name, id, err)
			}
			rep.Problems = append(rep.Problems, diffRows(t.Name, id, pk, wantRows(want), chunk.rows[pk])...)
			delete(chunk.rows, pk)
		}
		for pk, stored := range chunk.rows { // rows of deleted or unknown resources
			rep.Problems = append(rep.Problems, diffRows(t.Name, "", pk, tableRows{}, stored)...)
		}
		if done {
			return nil
		}
		after = last
	}
}

// tableRows are one resource's index rows, per table, as readable keys.
type tableRows map[string]map[string]bool

func (r tableRows) add(table, key string) {
	if r[table] == nil {
		r[table] = map[string]bool{}
	}
	r[table][key] = true
}

// verifiedChunk is one chunk of a type: the current resources by pk and
// every index row stored in the chunk's range of keys.
type verifiedChunk struct {
	live    map[int64]string
	content map[int64]map[string]any
	rows    map[int64]tableRows
}

// verifyRead reads the resources after pk `after` (at most verifyChunk of
// them, deleted ones included so that the key ranges are contiguous) and
// the index rows of the key range they cover; the last chunk's range is
// open-ended, so it also catches rows beyond the last resource.
func (s *Store) verifyRead(ctx context.Context, n names, after int64) (c verifiedChunk, last int64, done bool, err error) {
	c = verifiedChunk{live: map[int64]string{}, content: map[int64]map[string]any{}, rows: map[int64]tableRows{}}
	tenant := tenantOf(ctx)
	main := `SELECT pk, id, deleted, content FROM ` + n.main + ` WHERE tenant_id = $1 AND pk > $2 ORDER BY pk LIMIT $3`
	err = s.runRead(ctx, func(b *pgx.Batch) { b.Queue(main, tenant, after, verifyChunk) }, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		count := 0
		var pk int64
		var id string
		var deleted bool
		var content []byte
		_, err = pgx.ForEachRow(rows, []any{&pk, &id, &deleted, &content}, func() error {
			count++
			last = pk
			if deleted {
				return nil
			}
			m, err := decodeStored(content)
			c.live[pk], c.content[pk] = id, m
			return err
		})
		done = count < verifyChunk
		return err
	})
	if err != nil {
		return c, 0, false, err
	}
	hi := last
	if done {
		hi = math.MaxInt64
	}
	return c, last, done, s.verifyIndexRows(ctx, n, after, hi, c.rows)
}

// verifyIndexRows reads the index rows with after < pk <= hi into into.
func (s *Store) verifyIndexRows(ctx context.Context, n names, after, hi int64, into map[int64]tableRows) error {
	tenant := tenantOf(ctx)
	where := ` WHERE tenant_id = $1 AND pk > $2 AND pk <= $3`
	queries := []struct {
		table, sql string
		key        func(pgx.Rows) (int64, string, error)
	}{
		{"tok", `SELECT pk, h FROM ` + n.tok + where, func(r pgx.Rows) (int64, string, error) {
			var pk, h int64
			err := r.Scan(&pk, &h)
			return pk, tokKey(h), err
		}},
		{"str", `SELECT pk, h, norm, exact FROM ` + n.str + where, func(r pgx.Rows) (int64, string, error) {
			var v index.String
			var pk int64
			err := r.Scan(&pk, &v.Hash, &v.Norm, &v.Exact)
			return pk, strKey(v), err
		}},
		{"ref", `SELECT pk, h, target_type, target_id FROM ` + n.ref + where, func(r pgx.Rows) (int64, string, error) {
			var v index.Ref
			var pk int64
			err := r.Scan(&pk, &v.Hash, &v.TargetType, &v.TargetID)
			return pk, refKey(v), err
		}},
		{"date", `SELECT pk, h, lo, hi FROM ` + n.date + where, func(r pgx.Rows) (int64, string, error) {
			var v index.Date
			var pk int64
			err := r.Scan(&pk, &v.Hash, &v.Lo, &v.Hi)
			return pk, dateKey(v), err
		}},
		{"num", `SELECT pk, h, v FROM ` + n.num + where, func(r pgx.Rows) (int64, string, error) {
			var v index.Number
			var pk int64
			err := r.Scan(&pk, &v.Hash, &v.Value)
			return pk, numKey(v), err
		}},
	}
	return s.runRead(ctx, func(b *pgx.Batch) {
		for _, q := range queries {
			b.Queue(q.sql, tenant, after, hi)
		}
	}, func(br pgx.BatchResults) error {
		for _, q := range queries {
			rows, err := br.Query()
			if err != nil {
				return err
			}
			for rows.Next() {
				pk, key, err := q.key(rows)
				if err != nil {
					rows.Close()
					return err
				}
				if into[pk] == nil {
					into[pk] = tableRows{}
				}
				into[pk].add(q.table, key)
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
}

// wantRows are the extracted rows of a version in the form of tableRows.
func wantRows(r index.Rows) tableRows {
	out := tableRows{}
	for _, h := range r.Tokens {
		out.add("tok", tokKey(h))
	}
	for _, v := range r.Strings {
		out.add("str", strKey(v))
	}
	for _, v := range r.Refs {
		out.add("ref", refKey(v))
	}
	for _, v := range r.Dates {
		out.add("date", dateKey(v))
	}
	for _, v := range r.Numbers {
		out.add("num", numKey(v))
	}
	return out
}

func tokKey(h int64) string { return strconv.FormatInt(h, 10) }
func strKey(v index.String) string {
	return strconv.FormatInt(v.Hash, 10) + " " + strconv.Quote(v.Norm) + " " + strconv.Quote(v.Exact)
}
func refKey(v index.Ref) string {
	return strconv.FormatInt(v.Hash, 10) + " " + v.TargetType + "/" + v.TargetID
}
func dateKey(v index.Date) string {
	return strconv.FormatInt(v.Hash, 10) + " " + v.Lo.UTC().Format(time.RFC3339Nano) + ".." + v.Hi.UTC().Format(time.RFC3339Nano)
}
func numKey(v index.Number) string {
	return strconv.FormatInt(v.Hash, 10) + " " + strconv.FormatFloat(v.Value, 'g', -1, 64)
}

// diffRows compares the rows of one resource table by table.
func diffRows(typ, id string, pk int64, want, got tableRows) []IndexProblem {
	var out []IndexProblem
	for _, table := range []string{"tok", "str", "ref", "date", "num"} {
		p := IndexProblem{Type: typ, ID: id, PK: pk, Table: table}
		for k := range got[table] {
			if !want[table][k] {
				p.Stale = append(p.Stale, k)
			}
		}
		for k := range want[table] {
			if !got[table][k] {
				p.Missing = append(p.Missing, k)
			}
		}
		if len(p.Stale)+len(p.Missing) > 0 {
			sort.Strings(p.Stale)
			sort.Strings(p.Missing)
			out = append(out, p)
		}
	}
	return out
}

func sortProblems(ps []IndexProblem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Type != ps[j].Type {
			return ps[i].Type < ps[j].Type
		}
		if ps[i].PK != ps[j].PK {
			return ps[i].PK < ps[j].PK
		}
		return ps[i].Table < ps[j].Table
	})
}

// decodeStored decodes stored content as the tree writes index (numbers
// as json.Number).
func decodeStored(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}
