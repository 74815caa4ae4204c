package bulk

import (
	"context"
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
// bad ones are reported where they are found.
func (p *pipeline) parse(ctx context.Context, chunks <-chan chunk, out chan<- item) error {
	for c := range chunks {
		for _, l := range c.lines {
			p.lines.Add(1)
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
