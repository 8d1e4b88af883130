package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/stride-robotics/stride/tools/robotrun"
)

type robotCompareCmd struct {
	RunLog    string `arg:"" name:"run" help:"The run's log (e.g. 'stride robot run --log')." type:"path"`
	Reference string `arg:"" help:"The reference run's log (e.g. 'stride sim --realtime --log' of the same run)." type:"path"`
	JSON      bool   `help:"Print the comparison as JSON."`
}

func (c *robotCompareCmd) Run() error {
	cmp, err := robotrun.Compare(c.RunLog, c.Reference)
	if err != nil {
		return err
	}
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(cmp)
	}
	for _, f := range []robotrun.Figures{cmp.Run, cmp.Reference} {
		fmt.Printf("%s (%s): %d ticks, final mode %s\n", f.Path, f.Source, f.Ticks, f.ModeAtEnd)
		fmt.Printf("  stand tracking over %d ticks: RMS %.5f rad, max %.5f rad\n", f.Tracking.Ticks, f.Tracking.RMS, f.Tracking.Max)
		fmt.Printf("  standup lag %.1f ms (RMS %.5f rad at that lag, %d ticks)\n", f.Lag*1e3, f.LagRMS, f.StandupTicks)
		fmt.Printf("  lateness p50 %.1f µs, p99 %.1f µs, max %.1f µs\n", f.LatenessP50*1e6, f.LatenessP99*1e6, f.LatenessMax*1e6)
	}
	fmt.Printf("tracking RMS difference %+.5f rad; latency added %+.1f ms\n", cmp.TrackingRMSDiff, cmp.AddedLatency*1e3)
	return nil
}
