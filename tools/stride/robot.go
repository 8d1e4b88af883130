package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/stride-robotics/stride/hal/canbus"
	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/sim/scene"
	"github.com/stride-robotics/stride/tools/robotrun"
)

// robotCmd deploys Stride on a robot: CAN drives and an IMU (docs/robot.md).
type robotCmd struct {
	Example robotExampleCmd `cmd:"" help:"Print a robot file for the built-in robot (or --model), with a bus layout that fits the bus load at --rate."`
	Check   robotCheckCmd   `cmd:"" help:"Talk to every drive without enabling it; print joint, bus, id, answers, position inside range, temperature, faults."`
	Run     robotRunCmd     `cmd:"" help:"Run the control loop on the robot: start guard, enable with damping, standup, stand, commands; Ctrl-C or a lost drive ends in damping, then disable."`
	Zero    robotZeroCmd    `cmd:"" help:"Set the drives' encoder zero at their current position (needs --confirm)."`
	Compare robotCompareCmd `cmd:"" help:"Compare two runs' telemetry logs (a robot run and the same run in the simulator): tracking and the latency the bus adds."`
}

// busFlags say where the robot file's buses are.
type busFlags struct {
	Robot  string `required:"" help:"Robot file (YAML; 'stride robot example' writes one)." type:"path"`
	BusDir string `help:"Use the Unix sockets DIR/can0, … (and DIR/imu) that 'stride sim --emulate-bus' serves instead of SocketCAN and the serial port." type:"path"`
}

type robotExampleCmd struct {
	Model string  `help:"MJCF or URDF file; the built-in robot when omitted." type:"path"`
	Rate  float64 `default:"1000" help:"Control rate (Hz) the bus layout must carry."`
	IMU   string  `default:"/dev/ttyUSB0" help:"The IMU's serial port; \"\" for no IMU."`
}

func (c *robotExampleCmd) Run() error {
	w, _, err := scene.New(scene.Spec{Model: c.Model})
	if err != nil {
		return err
	}
	robot, err := simhal.New(w, simParamsNone)
	if err != nil {
		return err
	}
	b, err := canbus.Example(robot.Info(), c.Rate, c.IMU)
	if err != nil {
		return err
	}
	f, _ := canbus.Parse("example", b)
	_, err = os.Stdout.Write(b)
	fmt.Print("# bus load at the rate, worst-case bit stuffing:")
	for _, l := range f.Loads() {
		fmt.Printf(" %s %.0f %%", l.Bus, 100*l.Load)
	}
	fmt.Println()
	return err
}

type robotCheckCmd struct {
	busFlags
	JSON bool `help:"Print the table as JSON."`
}

func (c *robotCheckCmd) Run() error {
	f, err := canbus.Load(c.Robot)
	if err != nil {
		return err
	}
	robot, reps, startErr := robotrun.Open(context.Background(), f, c.BusDir)
	if robot == nil {
		return startErr
	}
	defer robot.Close()
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(reps); err != nil {
			return err
		}
	} else {
		fmt.Printf("%-22s %-6s %4s %-7s %9s %-8s %6s  %s\n", "JOINT", "BUS", "ID", "ANSWERS", "Q (rad)", "IN RANGE", "TEMP", "FAULTS")
		for _, p := range reps {
			temp := "-"
			if !math.IsNaN(p.Temp) {
				temp = fmt.Sprintf("%.0f°C", p.Temp)
			}
			fmt.Printf("%-22s %-6s %4d %-7v %9.3f %-8v %6s  %v\n", p.Joint, p.Bus, p.ID, p.Answers, p.Q, p.InRange, temp, p.Fault)
		}
		for _, l := range f.Loads() {
			fmt.Printf("bus %s: %d drives, worst-case load %.0f %% at %g Hz\n", l.Bus, l.Drives, 100*l.Load, f.Rate)
		}
	}
	if startErr != nil {
		return fmt.Errorf("not ready: %w", startErr)
	}
	fmt.Fprintln(os.Stderr, "stride robot check: every drive answers, every joint inside its range")
	return nil
}

type robotZeroCmd struct {
	busFlags
	Joints  string `help:"Joints to zero, comma-separated, or 'all'." required:""`
	Confirm bool   `help:"Confirm: the named joints are in their zero pose now. Without it nothing is sent."`
}

func (c *robotZeroCmd) Run() error {
	f, err := canbus.Load(c.Robot)
	if err != nil {
		return err
	}
	var idx []int
	for _, name := range strings.Split(c.Joints, ",") {
		found := false
		for i, j := range f.Joints {
			if name == "all" || j.Name == strings.TrimSpace(name) {
				idx, found = append(idx, i), true
			}
		}
		if !found {
			return fmt.Errorf("--joints: %q is not a joint of %s", name, c.Robot)
		}
	}
	if !c.Confirm {
		return fmt.Errorf("zeroing %d drive(s) sets their encoder zero where they stand now; place the joints in their zero pose and add --confirm", len(idx))
	}
	robot, err := canbus.Open(f, canbus.Options{BusDir: c.BusDir, NoIMU: true})
	if err != nil {
		return err
	}
	defer robot.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := robot.Zero(ctx, idx); err != nil {
		return err
	}
	reps, err := robot.Probe(ctx, 200*time.Millisecond)
	if err != nil {
		return err
	}
	for _, i := range idx {
		fmt.Printf("%s: zeroed, now reads %.4f rad (the file's zero offset applies on top: set zero: 0 for it)\n", reps[i].Joint, reps[i].Q)
	}
	return nil
}
