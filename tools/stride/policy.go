package main

import (
	"fmt"

	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/tools/policyrun"
)

// policyCmd inspects learned policies (tools/policyrun; docs/policy.md).
type policyCmd struct {
	Info  policyInfoCmd  `cmd:"" help:"Print an ONNX policy's graph: inputs, outputs, nodes with their output shapes and parameters, the parameter count."`
	Check policyCheckCmd `cmd:"" help:"Check a policy and its config against a robot model without running them: names, sizes, joints, ranges."`
}

type policyInfoCmd struct {
	File string `arg:"" help:"The policy (ONNX)." type:"path"`
}

func (c *policyInfoCmd) Run() error {
	s, err := policyrun.Info(c.File)
	if err != nil {
		return err
	}
	fmt.Print(s)
	return nil
}

type policyCheckCmd struct {
	Policy       string `required:"" help:"The policy (ONNX)." type:"path"`
	PolicyConfig string `required:"" help:"The policy's config (YAML; docs/policy.md)." type:"path"`
	Model        string `help:"MJCF (.xml) or URDF (.urdf) file of the robot; the built-in robot when omitted." type:"path"`
}

func (c *policyCheckCmd) Run() error {
	m, err := models.Load(c.Model)
	if err != nil {
		return err
	}
	s, err := policyrun.Check(c.Policy, c.PolicyConfig, m)
	fmt.Print(s)
	return err
}

// policyController is the controller locomotion mode runs with
// --controller policy, for the simulated robot; nil otherwise (the walker).
func (c *simCmd) policyController(robot *simhal.Robot) (runtime.Controller, error) {
	if c.Controller != "policy" {
		return nil, nil
	}
	return policyrun.Controller(c.Policy, c.PolicyConfig, robot.Info().JointNames())
}

// robotPolicy is the controller `stride robot run --controller policy` runs
// in locomotion mode for the robot file's joints; nil for another
// --controller, which may not be given policy files.
func robotPolicy(controller, net, cfg string, joints []string) (runtime.Controller, error) {
	if controller != "policy" {
		var u unused
		u.add(net != "", "--policy")
		u.add(cfg != "", "--policy-config")
		return nil, u.err("without --controller policy")
	}
	return policyrun.Controller(net, cfg, joints)
}
