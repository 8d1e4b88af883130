package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stride-robotics/stride/hal/canbus"
)

// example → emulator → check, and the refusals: zero without --confirm,
// run with no buses behind --bus-dir.
func TestRobotCommands(t *testing.T) {
	out, code := stride(t, "robot", "example")
	if code != 0 {
		t.Fatalf("robot example: exit %d: %s", code, out)
	}
	dir, err := os.MkdirTemp("", "strideemu") // short: socket paths are limited to 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "robot.yaml")
	yaml := out[:strings.Index(out, "# bus load")]
	if _, err := canbus.Parse("example", []byte(yaml)); err != nil {
		t.Fatalf("the example does not parse: %v", err)
	}
	if !strings.Contains(out, "can7 81 %") {
		t.Errorf("example: bus loads not printed: %s", out[strings.Index(out, "# bus load"):])
	}
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code = stride(t, "robot", "run", "--robot", file, "--bus-dir", dir, "--duration", "1s")
	if code == 0 || !strings.Contains(out, "bus can0") || !strings.Contains(out, "--emulate-bus") {
		t.Errorf("run without an emulator: exit %d: %s", code, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	emu := cliCommand(ctx, "sim", "--emulate-bus", file, "--bus-dir", dir, "--duration", "1s")
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = emu.Wait() }() // it waits for an enable that never comes
	for i := 0; i < 500; i++ {
		if _, err := os.Stat(filepath.Join(dir, "imu")); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	out, code = stride(t, "robot", "check", "--robot", file, "--bus-dir", dir)
	if code != 0 || strings.Count(out, " true ") < 24 || !strings.Contains(out, "every drive answers") {
		t.Errorf("check: exit %d: %s", code, out)
	}
	out, code = stride(t, "robot", "zero", "--robot", file, "--bus-dir", dir, "--joints", "left_knee_pitch")
	if code == 0 || !strings.Contains(out, "add --confirm") {
		t.Errorf("zero without --confirm: exit %d: %s", code, out)
	}
}
