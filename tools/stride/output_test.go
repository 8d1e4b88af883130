package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// stride runs the command line as a subprocess and returns its output and
// exit status.
func stride(t *testing.T, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := cliCommand(ctx, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if err != nil {
		code = cmd.ProcessState.ExitCode()
		if code < 0 {
			t.Fatalf("stride %v: %v", args, err)
		}
	}
	return out.String(), code
}

func fileBytes(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// No command writes over an existing file without --force, over one of its
// own inputs even with --force (same device and inode: the name, a hard
// link, a symbolic link), or leaves a partial file behind.
func TestOutputsNeverDestroyFiles(t *testing.T) {
	dir := t.TempDir()
	in := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg := in("c.yaml", "stand:\n  kp: 250\n")
	script := in("s.yaml", "steps:\n  - {t: 0, mode: standup}\n")
	precious := in("precious.txt", "keep me\n")
	log := filepath.Join(dir, "run.stl")
	if out, code := stride(t, "sim", "--headless", "--duration", "200ms", "--config", cfg, "--commands", script, "--log", log); code != 0 {
		t.Fatalf("first run: %d\n%s", code, out)
	}
	logBytes := fileBytes(t, log)
	hard := filepath.Join(dir, "hard.stl")
	if err := os.Link(log, hard); err != nil {
		t.Fatal(err)
	}
	hardPNG := filepath.Join(dir, "hard.png")
	if err := os.Link(log, hardPNG); err != nil {
		t.Fatal(err)
	}
	soft := filepath.Join(dir, "soft.yaml")
	if err := os.Symlink(cfg, soft); err != nil {
		t.Fatal(err)
	}
	sim := []string{"sim", "--headless", "--duration", "200ms", "--config", cfg, "--commands", script}
	for _, tc := range []struct {
		args []string
		want string
	}{
		// An existing file without --force.
		{append(sim, "--log", precious), "precious.txt: already exists; not overwritten (use --force to replace it)"},
		{append(sim, "--log", log), "run.stl: already exists"},
		{[]string{"log", "export", log, "--csv", precious}, "precious.txt: already exists"},
		{[]string{"log", "export", log, "--mcap", precious}, "precious.txt: already exists"},
		{[]string{"log", "plot", log, "--channels", "q.*", "-o", filepath.Join(dir, "p.png"), "--force"}, ""},
		{[]string{"log", "plot", log, "--channels", "q.*", "-o", filepath.Join(dir, "p.png")}, "p.png: already exists"},
		{append(sim, "--screenshot", precious), "precious.txt: already exists"},
		{[]string{"log", "replay", log, "--screenshot", precious}, "precious.txt: already exists"},
		// The run's own inputs, even with --force.
		{append(sim, "--log", cfg, "--force"), "c.yaml: is also an input of this command"},
		{append(sim, "--log", script, "--force"), "s.yaml: is also an input of this command"},
		{append(sim, "--log", soft, "--force"), "soft.yaml: is the same file as the input"},
		{[]string{"log", "export", log, "--csv", log, "--force"}, "run.stl: is also an input of this command"},
		{[]string{"log", "export", log, "--mcap", hard, "--force"}, "hard.stl: is the same file as the input"},
		{[]string{"log", "plot", log, "--channels", "q.*", "-o", hardPNG, "--force"}, "hard.png: is the same file as the input"},
		{[]string{"log", "replay", log, "--screenshot", hard, "--force"}, "hard.stl: is the same file as the input"},
		{[]string{"bench", "loop", "--config", cfg, "--log", cfg, "--force", "--duration", "1s"}, "c.yaml: is also an input"},
		// A directory is no output.
		{append(sim, "--log", dir, "--force"), "is a directory"},
	} {
		out, code := stride(t, tc.args...)
		if tc.want == "" {
			if code != 0 {
				t.Errorf("%v: exit %d\n%s", tc.args, code, out)
			}
			continue
		}
		if code == 0 || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, output\n%s\nwant an error containing %q", tc.args, code, out, tc.want)
		}
	}
	if got := string(fileBytes(t, precious)); got != "keep me\n" {
		t.Errorf("precious.txt changed: %.60q", got)
	}
	if got := string(fileBytes(t, cfg)); got != "stand:\n  kp: 250\n" {
		t.Errorf("config changed: %.60q", got)
	}
	if got := string(fileBytes(t, script)); got != "steps:\n  - {t: 0, mode: standup}\n" {
		t.Errorf("script changed: %.60q", got)
	}
	if !bytes.Equal(fileBytes(t, log), logBytes) {
		t.Errorf("the log changed")
	}
	// --force replaces an output that is not an input, whole.
	csv := in("out.csv", "old\n")
	if out, code := stride(t, "log", "export", log, "--csv", csv, "--force"); code != 0 {
		t.Fatalf("forced export: %d\n%s", code, out)
	}
	if b := fileBytes(t, csv); !bytes.HasPrefix(b, []byte("time")) && !bytes.HasPrefix(b, []byte("tick")) {
		t.Errorf("forced export wrote %.40q", b)
	}
	// No temporary files are left behind.
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// --record refuses a directory holding an earlier recording's frames.
func TestRecordDirRefusesOldFrames(t *testing.T) {
	dir := t.TempDir()
	frame := filepath.Join(dir, "frame_000000.png")
	if err := os.WriteFile(frame, []byte("an earlier frame"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := stride(t, "sim", "--duration", "100ms", "--record", dir)
	if code == 0 || !strings.Contains(out, "holds 1 frames of an earlier recording (frame_000000.png, …); not overwritten (use --force") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if got := string(fileBytes(t, frame)); got != "an earlier frame" {
		t.Fatalf("frame changed: %q", got)
	}
}
