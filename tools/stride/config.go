package main

import (
	"os"

	"github.com/stride-robotics/stride/runtime"
)

// configCmd shows the runtime configuration.
type configCmd struct {
	Print configPrintCmd `cmd:"" help:"Print the effective runtime config: the built-in defaults, or --config FILE over them, each key with its unit and allowed range. The output loads again with --config."`
}

type configPrintCmd struct {
	Config string `help:"Config file (YAML) to read over the defaults; it is validated first." type:"path"`
}

func (c *configPrintCmd) Run() error {
	cfg, err := runtime.Load(c.Config)
	if err != nil {
		return err
	}
	out, err := cfg.Print()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}
