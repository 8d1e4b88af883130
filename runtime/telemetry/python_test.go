package telemetry_test

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/runtime/telemetry/telemetrytest"
)

// TestTenSecondSimulatedRun logs a 10 s, 1 kHz simulated run of the
// built-in robot standing, reads it back in Go, and runs the Python example
// of docs/telemetry.md on it.
func TestTenSecondSimulatedRun(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the 10 s simulated run")
	}
	path := filepath.Join(t.TempDir(), "run.tlm")
	st, err := telemetrytest.Log(path, telemetrytest.Run{Duration: 10})
	if err != nil {
		t.Fatal(err)
	}
	if st.Ticks != 10000 || st.DroppedTicks != 0 || st.Events != 2 {
		t.Fatalf("writer stats %+v, want 10,000 ticks and 2 events (standup, stand), none dropped", st)
	}
	r, err := telemetry.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if s := r.Summary(); s.Ticks != 10000 || s.FirstTick != 0 || s.LastTick != 9999 || s.End != 9.999 || !s.Indexed {
		t.Fatalf("summary %+v", s)
	}
	n := 0
	var last telemetry.Tick
	for tk, err := range r.Ticks(math.Inf(-1), math.Inf(1)) {
		if err != nil {
			t.Fatal(err)
		}
		if tk.Tick != uint64(n) || !tk.HasTruth || tk.Sensors.N != 24 || tk.Command.N != 24 {
			t.Fatalf("tick %d: number %d, truth %v, joints %d/%d", n, tk.Tick, tk.HasTruth, tk.Sensors.N, tk.Command.N)
		}
		n++
		last = *tk
	}
	if n != 10000 {
		t.Fatalf("read %d ticks", n)
	}
	// The robot stands: both feet in contact, base height near its start
	// (0.74 m for the built-in robot's home keyframe), weight on the feet.
	tr := last.Truth
	if tr.Contact != [2]float64{1, 1} || tr.Pos[2] < 0.6 || tr.Pos[2] > 0.9 ||
		math.Abs(tr.Force[0][2]+tr.Force[1][2]-40*9.81) > 0.2*40*9.81 {
		t.Fatalf("final truth %+v: not standing", tr)
	}

	t.Run("python", func(t *testing.T) {
		py := findPython(t)
		script := pythonExample(t)
		out, err := exec.Command(py, script, path, "truth.pos.z").CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", py, script, err, out)
		}
		text := string(out)
		for _, want := range []string{"robot stride-pm01, 1000 Hz, 294 channels", "ticks 10000, events 2",
			"last tick 9999 at t = 9.999 s", "channels: time tick mode gait gait_phase faults", "truth.force.right.z"} {
			if !strings.Contains(text, want) {
				t.Errorf("the Python example's output lacks %q:\n%s", want, text)
			}
		}
		// Python's repr of a float round-trips: the value is the same bits.
		want := "truth.pos.z " + strconv.FormatFloat(last.Truth.Pos[2], 'g', -1, 64)
		if !strings.Contains(text, want) {
			t.Errorf("Python read %q, Go read %q", lastLine(text), want)
		}
	})
}

// findPython returns a python3 that has the msgpack module, or skips.
func findPython(t *testing.T) string {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		p, err := exec.LookPath(py)
		if err != nil {
			continue
		}
		if exec.Command(p, "-c", "import msgpack").Run() == nil {
			return p
		}
	}
	t.Skip("no python3 with the msgpack module (Debian: apt-get install python3-msgpack; make test installs it)")
	return ""
}

// pythonExample extracts the example from docs/telemetry.md into a file.
func pythonExample(t *testing.T) string {
	b, err := os.ReadFile("../../docs/telemetry.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	const marker = "<!-- example: read_log.py"
	i := strings.Index(doc, marker)
	if i < 0 {
		t.Fatalf("docs/telemetry.md has no %q marker", marker)
	}
	rest := doc[i:]
	start := strings.Index(rest, "```python\n")
	end := strings.Index(rest[start+10:], "\n```")
	if start < 0 || end < 0 {
		t.Fatal("docs/telemetry.md: no python block after the marker")
	}
	path := filepath.Join(t.TempDir(), "read_log.py")
	if err := os.WriteFile(path, []byte(rest[start+10:start+10+end+1]), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndex(s, "\n")+1:]
}
