package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/stride-robotics/stride/runtime/telemetry/export"
)

type logExportCmd struct {
	File     string   `arg:"" help:"Telemetry log (.tlm)." type:"existingfile"`
	CSV      string   `name:"csv" help:"Write the ticks as CSV: a header row of channel names, one row per tick." type:"path" placeholder:"OUT.csv"`
	MCAP     string   `name:"mcap" help:"Write an MCAP file: one JSON topic per channel group (/q, /cmd, /truth, …) and /events." type:"path" placeholder:"OUT.mcap"`
	Channels []string `sep:"none" help:"Channels to export, comma-separated globs (time,q.*,truth.speed); default: all. Repeatable." placeholder:"GLOBS"`
	From     float64  `default:"-Inf" help:"First time to export, s of log time."`
	To       float64  `default:"+Inf" help:"Last time to export, s of log time."`
	Force    bool     `help:"Replace output files that already exist (never one of the command's own inputs)."`
}

func (c *logExportCmd) Run() error {
	if (c.CSV == "") == (c.MCAP == "") {
		return errors.New("give exactly one of --csv OUT.csv or --mcap OUT.mcap")
	}
	if err := export.CheckRange(c.From, c.To); err != nil {
		return err
	}
	if err := checkOutputs(c.Force, []string{c.File}, c.CSV, c.MCAP); err != nil {
		return err
	}
	r, err := openLog(c.File)
	if err != nil {
		return err
	}
	defer r.Close()
	cols := export.AllColumns(&r.Header)
	if len(c.Channels) > 0 {
		if cols, err = export.Select(&r.Header, c.Channels); err != nil {
			return err
		}
		if c.CSV != "" {
			cols = export.WithTime(&r.Header, cols)
		}
	}
	out, dest := c.CSV, "CSV"
	if c.MCAP != "" {
		out, dest = c.MCAP, "MCAP"
	}
	var n, events int
	err = writeOutput(out, c.Force, []string{c.File}, func(f io.Writer) (err error) {
		if c.CSV != "" {
			n, err = export.WriteCSV(f, r, cols, c.From, c.To)
		} else {
			n, events, err = export.WriteMCAP(f, r, cols, c.From, c.To)
		}
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d ticks × %d channels", out, n, len(cols))
	if dest == "MCAP" {
		fmt.Printf(", %d events", events)
	}
	fmt.Println()
	reportDamage(r)
	return nil
}
