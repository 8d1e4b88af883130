package logplot

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/runtime/telemetry/export"
)

// Spec is what to plot.
type Spec struct {
	Panels        [][]export.Column // each panel's columns, top to bottom
	Titles        []string          // each panel's title
	From, To      float64           // s of log time
	Points        int               // time buckets per series: longer series are drawn as each bucket's min and max
	Width, Height int               // pixels
}

// Write reads the ticks from Spec.From to Spec.To once and draws the
// panels into a PNG at out. It returns the ticks read; none is an error.
func Write(out string, r *telemetry.Reader, s Spec) (int, error) {
	f, err := os.Create(out)
	if err != nil {
		return 0, err
	}
	n, err := Render(f, r, s)
	return n, errors.Join(err, f.Close())
}

// Render is Write to w (a file the caller opened through its own guard).
func Render(w io.Writer, r *telemetry.Reader, s Spec) (int, error) {
	if len(s.Panels) == 0 || len(s.Titles) != len(s.Panels) {
		return 0, fmt.Errorf("logplot: %d panels with %d titles", len(s.Panels), len(s.Titles))
	}
	data, n, err := collectSeries(r, s.Panels, s.From, s.To, s.Points)
	if err != nil {
		return n, err
	}
	if n == 0 {
		return 0, fmt.Errorf("no ticks between --from %g and --to %g s", s.From, s.To)
	}
	return n, drawPanels(w, r, s.Panels, s.Titles, data, s.Width, s.Height)
}

// series is one column's points, reduced to min/max per time bucket.
type series struct {
	pts    plotter.XYs
	bucket int
	lo, hi plotter.XY
	has    bool
	t0, dt float64
	reduce bool
}

func (s *series) add(t, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	if !s.reduce {
		s.pts = append(s.pts, plotter.XY{X: t, Y: v})
		return
	}
	b := int((t - s.t0) / s.dt)
	if s.has && b != s.bucket {
		s.flush()
	}
	if !s.has {
		s.bucket, s.lo, s.hi, s.has = b, plotter.XY{X: t, Y: v}, plotter.XY{X: t, Y: v}, true
		return
	}
	if v < s.lo.Y {
		s.lo = plotter.XY{X: t, Y: v}
	}
	if v > s.hi.Y {
		s.hi = plotter.XY{X: t, Y: v}
	}
}

func (s *series) flush() {
	if !s.has {
		return
	}
	a, b := s.lo, s.hi
	if b.X < a.X {
		a, b = b, a
	}
	s.pts = append(s.pts, a)
	if b != a {
		s.pts = append(s.pts, b)
	}
	s.has = false
}

// collectSeries streams the ticks once, filling every panel's series.
func collectSeries(r *telemetry.Reader, panels [][]export.Column, from, to float64, points int) ([][]*series, int, error) {
	sum := r.Summary()
	t0, t1 := math.Max(from, sum.Start), math.Min(to, sum.End)
	ticks := float64(sum.Ticks) * math.Max(0, t1-t0) / math.Max(sum.End-sum.Start, 1e-9)
	reduce := ticks > 2*float64(points)
	dt := math.Max(t1-t0, 1e-9) / float64(points)
	out := make([][]*series, len(panels))
	for i, p := range panels {
		for range p {
			out[i] = append(out[i], &series{t0: t0, dt: dt, reduce: reduce})
		}
	}
	n := 0
	for t, err := range r.Ticks(from, to) {
		if err != nil {
			return nil, n, err
		}
		for i, p := range panels {
			for j := range p {
				out[i][j].add(t.Time, p[j].Get(t))
			}
		}
		n++
	}
	for _, p := range out {
		for _, s := range p {
			s.flush()
		}
	}
	return out, n, nil
}

// maxLegend is how many channels of a panel get a colour and a legend entry.
const maxLegend = 8

// palette holds distinct colours for a panel's leading channels.
var palette = []color.Color{
	color.RGBA{0x1f, 0x77, 0xb4, 0xff}, color.RGBA{0xd6, 0x27, 0x28, 0xff}, color.RGBA{0x2c, 0xa0, 0x2c, 0xff},
	color.RGBA{0xff, 0x7f, 0x0e, 0xff}, color.RGBA{0x94, 0x67, 0xbd, 0xff}, color.RGBA{0x8c, 0x56, 0x4b, 0xff},
	color.RGBA{0xe3, 0x77, 0xc2, 0xff}, color.RGBA{0x17, 0xbe, 0xcf, 0xff},
}

func drawPanels(out io.Writer, r *telemetry.Reader, panels [][]export.Column, titles []string, data [][]*series, w, h int) error {
	const dpi = 96
	plots := make([][]*plot.Plot, len(panels))
	for i, cols := range panels {
		p := plot.New()
		unit := cols[0].Unit
		for _, c := range cols {
			if c.Unit != unit {
				unit = "mixed units"
			}
		}
		title := titles[i]
		if len(cols) > 1 {
			title = fmt.Sprintf("%s (%d channels)", title, len(cols))
		}
		p.Title.Text = title
		p.Y.Label.Text = unit
		if i == len(panels)-1 {
			p.X.Label.Text = fmt.Sprintf("time (s) — %s, %s", r.Header.Robot, r.Header.Start.UTC().Format("2006-01-02 15:04 MST"))
		}
		p.Add(plotter.NewGrid())
		// With many channels, the few with the largest peaks get colours
		// and a legend; the rest are drawn thin and grey behind them.
		rank := make([]int, len(cols))
		peak := make([]float64, len(cols))
		for j := range cols {
			rank[j] = j
			for _, pt := range data[i][j].pts {
				peak[j] = math.Max(peak[j], math.Abs(pt.Y))
			}
		}
		sort.SliceStable(rank, func(a, b int) bool { return peak[rank[a]] > peak[rank[b]] })
		top := min(len(cols), maxLegend)
		var others *plotter.Line
		legend := make([]*plotter.Line, top)
		for k := len(rank) - 1; k >= 0; k-- { // the greys first, underneath
			j := rank[k]
			c, s := cols[j], data[i][j]
			if len(s.pts) == 0 {
				continue
			}
			line, err := plotter.NewLine(s.pts)
			if err != nil {
				return fmt.Errorf("%s: %w", c.Name, err)
			}
			line.Width = vg.Points(1.2)
			if k < top {
				line.Color = palette[k%len(palette)]
				legend[k] = line
			} else {
				line.Color, line.Width = color.Gray{0xb0}, vg.Points(0.7)
				others = line
			}
			p.Add(line)
		}
		for k, line := range legend {
			if line != nil {
				p.Legend.Add(cols[rank[k]].Name, line)
			}
		}
		if others != nil {
			p.Legend.Add(fmt.Sprintf("%d others", len(cols)-top), others)
		}
		p.Legend.Top = true
		plots[i] = []*plot.Plot{p}
	}
	img := vgimg.NewWith(vgimg.UseWH(vg.Length(w)*vg.Inch/dpi, vg.Length(h)*vg.Inch/dpi), vgimg.UseDPI(dpi))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(12), PadY: vg.Points(10)}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(out)
	return err
}
