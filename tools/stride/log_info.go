package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/stride-robotics/stride/runtime/telemetry/export"
)

type logInfoCmd struct {
	File     string `arg:"" help:"Telemetry log (.tlm)." type:"existingfile"`
	Verify   bool   `help:"Read every chunk: check its checksum, records and place in the log, and measure loop timing (reads the whole log); exit status 1 on any damage."`
	Channels bool   `help:"List every channel with its unit."`
	Events   int    `default:"20" help:"Events to list (0: none, -1: all)."`
	JSON     bool   `help:"Print JSON."`
}

func (c *logInfoCmd) Run() error {
	r, err := openLog(c.File)
	if err != nil {
		return err
	}
	defer r.Close()
	info, err := export.Describe(r, c.File, c.Verify, c.Events)
	if err != nil {
		return err
	}
	if c.Channels {
		info.ChannelList = export.ChannelList(&r.Header)
	}
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(info); err != nil {
			return err
		}
	} else {
		export.Print(os.Stdout, info)
	}
	if c.Verify && len(info.Damage) > 0 { // --verify fails on any damage: exit status 1
		return fmt.Errorf("%s: %d damaged parts (listed above)", c.File, len(info.Damage))
	}
	return nil
}
