package bulk

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/fhirbase-go/fhird/fhir"
)

// loadAll loads batches until there are no more, or a fatal error.
func (p *pipeline) loadAll(ctx context.Context, batches <-chan []item) error {
	for b := range batches {
		if err := p.load(ctx, b, true); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// load stores one batch in one transaction. A batch the database refuses
// for its data is reported with its line ranges and split in halves, down
// to the single lines at fault, so one bad value costs its own line only.
// Errors that are not about the data are returned: they stop the import.
func (p *pipeline) load(ctx context.Context, b []item, whole bool) error {
	res, err := p.loader.Import(ctx, resources(b))
	if err != nil {
		if fatal(ctx, err) {
			return err
		}
		if len(b) == 1 {
			p.badLine(b[0].src, b[0].n, b[0].size, "refused by the database: "+message(err))
			return nil
		}
		if whole {
			p.note("%s: batch of %d refused (%s); loading it in parts", ranges(b), len(b), message(err))
		}
		mid := len(b) / 2
		if err := p.load(ctx, b[:mid], false); err != nil {
			return err
		}
		return p.load(ctx, b[mid:], false)
	}
	rejected := map[int]bool{}
	for _, r := range res.Rejected {
		rejected[r.Index] = true
		it := b[r.Index]
		p.badLine(it.src, it.n, it.size, message(r.Err))
	}
	for i, it := range b {
		if !rejected[i] {
			p.done.Add(int64(it.size))
		}
	}
	p.loaded.Add(int64(res.Loaded))
	p.skipped.Add(int64(res.Skipped))
	return nil
}

func resources(b []item) []fhir.NewResource {
	out := make([]fhir.NewResource, len(b))
	for i, it := range b {
		out[i] = it.res
	}
	return out
}

// fatal reports whether a batch's error should stop the import: the
// context is done, or the loader failed for another reason than the data
// (an unreachable database, a bug), which the next batch would hit too.
func fatal(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return true
	}
	switch fhir.KindOf(err) {
	case fhir.KindInvalid, fhir.KindUnprocessable, fhir.KindConflict, fhir.KindTooCostly:
		return false
	}
	return true
}

// ranges names the lines of a batch as "file:first-last" per file; the
// parsers run in parallel, so a batch's lines need not be contiguous.
func ranges(b []item) string {
	type span struct{ lo, hi int }
	spans := map[string]*span{}
	var files []string
	for _, it := range b {
		s := spans[it.src.path]
		if s == nil {
			s = &span{it.n, it.n}
			spans[it.src.path] = s
			files = append(files, it.src.path)
		}
		s.lo, s.hi = min(s.lo, it.n), max(s.hi, it.n)
	}
	sort.Strings(files)
	parts := make([]string, len(files))
	for i, f := range files {
		parts[i] = fmt.Sprintf("%s:%d-%d", f, spans[f].lo, spans[f].hi)
	}
	return strings.Join(parts, ", ")
}
