package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// strideIn is stride with text on standard input.
func strideIn(t *testing.T, stdin string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := cliCommand(ctx, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	_ = cmd.Run()
	return out.String(), cmd.ProcessState.ExitCode()
}

// No silent wrong answers: numeric flags are checked before use, input rows
// that do not parse are errors with their line, a check with no input
// fails, flags a mode would ignore are refused, and the loader's warnings
// reach the commands that load a model.
func TestNoSilentWrongAnswers(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "run.stl")
	if out, code := stride(t, "sim", "--headless", "--duration", "200ms", "--log", log); code != 0 {
		t.Fatalf("making a log: %d\n%s", code, out)
	}
	sim := []string{"sim", "--headless", "--duration", "100ms"}
	fifo := filepath.Join(dir, "out.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{"model", "fd", "--check", "--rtol", "NaN"}, "--rtol NaN: want a finite tolerance > 0"},
		{"", []string{"model", "fd", "--check", "--atol=-1"}, "--atol -1: want a finite tolerance ≥ 0"},
		{"", []string{"model", "fd", "--rtol", "1e-3"}, "--rtol and --atol are the tolerances of --check"},
		{"", []string{"model", "fd", "--check"}, "stdin: no rows"},
		{"", []string{"model", "fd"}, "stdin: no rows"},
		{"1 2 3\n", []string{"model", "fd"}, "stdin:1: 1 comma-separated columns, want at least 91"},
		{strings.Repeat("0,", 90) + "NaN\n", []string{"model", "fd"}, `stdin:1: column 91: "NaN" is not a finite number`},
		{strings.Repeat("0,", 90) + "0\n" + strings.Repeat("0,", 45) + "\x00" + strings.Repeat(",0", 45) + "\n", []string{"model", "fd"}, `stdin:2: column 46: "\x00" is not a finite number`},
		{"", []string{"log", "rerun", log, "--tol", "NaN"}, "--tol NaN: want a finite number ≥ 0"},
		{"", []string{"log", "rerun", log, "--tol=-1"}, "--tol -1"},
		{"", append(sim, "--terrain", "flat:3"), `--terrain flat:3: flat takes no value`},
		{"", append(sim, "--terrain", "slope:NaN"), `slope must be within ±45 degrees`},
		{"", append(sim, "--key=-5"), "--key -5: want a keyframe index"},
		{"", append(sim, "--key", "7"), "--key 7: model"},
		{"", append(sim, "--record-fps", "60"), "--record-fps: without --record would be ignored"},
		{"", append(sim, "--seed", "7"), "--seed: without --noise"},
		{"", append(sim, "--fast", "--paused"), "--fast, --paused: without a viewer window would be ignored"},
		{"", append(sim, "--camera", "top"), "--camera: in a headless run"},
		{"", append(sim, "--kp", "NaN"), "stand.kp"},
		{"", append(sim, "--dt", "0"), "--dt 0s: want a positive physics timestep"},
		{"", append(sim, "--terrain", ""), `--terrain "": want flat`},
		{"", []string{"sim", "--headless", "--duration", "1ns"}, "--duration 1ns: shorter than one control period (1ms at loop.rate 1000 Hz)"},
		{"", []string{"bench", "sim", "--dt", "0s"}, "--dt 0s: want a positive timestep"},
		{"", []string{"bench", "sim", "--dt=-1ms"}, "--dt -1ms: want a positive timestep"},
		{"", []string{"bench", "sim", "--zoo", "--kp", "300"}, "--kp: with --zoo (each zoo model has its own) would be ignored"},
		{"", []string{"bench", "sim", "--only", "builtin"}, "--only: without --zoo would be ignored"},
		{"", []string{"log", "replay", log, "--text", "--from", "NaN"}, "--from NaN: want a time"},
		{"", []string{"log", "replay", log, "--text", "--from", "1e9"}, "--from 1e+09: the log runs from 0.000 to 0.199 s"},
		{"", []string{"sim", "--headless", "--duration", "50ms", "--log", fifo}, "is a named pipe that no process is reading"},
		{"", []string{"log", "export", log, "--csv", filepath.Join(dir, "x.csv"), "--to", "NaN"}, "want from ≤ to"},
		{"", []string{"model", "info", filepath.Join(dir, "none.xml")}, "none.xml: no such file or directory"},
		{"", []string{"log", "replay", log, "--every", "1s"}, "--every: without --text would be ignored"},
		{"", []string{"log", "replay", log, "--text", "--speed", "2"}, "--speed: without the replay window"},
	} {
		out, code := strideIn(t, tc.stdin, tc.args...)
		if code == 0 || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, output\n%.600s\nwant an error containing %q", tc.args, code, out, tc.want)
		}
		for _, bad := range []string{"strconv.", "bufio.", "panic", "goroutine "} {
			if strings.Contains(out, bad) {
				t.Errorf("%v: output holds %q:\n%.600s", tc.args, bad, out)
			}
		}
	}
	// The loader's warning about a missing mesh reaches `stride sim`.
	model := filepath.Join(dir, "m.xml")
	if err := os.WriteFile(model, []byte(`<mujoco><asset><mesh name="m" file="gone.stl"/></asset>
<worldbody><body name="b" pos="0 0 1"><freejoint/><geom type="mesh" mesh="m"/><geom type="box" size=".1 .1 .1"/></body></worldbody></mujoco>`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ := stride(t, "sim", "--headless", "--duration", "100ms", "--model", model)
	if !strings.Contains(out, `stride sim: note: mjcf: m.xml:1: mesh file "gone.stl" not found`) {
		t.Errorf("sim dropped the loader's warning:\n%s", out)
	}
	out, _ = strideIn(t, "", "model", "fd", model)
	if !strings.Contains(out, `stride: model warning: mjcf: m.xml:1: mesh file "gone.stl" not found`) {
		t.Errorf("model fd dropped the loader's warning:\n%s", out)
	}
}

// Every input must be a regular file: a named pipe or device is refused by
// name at once (never opened for reading, so nothing blocks or runs out of
// memory).
func TestInputsMustBeRegularFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"log.stl", "model.xml", "c.yaml", "s.yaml"} {
		if err := syscall.Mkfifo(filepath.Join(dir, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := func(n string) string { return filepath.Join(dir, n) }
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"log", "info", p("log.stl")}, "log.stl: is a named pipe (FIFO), not a regular file"},
		{[]string{"log", "export", p("log.stl"), "--csv", p("out.csv")}, "log.stl: is a named pipe (FIFO)"},
		{[]string{"model", "info", p("model.xml")}, "model.xml: is a named pipe (FIFO)"},
		{[]string{"sim", "--headless", "--duration", "100ms", "--config", p("c.yaml")}, "c.yaml: is a named pipe (FIFO)"},
		{[]string{"sim", "--headless", "--duration", "100ms", "--commands", p("s.yaml")}, "s.yaml: is a named pipe (FIFO)"},
		{[]string{"sim", "--headless", "--duration", "100ms", "--commands", "/dev/zero"}, "/dev/zero: is a character device, not a regular file"},
		{[]string{"sim", "--headless", "--duration", "100ms", "--model", p("model.xml")}, "model.xml: is a named pipe (FIFO)"},
	} {
		out, code := stride(t, tc.args...) // stride's 2-minute timeout fails a run that blocks
		if code == 0 || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, output\n%.600s\nwant an error containing %q", tc.args, code, out, tc.want)
		}
	}
	if _, err := os.Stat(p("out.csv")); err == nil {
		t.Error("a refused export left its output")
	}
}

// A flag a mode does not use is refused even when given with its default
// value: being on the command line is what counts, not the value.
func TestUnusedFlagsGivenWithTheirDefaults(t *testing.T) {
	log := filepath.Join(t.TempDir(), "run.stl")
	if out, code := stride(t, "sim", "--headless", "--duration", "100ms", "--log", log); code != 0 {
		t.Fatalf("making a log: %d\n%s", code, out)
	}
	sim := []string{"sim", "--headless", "--duration", "100ms"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{append(sim, "--record-fps", "30"), "--record-fps: without --record would be ignored"},
		{append(sim, "--seed=1"), "--seed: without --noise"},
		{append(sim, "--slow", "1", "--push", "20", "--fast=false"), "--fast, --slow, --push: without a viewer window would be ignored"},
		{append(sim, "--size", "1280x720", "--camera", "follow"), "--size, --camera: in a headless run"},
		{append(sim, "--emu-drop", "0", "--emu-latency", "100us"), "--emu-latency, --emu-drop: without --emulate-bus would be ignored"},
		{append(sim, "--bus-dir", t.TempDir()), "--bus-dir: without --emulate-bus would be ignored"},
		{[]string{"log", "replay", log, "--every", "100ms"}, "--every: without --text would be ignored"},
		{[]string{"log", "replay", log, "--text", "--speed", "1"}, "--speed: without the replay window"},
	} {
		if out, code := stride(t, tc.args...); code == 0 || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, output\n%.600s\nwant an error containing %q", tc.args, code, out, tc.want)
		}
	}
	// Where the mode uses them, the same flags run.
	if out, code := stride(t, append(sim, "--noise", "--seed", "1")...); code != 0 {
		t.Errorf("--noise --seed 1: exit %d\n%s", code, out)
	}
}
