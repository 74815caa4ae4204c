package gen

import (
	"context"
	"io"
	"sync"
)

// block is how many consecutive patients one job renders: enough to make
// channel traffic negligible, few enough to keep a job's buffers near a
// megabyte or two.
const block = 32

// Stats counts what a write produced.
type Stats struct {
	// Resources counts resources per type, those inside bundles included.
	Resources map[string]int64
	// Bundles counts the transaction Bundles WriteBundles wrote.
	Bundles int64
	// Bytes is the total written, line breaks included.
	Bytes int64
}

// Total returns the number of resources written, bundles not counted.
func (s Stats) Total() int64 {
	var n int64
	for _, v := range s.Resources {
		n += v
	}
	return n
}

// WriteNDJSON writes the dataset as NDJSON, one resource per line, the
// resources of each type to out(type): the shared resources first, then
// Config.Patients patients in order. out is called once per type, from one
// goroutine, and may return the same writer for every type.
func (g *Generator) WriteNDJSON(ctx context.Context, out func(typ string) io.Writer) (Stats, error) {
	return g.write(ctx, out, false)
}

// WriteBundles writes the shared resources as WriteNDJSON does, then one
// transaction Bundle per patient and line to out("Bundle").
func (g *Generator) WriteBundles(ctx context.Context, out func(typ string) io.Writer) (Stats, error) {
	return g.write(ctx, out, true)
}

// sink writes batches to the writers of their kinds, in the order batches
// come, and counts.
type sink struct {
	out   func(typ string) io.Writer
	ws    [nKinds]io.Writer
	stats Stats
}

func (s *sink) flush(b *batch) error {
	for k := range b.parts {
		switch n := int64(b.count[k]); {
		case kind(k) == kBundle:
			s.stats.Bundles += n
		case n > 0:
			s.stats.Resources[kindNames[k]] += n
		}
		p := b.parts[k].b
		if len(p) == 0 {
			continue
		}
		if s.ws[k] == nil {
			s.ws[k] = s.out(kindNames[k])
		}
		if _, err := s.ws[k].Write(p); err != nil {
			return err
		}
		s.stats.Bytes += int64(len(p))
	}
	return nil
}

func (g *Generator) write(ctx context.Context, out func(typ string) io.Writer, bundles bool) (Stats, error) {
	s := &sink{out: out, stats: Stats{Resources: map[string]int64{}}}
	if err := g.writeShared(ctx, s); err != nil {
		return s.stats, err
	}
	err := g.writePatients(ctx, s, bundles)
	return s.stats, err
}

// writeShared renders the shared resources in one goroutine: there are a
// few per hundred patients.
func (g *Generator) writeShared(ctx context.Context, s *sink) error {
	var b batch
	for k, n := range g.sharedCounts() {
		for j := range n {
			g.shared(&b, k, j)
			if len(b.parts[k].b) >= 1<<20 {
				if err := s.flush(&b); err != nil {
					return err
				}
				if err := ctx.Err(); err != nil {
					return err
				}
				b.reset(false)
			}
		}
	}
	return s.flush(&b)
}

// job is one block of patients: rendered into b by a worker, which closes
// done, then written by the writer in block order.
type job struct {
	first, n int
	b        *batch
	done     chan struct{}
}

// writePatients renders blocks of patients on Config.Workers goroutines
// and writes them in patient order. Memory is bounded by the pool of
// batches: the feeder takes one before it hands out a job and the writer
// returns it once written, so at most len(pool) blocks exist whatever the
// patient count, and a slow writer stalls the workers instead of
// queueing.
func (g *Generator) writePatients(ctx context.Context, s *sink, bundles bool) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := g.cfg.Workers
	pool := make(chan *batch, 3*workers)
	for range cap(pool) {
		pool <- new(batch)
	}
	jobs := make(chan *job)
	order := make(chan *job, cap(pool))
	var wg sync.WaitGroup
	wg.Go(func() { g.feed(ctx, pool, jobs, order) })
	for range workers {
		wg.Go(func() { g.work(jobs, bundles) })
	}
	var err error
	for j := range order {
		<-j.done
		if err == nil {
			if err = s.flush(j.b); err == nil {
				err = ctx.Err()
			}
			if err != nil {
				cancel()
			}
		}
		pool <- j.b
	}
	wg.Wait()
	if err == nil {
		err = ctx.Err() // cancelled before the first job
	}
	return err
}

// feed hands out the blocks in order until done or cancelled, then closes
// both channels.
func (g *Generator) feed(ctx context.Context, pool chan *batch, jobs, order chan *job) {
	defer close(order)
	defer close(jobs)
	for first := 0; first < g.cfg.Patients; first += block {
		var b *batch
		select {
		case b = <-pool:
		case <-ctx.Done():
			return
		}
		j := &job{first: first, n: min(block, g.cfg.Patients-first), b: b, done: make(chan struct{})}
		order <- j // never blocks: order holds as many jobs as there are batches
		select {
		case jobs <- j:
		case <-ctx.Done():
			close(j.done)
			return
		}
	}
}

// work renders jobs until there are none.
func (g *Generator) work(jobs chan *job, bundles bool) {
	p := newPatientGen(g)
	var scratch batch
	for j := range jobs {
		j.b.reset(false)
		for i := j.first; i < j.first+j.n; i++ {
			if !bundles {
				p.run(j.b, i, false)
				continue
			}
			scratch.reset(true)
			p.run(&scratch, i, true)
			w := &j.b.parts[kBundle]
			w.b = append(scratch.bundle(w.b), '\n')
			j.b.count[kBundle]++
			for k := range kBundle {
				j.b.count[k] += scratch.count[k] // counted, not written
			}
		}
		close(j.done)
	}
}
