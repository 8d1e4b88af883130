package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/stride-robotics/stride/sim/inspect"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
)

type modelCmd struct {
	Info   modelInfoCmd   `cmd:"" help:"Print bodies, joints with limits, actuators, total mass and nq/nv/nu."`
	Fd     modelFdCmd     `cmd:"" name:"fd" help:"Read rows 'qpos…,qvel…,tau…' from stdin; write 'qacc…,bias…' (constraints off, passive forces on)."`
	Export modelExportCmd `cmd:"" help:"Print the built-in robot's MJCF (it also loads in MuJoCo)."`
}

func loadModel(path string) (*rbd.Model, error) { return models.Load(path) }

type modelInfoCmd struct {
	File string `arg:"" optional:"" help:"MJCF (.xml) or URDF (.urdf) file; the built-in robot when omitted."`
	JSON bool   `help:"Print JSON for machines."`
}

func (c *modelInfoCmd) Run() error {
	m, err := loadModel(c.File)
	if err != nil {
		return err
	}
	info := inspect.Describe(m)
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	return inspect.Print(os.Stdout, &info)
}

type modelExportCmd struct{}

func (c *modelExportCmd) Run() error {
	_, err := os.Stdout.Write(models.BuiltinMJCF())
	return err
}

type modelFdCmd struct {
	File  string   `arg:"" optional:"" help:"MJCF or URDF file; the built-in robot when omitted."`
	Check bool     `help:"The input also has the reference columns qacc…,bias… (as ../shared/peer/fdref writes): print the largest differences instead of rows, and fail beyond --rtol/--atol."`
	Rtol  *float64 `help:"Relative tolerance for --check (default 1e-8; finite, > 0)."`
	Atol  *float64 `help:"Absolute tolerance for --check (default 1e-9; finite, ≥ 0)."`
}

// Run reads states in the column layout of fdref.c: qpos (nq), qvel (nv),
// tau (nv) — and with --check also qacc (nv), bias (nv) — one row per line,
// comma-separated, with an optional header line. For each row it writes qacc
// (forward dynamics with passive forces and without constraints: M·qacc = tau
// + passive − bias) and bias (inverse dynamics at zero acceleration).
func (c *modelFdCmd) Run() error {
	rtol, atol := 1e-8, 1e-9
	if !c.Check && (c.Rtol != nil || c.Atol != nil) {
		return errors.New("--rtol and --atol are the tolerances of --check; without --check they would be ignored")
	}
	if c.Rtol != nil {
		rtol = *c.Rtol
	}
	if c.Atol != nil {
		atol = *c.Atol
	}
	if !(rtol > 0) || math.IsInf(rtol, 0) {
		return fmt.Errorf("--rtol %g: want a finite tolerance > 0", rtol)
	}
	if !(atol >= 0) || math.IsInf(atol, 0) {
		return fmt.Errorf("--atol %g: want a finite tolerance ≥ 0", atol)
	}
	m, err := loadModel(c.File)
	if err != nil {
		return err
	}
	modelWarnings(m.Warnings) // model info prints them with the model
	return inspect.FD(m, os.Stdin, os.Stdout, c.Check, rtol, atol)
}
