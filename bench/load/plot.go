package load

import (
	"bytes"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Plot renders latency against concurrency as SVG: per scenario one colour,
// p50 solid and p95 dashed, both axes logarithmic. Open-loop runs (a rate,
// no concurrency) are left out.
func Plot(r *Result) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "fhird " + r.Stem() + ": latency vs concurrency (solid p50, dashed p95)"
	p.X.Label.Text = "concurrency"
	p.Y.Label.Text = "latency (ms)"
	p.Legend.Top, p.Legend.Left = true, true
	series := closedLoopSeries(r)
	if len(series) > 0 {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	}
	for i, s := range series {
		for k, pts := range []plotter.XYs{s.p50, s.p95} {
			l, err := plotter.NewLine(pts)
			if err != nil {
				return nil, err
			}
			l.Color = plotutil.Color(i)
			l.Width = vg.Points(1.5)
			if k == 1 {
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			} else {
				p.Legend.Add(s.name, l)
			}
			dots, err := plotter.NewScatter(pts)
			if err != nil {
				return nil, err
			}
			dots.Color, dots.Shape, dots.Radius = plotutil.Color(i), draw.CircleGlyph{}, vg.Points(2)
			p.Add(l, dots)
		}
	}
	if len(series) > 0 {
		// Padding keeps a single point (one concurrency) off the corners
		// and away from a zero-width logarithmic range.
		p.X.Min, p.X.Max = p.X.Min/1.5, p.X.Max*1.5
		p.Y.Min, p.Y.Max = p.Y.Min/1.5, p.Y.Max*1.5
	}
	w, err := p.WriterTo(10*vg.Inch, 6*vg.Inch, "svg")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

type series struct {
	name     string
	p50, p95 plotter.XYs
}

// closedLoopSeries groups the closed-loop runs by scenario in order of
// first appearance, sorted by concurrency; points at 0 ms (no success) are
// dropped, for they have no place on a logarithmic axis.
func closedLoopSeries(r *Result) []series {
	var out []series
	for _, run := range r.Runs {
		if run.Concurrency == 0 || run.Latency.P50 <= 0 || run.Latency.P95 <= 0 {
			continue
		}
		i := slices.IndexFunc(out, func(s series) bool { return s.name == run.Scenario })
		if i < 0 {
			out = append(out, series{name: run.Scenario})
			i = len(out) - 1
		}
		c := float64(run.Concurrency)
		out[i].p50 = append(out[i].p50, plotter.XY{X: c, Y: run.Latency.P50})
		out[i].p95 = append(out[i].p95, plotter.XY{X: c, Y: run.Latency.P95})
	}
	for _, s := range out {
		byX := func(a, b plotter.XY) int { return int(a.X - b.X) }
		slices.SortFunc(s.p50, byX)
		slices.SortFunc(s.p95, byX)
	}
	return out
}
