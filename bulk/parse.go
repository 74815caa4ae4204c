package bulk

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/fhirbase-go/fhird/fhir"
	"github.com/fhirbase-go/fhird/fhir/validate"
)

// item is a validated line on its way to the loader.
type item struct {
	res  fhir.NewResource
	src  *source
	n    int
	size int
}

// parse validates the lines of each chunk and passes the good ones on;
// bad ones are reported where they are found, and those whose resource
// the tenant holds already (see present) are counted as skipped.
func (p *pipeline) parse(ctx context.Context, chunks <-chan chunk, out chan<- item) error {
	for c := range chunks {
		have, err := p.present(ctx, c)
		if err != nil {
			return err
		}
		for i, l := range c.lines {
			p.lines.Add(1)
			if have[i] {
				p.skipped.Add(1)
				p.done.Add(int64(l.size))
				continue
			}
			if l.tooBig {
				p.badLine(c.src, l.n, l.size, fmt.Sprintf("line longer than %d bytes", p.opts.MaxLineBytes))
				continue
			}
			res, err := parseLine(l.body, c.src.want)
			if err != nil {
				p.badLine(c.src, l.n, l.size, message(err))
				continue
			}
			select {
			case out <- item{res: res, src: c.src, n: l.n, size: l.size}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return ctx.Err()
}

// resumeWindow is how many chunks in a row of a file must hold no stored
// resource before present stops asking: more than the lines that can be
// in flight (parsers, the batch being filled, the batches loading), so
// that an import resumed after a stop looks past the ragged end of what
// it had committed.
const resumeWindow = 64

// present returns the indexes of the chunk's lines whose resource (by the
// type and id the line names) the tenant holds already, when the loader
// can tell (a Lister): a rerun then skips them without validating them,
// which is most of the cost of a line. It asks the database once per
// chunk, until resumeWindow chunks of the file in a row had none; the
// loader skips present resources anyway, so this only saves work. A line
// it cannot read the type and id of is left to the validation to report.
func (p *pipeline) present(ctx context.Context, c chunk) (map[int]bool, error) {
	lister, ok := p.loader.(Lister)
	if !ok || c.src.fresh.Load() >= resumeWindow {
		return nil, nil
	}
	byType := map[string][]string{}
	at := map[string]int{}
	for i, l := range c.lines {
		var head struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		if l.tooBig || json.Unmarshal(l.body, &head) != nil || head.ID == "" || (c.src.want != "" && head.ResourceType != c.src.want) {
			continue
		}
		if _, ok := fhir.LookupType(head.ResourceType); !ok {
			continue
		}
		key := head.ResourceType + "/" + head.ID
		if _, dup := at[key]; !dup {
			at[key] = i
			byType[head.ResourceType] = append(byType[head.ResourceType], head.ID)
		}
	}
	have := map[int]bool{}
	for typ, ids := range byType {
		known, err := lister.Existing(ctx, typ, ids)
		if err != nil {
			if fatal(ctx, err) {
				return nil, err
			}
			continue
		}
		for id := range known {
			if i, ok := at[typ+"/"+id]; ok {
				have[i] = true
			}
		}
	}
	if len(have) == 0 {
		c.src.fresh.Add(1)
	} else {
		c.src.fresh.Store(0)
	}
	return have, nil
}

// parseLine validates one line as a resource this server stores, with an
// id (an import keeps the ids it is given) and of the type the file name
// announces, if any.
func parseLine(body []byte, want string) (fhir.NewResource, error) {
	res, err := validate.Resource(body, "")
	if err != nil {
		return fhir.NewResource{}, err
	}
	typ, _ := res["resourceType"].(string)
	if want != "" && typ != want {
		return fhir.NewResource{}, fmt.Errorf("resourceType %s in a file of %s resources", typ, want)
	}
	if _, ok := fhir.LookupType(typ); !ok {
		return fhir.NewResource{}, fmt.Errorf("resource type %s is not stored by this server", typ)
	}
	id, _ := res["id"].(string)
	if id == "" {
		return fhir.NewResource{}, fmt.Errorf("the %s has no id (an import keeps the ids it is given)", typ)
	}
	return fhir.NewResource{Type: typ, ID: id, Res: res}, nil
}

// message is the text of a bad line's error: the issues of a domain error
// (their diagnostics and locations, safe to show), or the error itself.
func message(err error) string {
	fe, ok := fhir.AsError(err)
	if !ok || len(fe.Issues) == 0 {
		return err.Error()
	}
	return fe.Diagnostics()
}

// batch groups items into batches of BatchSize items (or BatchBytes).
func (p *pipeline) batch(ctx context.Context, items <-chan item, out chan<- []item) error {
	var b []item
	held := 0
	send := func() error {
		select {
		case out <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
		b, held = nil, 0
		return nil
	}
	for it := range items {
		b = append(b, it)
		held += it.size
		if len(b) >= p.opts.BatchSize || held >= p.opts.BatchBytes {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if len(b) > 0 && ctx.Err() == nil {
		return send()
	}
	return ctx.Err()
}
