package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/stride-robotics/stride/runtime/telemetry/export"
	"github.com/stride-robotics/stride/runtime/telemetry/logplot"
)

type logPlotCmd struct {
	File     string   `arg:"" help:"Telemetry log (.tlm)." type:"existingfile"`
	Channels []string `required:"" sep:"none" help:"A panel's channels, comma-separated globs (truth.speed; tau.*; cmd.q.left_*). Repeat for more panels, stacked top to bottom." placeholder:"GLOBS"`
	Out      string   `short:"o" required:"" help:"PNG file to write." type:"path" placeholder:"OUT.png"`
	From     float64  `default:"-Inf" help:"First time to plot, s of log time."`
	To       float64  `default:"+Inf" help:"Last time to plot, s of log time."`
	Size     string   `default:"1600x1000" help:"Image size, WIDTHxHEIGHT pixels."`
	Points   int      `default:"2000" help:"Time buckets per series: longer logs are drawn as each bucket's min and max, so memory stays small."`
	Force    bool     `help:"Replace output files that already exist (never one of the command's own inputs)."`
}

func (c *logPlotCmd) Run() error {
	if !strings.HasSuffix(strings.ToLower(c.Out), ".png") {
		return fmt.Errorf("-o %s: the plot is written as PNG; name it .png", c.Out)
	}
	if err := export.CheckRange(c.From, c.To); err != nil {
		return err
	}
	var w, h int
	if _, err := fmt.Sscanf(c.Size, "%dx%d", &w, &h); err != nil || w < 200 || h < 150 || w > 10000 || h > 10000 {
		return fmt.Errorf("--size %q: want WIDTHxHEIGHT pixels, e.g. 1600x1000 (200x150 to 10000x10000)", c.Size)
	}
	if c.Points < 10 || c.Points > 1_000_000 {
		return fmt.Errorf("--points %d: want 10 to 1,000,000", c.Points)
	}
	if err := checkOutputs(c.Force, []string{c.File}, c.Out); err != nil {
		return err
	}
	r, err := openLog(c.File)
	if err != nil {
		return err
	}
	defer r.Close()
	var panels [][]export.Column
	for _, p := range c.Channels {
		cols, err := export.Select(&r.Header, []string{p})
		if err != nil {
			return err
		}
		panels = append(panels, cols)
	}
	var n int
	err = writeOutput(c.Out, c.Force, []string{c.File}, func(out io.Writer) (err error) {
		n, err = logplot.Render(out, r, logplot.Spec{Panels: panels, Titles: c.Channels, From: c.From, To: c.To, Points: c.Points, Width: w, Height: h})
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d panels, %d ticks from %s\n", c.Out, len(panels), n, c.File)
	reportDamage(r)
	return nil
}
