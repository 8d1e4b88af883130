package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// `stride sim --headless --controller locomotion --commands <walk at 0.4
// m/s> --json`: the walker walks the built-in robot forward without a fall
// and the summary's "locomotion" object has every key, with values a real
// walk gives (tolerances from runs of this scenario: 1.3 m, 9 steps,
// stride-averaged speed error 0.02 m/s).
func TestSimWalksForward(t *testing.T) {
	script := writeFile(t, "walk.yaml", "steps:\n  - {t: 2.5, gait: walk, vx: 0.4}\n")
	c := parse(t, "sim", "--headless", "--duration", "7s", "--controller", "locomotion", "--commands", script, "--json")
	sum, err := c.Sim.simulate()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(sum)
	var fields map[string]any
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	loco, ok := fields["locomotion"].(map[string]any)
	if !ok {
		t.Fatalf("summary has no locomotion object: %s", b)
	}
	for _, k := range []string{"distance_m", "mean_speed_mps", "speed_error_rms_mps", "yaw_rate_error_rms_radps", "steps",
		"max_foot_slip_m", "torque_saturation_percent", "qp_failures", "mpc_late_or_failed", "mpc_solve_us", "wbc_solve_us",
		"cost_of_transport"} {
		if _, ok := loco[k]; !ok {
			t.Errorf("locomotion lacks %q", k)
		}
	}
	for _, k := range []string{"mpc_solve_us", "wbc_solve_us"} {
		p, _ := loco[k].(map[string]any)
		for _, q := range []string{"p50", "p99", "max"} {
			if v, ok := p[q].(float64); !ok || !(v > 0) {
				t.Errorf("%s.%s = %v, want a positive time", k, q, p[q])
			}
		}
	}
	if _, ok := fields["fell"]; !ok {
		t.Error("fell is not at the top level")
	}
	r := sum.Locomotion
	t.Logf("%s", r)
	if sum.Fell || sum.FinalMode != "locomotion" || strings.Contains(strings.Join(sum.Faults, "\n"), "controller") {
		t.Fatalf("fell %v, final mode %s, faults %q", sum.Fell, sum.FinalMode, sum.Faults)
	}
	// 4.5 s of walking from 2.5 s (0.5 m/s² ramp, 0.3 s start): ≈ 1.5 m.
	if d := r.NetDisplacementM; d[0] < 1.0 || d[0] > 2.0 || math.Abs(d[1]) > 0.2 {
		t.Errorf("net displacement %v m, want 1–2 m forward, within 0.2 m sideways", d)
	}
	if r.DistanceM < r.NetDisplacementM[0]-1e-9 || r.DistanceM > r.NetDisplacementM[0]+0.1 {
		t.Errorf("distance %g m against a net %g m forward", r.DistanceM, r.NetDisplacementM[0])
	}
	if r.SpeedErrorRMS > 0.1 || r.TrackingWindows < 2 || r.YawRateErrorRMS > 0.1 {
		t.Errorf("speed error RMS %g m/s over %d windows, yaw-rate error %g rad/s", r.SpeedErrorRMS, r.TrackingWindows, r.YawRateErrorRMS)
	}
	if r.Steps < 8 || r.Steps > 20 {
		t.Errorf("%d steps in 4.5 s of walking", r.Steps)
	}
	if r.MaxFootSlipM > 0.05 || r.TorqueSatPercent > 5 || r.QPFailures != 0 || r.MPCLateOrFailed != 0 {
		t.Errorf("slip %g m, saturation %g %%, QP failures %d, MPC late/failed %d", r.MaxFootSlipM, r.TorqueSatPercent, r.QPFailures, r.MPCLateOrFailed)
	}
	if r.CostOfTransport < 0.1 || r.CostOfTransport > 5 {
		t.Errorf("cost of transport %g", r.CostOfTransport)
	}
}

// With --controller stand the run never enters locomotion: no locomotion
// object.
func TestSimStandHasNoLocomotion(t *testing.T) {
	c := parse(t, "sim", "--headless", "--duration", "500ms", "--controller", "stand")
	sum, err := c.Sim.simulate()
	if err != nil {
		t.Fatal(err)
	}
	if sum.Locomotion != nil {
		t.Errorf("locomotion %+v in a stand run", sum.Locomotion)
	}
}

// `make run`'s tour (docs/tour.yaml): the built-in robot walks forward,
// turns about 85°, steps sideways and stops, without a fall or a
// fault that trips. Figures of a run: 2.8 m, turned 87°, 28 steps.
func TestTourWalks(t *testing.T) {
	c := parse(t, "sim", "--headless", "--duration", "16s", "--controller", "locomotion", "--commands", "../../docs/tour.yaml")
	sum, err := c.Sim.simulate()
	if err != nil {
		t.Fatal(err)
	}
	r := sum.Locomotion
	if sum.Fell || sum.FinalMode != "locomotion" || r == nil {
		t.Fatalf("fell %v, final mode %s, faults %q, locomotion %v", sum.Fell, sum.FinalMode, sum.Faults, r)
	}
	for _, f := range sum.Faults { // a limit flag (an event, no trip) may happen; nothing else
		if !strings.Contains(f, "fault: flag:") {
			t.Errorf("fault %q", f)
		}
	}
	t.Logf("%s", r)
	// Forward 4 s at 0.4 m/s (≈ 1.3 m), a 1.5 rad turn at 0.2 m/s, 0.6 m sideways.
	if r.DistanceM < 2 || r.DistanceM > 4 || r.NetDisplacementM[0] < 1.2 {
		t.Errorf("distance %g m, net %v m", r.DistanceM, r.NetDisplacementM)
	}
	if h := r.HeadingChangeRad; h < 1.2 || h > 1.8 {
		t.Errorf("turned %g rad, want 1.5 ± 0.3", h)
	}
	if r.Steps < 15 || r.QPFailures != 0 || r.MaxFootSlipM > 0.05 {
		t.Errorf("%d steps, %d QP failures, slip %g m", r.Steps, r.QPFailures, r.MaxFootSlipM)
	}
}
