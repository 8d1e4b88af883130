package peer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTiming(t *testing.T) {
	out := []byte("mujoco 2.2.2  model x.xml\n" +
		"step  n 1000  median    125000 /s     8.00 us  min     7.90 us  max     9.00 us  realtime x125\n" +
		"rbd   n 1000  median    500000 /s     2.00 us  min     1.90 us  max     2.50 us\n")
	us, line, err := Timing(out, "rbd")
	if err != nil || us != 2 || !strings.HasPrefix(line, "rbd   n 1000") {
		t.Errorf("rbd: %g µs, %q, %v", us, line, err)
	}
	if _, _, err := Timing(out, "fwd0"); err == nil || !strings.Contains(err.Error(), `no "fwd0" timing line`) {
		t.Errorf("missing kind: %v", err)
	}
}

// A missing source is unavailable (a reason to skip), named in the error.
func TestBuildUnavailable(t *testing.T) {
	err := Build(filepath.Join(t.TempDir(), "nope.c"), filepath.Join(t.TempDir(), "x"))
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "nope.c not found") {
		t.Errorf("missing source: %v", err)
	}
	old := Header
	Header = filepath.Join(t.TempDir(), "mujoco.h")
	defer func() { Header = old }()
	src := filepath.Join(t.TempDir(), "x.c")
	if err := os.WriteFile(src, []byte("int main(void) { return 0; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Build(src, filepath.Join(t.TempDir(), "x")); !errors.Is(err, ErrUnavailable) {
		t.Errorf("no MuJoCo headers: %v, want ErrUnavailable", err)
	}
}

// Shared is ../shared beside the module root, wherever in the module the
// test runs.
func TestShared(t *testing.T) {
	dir, err := Shared()
	if errors.Is(err, ErrUnavailable) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join("..", "..", "..", "shared") {
		t.Errorf("Shared() = %q from sim/peer, want ../../../shared", dir)
	}
	if _, err := SharedFile("peer/no-such-file"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("SharedFile of a missing file: %v", err)
	}
}

// The shared peer builds, runs an MJCF text and reports a step timing; a
// compile error is an error, not unavailability.
func TestBuildAndRun(t *testing.T) {
	bin, err := BuildShared("peer", t.TempDir())
	if errors.Is(err, ErrUnavailable) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	const mjcf = `<mujoco><worldbody><body><joint type="hinge"/><geom size="0.1" mass="1"/></body></worldbody></mujoco>`
	out, err := RunMJCF(bin, []byte(mjcf), "-n", "100", "-r", "1")
	if err != nil {
		t.Fatal(err)
	}
	if us, _, err := Timing(out, "step"); err != nil || !(us > 0 && us < 1e4) {
		t.Errorf("step timing %g µs, %v:\n%s", us, err, out)
	}
	if _, err := Run(bin, filepath.Join(t.TempDir(), "missing.xml")); err == nil || errors.Is(err, ErrUnavailable) {
		t.Errorf("peer on a missing file: %v, want the peer's failure", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.c")
	if err := os.WriteFile(bad, []byte("int main(void) { return undefined_thing; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Build(bad, filepath.Join(t.TempDir(), "bad")); err == nil || errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "undefined_thing") {
		t.Errorf("compile error: %v", err)
	}
}
