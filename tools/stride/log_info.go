package main

import (
	"encoding/json"
	"os"

	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/runtime/telemetry/export"
)

type logInfoCmd struct {
	File     string `arg:"" help:"Telemetry log (.tlm)." type:"existingfile"`
	Verify   bool   `help:"Read every chunk: check its checksum and records, and measure loop timing (reads the whole log)."`
	Channels bool   `help:"List every channel with its unit."`
	Events   int    `default:"20" help:"Events to list (0: none, -1: all)."`
	JSON     bool   `help:"Print JSON."`
}

func (c *logInfoCmd) Run() error {
	r, err := telemetry.Open(c.File)
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
		return enc.Encode(info)
	}
	export.Print(os.Stdout, info)
	return nil
}
