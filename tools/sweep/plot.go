package sweep

import (
	"bytes"
	"fmt"
	"image/color"
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
