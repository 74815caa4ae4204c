package bulk

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows how far an import is: a bar with rate and ETA on a
// terminal, a plain line every few seconds elsewhere (logs, CI). It also
// serializes the writes of bad-line messages with its own, so a message
// never lands inside the bar.
type progress struct {
	mu    sync.Mutex
	w     io.Writer // nil: no progress shown
	bar   *progressbar.ProgressBar
	total int64
	start time.Time
	read  func() (Report, int64)
	stopc chan struct{}
	wg    sync.WaitGroup
}

// startProgress starts reporting to w (nil: never) the state read returns:
// the counts and the bytes of the files dealt with, out of total.
func startProgress(w io.Writer, every time.Duration, total int64, start time.Time, read func() (Report, int64)) *progress {
	p := &progress{w: w, total: total, start: start, read: read, stopc: make(chan struct{})}
	if w == nil {
		return p
	}
	if isTerminal(w) {
		every = 200 * time.Millisecond
		p.bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("import"),
			progressbar.OptionShowBytes(true), progressbar.OptionSetPredictTime(true), progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionSetRenderBlankState(true))
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.show()
			case <-p.stopc:
				return
			}
		}
	}()
	return p
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// show draws the bar or writes one plain line.
func (p *progress) show() {
	rep, done := p.read()
	p.mu.Lock()
	defer p.mu.Unlock()
	elapsed := time.Since(p.start)
	rate := float64(rep.Loaded+rep.Skipped) / max(elapsed.Seconds(), 1e-9)
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("import · %d resources (%.0f/s) · %d bad", rep.Loaded+rep.Skipped, rate, rep.Bad))
		_ = p.bar.Set64(done)
		return
	}
	fmt.Fprintln(p.w, plainLine(done, p.total, rep, rate, elapsed))
}

// plainLine is the progress line for logs:
// import: 1234567/4000000 bytes 31% · 45210 resources (15070/s) · 3 bad · ETA 2m10s
func plainLine(done, total int64, rep Report, rate float64, elapsed time.Duration) string {
	pct, eta := 100.0, "-"
	if total > 0 {
		pct = 100 * float64(done) / float64(total)
	}
	if done > 0 && done < total {
		eta = (time.Duration(float64(elapsed) * float64(total-done) / float64(done))).Round(time.Second).String()
	}
	return fmt.Sprintf("import: %d/%d bytes %.0f%% · %d resources (%.0f/s) · %d bad · ETA %s",
		done, total, pct, rep.Loaded+rep.Skipped, rate, rep.Bad, eta)
}

// write runs fn, which writes a message, with the bar out of the way.
func (p *progress) write(fn func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Clear()
	}
	fn()
}

// stop ends the reporting with a last update.
func (p *progress) stop() {
	if p.w == nil {
		return
	}
	close(p.stopc)
	p.wg.Wait()
	p.show()
	if p.bar != nil {
		_ = p.bar.Exit()
		fmt.Fprintln(p.w)
	}
}
