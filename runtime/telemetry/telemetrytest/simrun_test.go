package telemetrytest

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
)

func open(t *testing.T, path string) *telemetry.Reader {
	t.Helper()
	r, err := telemetry.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func events(t *testing.T, r *telemetry.Reader) []telemetry.Event {
	t.Helper()
	var out []telemetry.Event
	for e, err := range r.Events(math.Inf(-1), math.Inf(1)) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, *e)
	}
	return out
}

// The log is the runtime loop's: its mode names, its mode changes (standup
// requested at 0, stand when standup completes), its records.
func TestLogIsTheLoops(t *testing.T) {
	p := filepath.Join(t.TempDir(), "run.tlm")
	st, err := Log(p, Run{Duration: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	r := open(t, p)
	if st.Ticks != 300 || !slices.Equal(r.Header.ModeNames, runtime.ModeNames()) || !slices.Equal(r.Header.GaitNames, locomotion.GaitNames()) {
		t.Fatalf("%d ticks, mode names %v", st.Ticks, r.Header.ModeNames)
	}
	ev := events(t, r)
	if len(ev) != 2 || ev[0].Code != uint32(runtime.ModeStandup) || ev[1].Code != uint32(runtime.ModeStand) ||
		ev[1].Tick != 100 || !strings.Contains(ev[1].Text(), "standup complete") {
		t.Fatalf("events %+v", ev)
	}
	var modes [8]int
	for tk, err := range r.Ticks(math.Inf(-1), math.Inf(1)) {
		if err != nil {
			t.Fatal(err)
		}
		modes[tk.Mode]++
		if tk.Estimate.Quat == [4]float64{} || !tk.HasTruth {
			t.Fatalf("tick %d: no estimate or no truth", tk.Tick)
		}
	}
	if modes[runtime.ModeStandup] != 100 || modes[runtime.ModeStand] != 200 {
		t.Fatalf("ticks per mode %v: want 100 standup, 200 stand", modes)
	}
}

// walkLike is a controller that holds the stand posture and records two
// channels of its own.
type walkLike struct {
	stand *locomotion.Stand
	phase []float64
	force []float64
	steps int
}

func (c *walkLike) Name() string { return "test controller with channels" }
func (c *walkLike) Start(in *locomotion.Input) error {
	c.stand = locomotion.NewStand(in.Home, 300, 8)
	return nil
}
func (c *walkLike) Stop()      {}
func (c *walkLike) Err() error { return nil }
func (c *walkLike) Step(in *locomotion.Input, out *hal.Commands) {
	c.stand.Step(in.Sensors, out)
	c.steps++
	c.phase[0] = float64(c.steps)
	c.force[0], c.force[1], c.force[2] = in.Sensors.Q[0], in.Sensors.Q[1], in.Time
}

func (c *walkLike) DeclareChannels(declare func(name, unit string, size int) ([]float64, error)) error {
	var err error
	if c.phase, err = declare("test.steps", "", 1); err != nil {
		return err
	}
	c.force, err = declare("test.force", "N", 3)
	return err
}

// A controller's declared channels are in the header and read back by name:
// NaN before locomotion, its values after.
func TestControllerChannelsInTheLog(t *testing.T) {
	p := filepath.Join(t.TempDir(), "run.tlm")
	c := &walkLike{}
	if _, err := Log(p, Run{Duration: 0.4, Controller: c, Locomotion: 0.2}); err != nil {
		t.Fatal(err)
	}
	r := open(t, p)
	if len(r.Header.Declared) != 2 || r.Header.Declared[1] != (telemetry.Declared{Name: "test.force", Unit: "N", Size: 3}) ||
		r.Header.ChannelIndex("test.force.2") < 0 {
		t.Fatalf("declared %+v", r.Header.Declared)
	}
	steps, loco := 0, 0
	for tk, err := range r.Ticks(math.Inf(-1), math.Inf(1)) {
		if err != nil {
			t.Fatal(err)
		}
		f := r.Header.Values(tk, "test.force")
		if tk.Mode != uint8(runtime.ModeLocomotion) {
			if !math.IsNaN(f[0]) || !math.IsNaN(r.Header.Values(tk, "test.steps")[0]) {
				t.Fatalf("tick %d in mode %d: controller channels %v, want NaN", tk.Tick, tk.Mode, f)
			}
			continue
		}
		loco++
		steps++
		if s := r.Header.Values(tk, "test.steps")[0]; s != float64(steps) || f[0] != tk.Sensors.Q[0] || f[1] != tk.Sensors.Q[1] || f[2] != tk.Time {
			t.Fatalf("tick %d: steps %g (want %d), force %v", tk.Tick, s, steps, f)
		}
	}
	if loco < 150 || c.steps != loco {
		t.Fatalf("%d locomotion ticks logged, controller stepped %d times", loco, c.steps)
	}
}

// A simulation that stops (a non-finite push makes the state non-finite)
// ends the run with its error and leaves a stop event with the message.
func TestSimulationStopInTheLog(t *testing.T) {
	p := filepath.Join(t.TempDir(), "run.tlm")
	_, err := Log(p, Run{Duration: 0.3, PushAt: 0.15, PushFor: 0.1, PushForce: [3]float64{math.NaN(), 0, 0}})
	if err == nil {
		t.Fatal("a NaN push ran to the end")
	}
	r := open(t, p)
	ev := events(t, r)
	last := ev[len(ev)-1]
	if last.Kind != telemetry.EventStop || last.Text() == "" || !strings.Contains(err.Error(), last.Text()[:min(20, len(last.Text()))]) {
		t.Fatalf("last event %+v %q; run error %v", last, last.Text(), err)
	}
	if s := r.Summary(); s.LastTick != last.Tick || s.Ticks >= 300 || s.Ticks < 150 {
		t.Fatalf("summary %+v, stop at tick %d", s, last.Tick)
	}
	t.Logf("stop event at t = %.3f s: %s", last.Time, last.Text())
}
