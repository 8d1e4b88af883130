package main

import (
	"fmt"
	"os"

	"github.com/stride-robotics/stride/runtime/telemetry"
)

// logCmd is `stride log …`: tools for telemetry logs (docs/telemetry.md).
// The formats and the analysis live in runtime/telemetry/export (columns,
// CSV, MCAP, info), runtime/telemetry/plot and hal/playback (rerun).
type logCmd struct {
	Info   logInfoCmd   `cmd:"" help:"Summarise a log: duration, ticks, rate, channels, dropped records, faults, gaps, damage."`
	Export logExportCmd `cmd:"" help:"Export a log as CSV (--csv) or MCAP (--mcap, for Foxglove Studio and PlotJuggler)."`
	Plot   logPlotCmd   `cmd:"" help:"Plot channels of a log against time into a PNG, one panel per --channels."`
	Replay logReplayCmd `cmd:"" help:"Play a log back in the viewer (ground truth or estimate) with pause, speed and scrub; --text prints the states."`
	Rerun  logRerunCmd  `cmd:"" help:"Feed a log's recorded sensors through the controller again and report the difference from the logged commands."`
}

// reportDamage tells on stderr what could not be read.
func reportDamage(r *telemetry.Reader) {
	for _, d := range r.Damage() {
		fmt.Fprintf(os.Stderr, "stride: damaged log, skipped %s\n", d)
	}
}
