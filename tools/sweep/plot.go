package sweep

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

var plotColors = []color.Color{
	color.RGBA{31, 119, 180, 255}, color.RGBA{255, 127, 14, 255}, color.RGBA{44, 160, 44, 255},
	color.RGBA{214, 39, 40, 255}, color.RGBA{148, 103, 189, 255}, color.RGBA{140, 86, 75, 255},
	color.RGBA{227, 119, 194, 255}, color.RGBA{127, 127, 127, 255},
}

// maxGroups bounds the lines of one plot (one per value combination of
// the other parameters); more are drawn as points only.
const maxGroups = 8

// Plot writes, for each numeric parameter, a PNG of each metric's mean
// (± one standard deviation over the seeds) against it — a line per
// combination of the other parameters — and one of the fall rate, into
// dir as METRIC-vs-PARAM.png. It returns the files written.
func Plot(dir string, sets []SetSummary, params, metrics []string) ([]string, error) {
	var files []string
	for _, p := range params {
		numeric := true
		for _, s := range sets {
			if _, ok := s.Params[p].(float64); !ok {
				numeric = false
			}
		}
		if !numeric {
			continue
		}
		for _, m := range append(append([]string(nil), metrics...), "fall_rate") {
			name := filepath.Join(dir, fileSafe(m)+"-vs-"+fileSafe(p)+".png")
			if err := plotOne(name, sets, p, params, m); err != nil {
				return files, err
			}
			files = append(files, name)
		}
	}
	return files, nil
}

func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == '\\' {
			return '_'
		}
		return r
	}, s)
}

func plotOne(name string, sets []SetSummary, p string, params []string, m string) error {
	// Group by the other parameters' values.
	type pt struct{ x, y, e float64 }
	groups := map[string][]pt{}
	var keys []string
	for _, s := range sets {
		var label []string
		for _, q := range params {
			if q != p {
				label = append(label, fmt.Sprintf("%s=%v", q, s.Params[q]))
			}
		}
		k := strings.Join(label, " ")
		y, e := s.FallRate(), 0.0
		if m != "fall_rate" {
			v, ok := s.Mean[m]
			if !ok {
				continue
			}
			y, e = v, s.Std[m]
		}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], pt{s.Params[p].(float64), y, e})
	}
	pl := plot.New()
	pl.Title.Text = m + " vs " + p
	pl.X.Label.Text = p
	pl.Y.Label.Text = m
	if m == "fall_rate" {
		pl.Y.Min, pl.Y.Max = -0.02, 1.05
	} else {
		pl.Y.Label.Text += " (mean ± std over seeds)"
	}
	pl.Add(plotter.NewGrid())
	for i, k := range keys {
		g := groups[k]
		sort.SliceStable(g, func(a, b int) bool { return g[a].x < g[b].x })
		xys := make(plotter.XYs, len(g))
		errs := make(plotter.YErrors, len(g))
		for j, q := range g {
			xys[j] = plotter.XY{X: q.x, Y: q.y}
			errs[j] = struct{ Low, High float64 }{q.e, q.e}
		}
		col := plotColors[i%len(plotColors)]
		pts, err := plotter.NewScatter(xys)
		if err != nil {
			return err
		}
		pts.Color = col
		pts.Shape = draw.CircleGlyph{}
		pl.Add(pts)
		if i < maxGroups {
			line, err := plotter.NewLine(xys)
			if err != nil {
				return err
			}
			line.Color = col
			pl.Add(line)
			if m != "fall_rate" {
				eb, err := plotter.NewYErrorBars(struct {
					plotter.XYs
					plotter.YErrors
				}{xys, errs})
				if err != nil {
					return err
				}
				eb.Color = col
				pl.Add(eb)
			}
			if k != "" {
				pl.Legend.Add(k, line)
			}
		}
	}
	pl.Legend.Top = true
	pl.Legend.Left = true
	img := vgimg.NewWith(vgimg.UseWH(7*vg.Inch, 4.5*vg.Inch), vgimg.UseDPI(96))
	pl.Draw(draw.New(img))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return err
	}
	return writeAtomic(name, buf.Bytes())
}

// PlotSearch writes a PNG of an optimiser run: the objective of every
// point that met the constraints in the order evaluated (infeasible points
// as crosses at the bottom), the best so far, and the default's level.
func PlotSearch(name string, points []*Eval, o Objective, def *Eval) error {
	pl := plot.New()
	pl.Title.Text = "CMA-ES: " + o.Metric + " (" + o.Goal + ")"
	pl.X.Label.Text = "point, in the order evaluated"
	pl.Y.Label.Text = o.Metric + " (mean over seeds)"
	pl.Add(plotter.NewGrid())
	var feas, bad, best plotter.XYs
	lo := math.Inf(1)
	have := false
	cur := 0.0
	for i, e := range points {
		v, ok := e.Mean[o.Metric]
		if !e.Feas || !ok {
			bad = append(bad, plotter.XY{X: float64(i + 1)})
			continue
		}
		feas = append(feas, plotter.XY{X: float64(i + 1), Y: v})
		lo = math.Min(lo, v)
		if !have || (o.Goal == "max" && v > cur) || (o.Goal != "max" && v < cur) {
			cur, have = v, true
		}
		best = append(best, plotter.XY{X: float64(i + 1), Y: cur})
	}
	if len(feas) > 0 {
		sc, err := plotter.NewScatter(feas)
		if err != nil {
			return err
		}
		sc.Color, sc.Shape = plotColors[0], draw.CircleGlyph{}
		pl.Add(sc)
		pl.Legend.Add("feasible point", sc)
		ln, err := plotter.NewLine(best)
		if err != nil {
			return err
		}
		ln.Color, ln.Width = plotColors[2], vg.Points(2)
		pl.Add(ln)
		pl.Legend.Add("best so far", ln)
	}
	if len(bad) > 0 {
		y := 0.0
		if len(feas) > 0 {
			y = lo * 0.9
		}
		for i := range bad {
			bad[i].Y = y
		}
		sc, err := plotter.NewScatter(bad)
		if err != nil {
			return err
		}
		sc.Color, sc.Shape = plotColors[3], draw.CrossGlyph{}
		pl.Add(sc)
		pl.Legend.Add("infeasible (fell or broke a bound)", sc)
	}
	if def != nil {
		if v, ok := def.Mean[o.Metric]; ok && len(points) > 0 {
			ln, err := plotter.NewLine(plotter.XYs{{X: 1, Y: v}, {X: float64(len(points)), Y: v}})
			if err != nil {
				return err
			}
			ln.Color, ln.Dashes = plotColors[7], []vg.Length{vg.Points(4), vg.Points(3)}
			pl.Add(ln)
			label := "default"
			if !def.Feas {
				label += " (infeasible: " + def.Why + ")"
			}
			pl.Legend.Add(label, ln)
		}
	}
	pl.Legend.Top = true
	img := vgimg.NewWith(vgimg.UseWH(7*vg.Inch, 4.5*vg.Inch), vgimg.UseDPI(96))
	pl.Draw(draw.New(img))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return err
	}
	return writeAtomic(name, buf.Bytes())
}
