package load

import (
	"bytes"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// palette has a distinct colour for each scenario (plotutil's seven would
// repeat).
var palette = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x2c, 0xa0, 0x2c, 0xff}, {0xd6, 0x27, 0x28, 0xff},
	{0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff}, {0xe3, 0x77, 0xc2, 0xff}, {0x7f, 0x7f, 0x7f, 0xff},
	{0xbc, 0xbd, 0x22, 0xff}, {0x17, 0xbe, 0xcf, 0xff}, {0x00, 0x00, 0x00, 0xff}, {0x1a, 0x55, 0x2e, 0xff},
}

// legendWidth is the strip right of the plot that holds the legend.
const legendWidth = 1.7 * vg.Inch

// Plot renders latency against concurrency as SVG: per scenario one colour,
// p50 solid and p95 dashed, both axes logarithmic. Open-loop runs (a rate,
// no concurrency) are left out.
func Plot(r *Result) ([]byte, error) { return render(r, "svg") }

// render draws the plot in a format of gonum's vg: svg, png, pdf, eps.
func render(r *Result, format string) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "fhird " + r.Stem() + ": latency vs concurrency (solid p50, dashed p95)"
	p.X.Label.Text = "concurrency"
	p.Y.Label.Text = "latency (ms)"
	p.Legend.Top = true
	p.Legend.XOffs = legendWidth
	series := closedLoopSeries(r)
	for i, s := range series {
		if err := addSeries(p, s, palette[i%len(palette)]); err != nil {
			return nil, err
		}
	}
	if len(series) > 0 {
		// Padding keeps a single point (one concurrency) off the corners
		// and away from a zero-width logarithmic range.
		p.X.Min, p.X.Max = p.X.Min/1.5, p.X.Max*1.5
		p.Y.Min, p.Y.Max = p.Y.Min/1.5, p.Y.Max*1.5
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, concurrencyTicks(series)
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.TickerFunc(oneTwoFive)
	}
	c, err := draw.NewFormattedCanvas(10*vg.Inch+legendWidth, 6*vg.Inch, format)
	if err != nil {
		return nil, err
	}
	p.Draw(draw.Crop(draw.New(c), 0, -legendWidth, 0, 0))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// addSeries draws one scenario: its p50 line (named in the legend) and
// its dashed p95 line, with a dot at each measurement.
func addSeries(p *plot.Plot, s series, col color.Color) error {
	for k, pts := range []plotter.XYs{s.p50, s.p95} {
		l, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		l.Color, l.Width = col, vg.Points(1.5)
		if k == 1 {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		} else {
			p.Legend.Add(s.name, l)
		}
		dots, err := plotter.NewScatter(pts)
		if err != nil {
			return err
		}
		dots.Color, dots.Shape, dots.Radius = col, draw.CircleGlyph{}, vg.Points(2)
		p.Add(l, dots)
	}
	return nil
}

// concurrencyTicks labels the concurrencies that were measured.
func concurrencyTicks(series []series) plot.ConstantTicks {
	var cs []float64
	for _, s := range series {
		for _, pt := range s.p50 {
			cs = append(cs, pt.X)
		}
	}
	slices.Sort(cs)
	var ticks plot.ConstantTicks
	for _, c := range slices.Compact(cs) {
		ticks = append(ticks, plot.Tick{Value: c, Label: strconv.FormatFloat(c, 'f', -1, 64)})
	}
	return ticks
}

// oneTwoFive labels 1, 2 and 5 of every decade between min and max.
func oneTwoFive(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v >= min && v <= max {
				ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
			}
		}
	}
	return ticks
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
