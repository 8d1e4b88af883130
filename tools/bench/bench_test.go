package bench

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/sim/peer"
)

// The PD-stand scenario holds the built-in robot on its 8 foot corners;
// the figures are consistent with each other (timing itself is for the
// benchmark's user, not a test).
func TestSim(t *testing.T) {
	res, err := Sim(SimOptions{Steps: 200, Reps: 3, Kp: 300, Kd: 8})
	if err != nil {
		t.Fatal(err)
	}
	if res.Model != "stride-pm01" || res.Timestep != 0.001 || res.Steps != 200 || len(res.Runs) != 3 {
		t.Fatalf("result %+v", res)
	}
	if math.Abs(res.MeanContacts-8) > 0.5 || math.Abs(res.FinalHeight-0.737) > 0.01 {
		t.Errorf("contacts %g, final height %g m: the robot should stand on 8 corners near 0.737 m", res.MeanContacts, res.FinalHeight)
	}
	if math.Abs(res.StepsPerSecond*res.MicrosPerStep-1e6) > 1e-3 || math.Abs(res.RealTime-res.StepsPerSecond*0.001) > 1e-9 {
		t.Errorf("figures disagree: %+v", res)
	}
	if _, err := Sim(SimOptions{Steps: 0, Reps: 1}); err == nil || !strings.Contains(err.Error(), "--steps and --reps must be at least 1") {
		t.Errorf("0 steps: %v", err)
	}
}

func TestRbd(t *testing.T) {
	res, err := Rbd(RbdOptions{N: 50, Reps: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Nv != 30 || !(res.Figures["aba_us"] > 0) || !(res.Figures["crba_us"] > 0) || res.PeerLine != "" {
		t.Errorf("result %+v", res)
	}
	if _, err := Rbd(RbdOptions{N: 10, Reps: 0}); err == nil {
		t.Errorf("0 reps ran")
	}
}

// With the peer: MuJoCo's figure and the ratio are filled.
func TestSimPeer(t *testing.T) {
	if err := peer.Available(); err != nil {
		t.Skip(err)
	}
	if _, err := peer.SharedFile("peer/peer.c"); errors.Is(err, peer.ErrUnavailable) {
		t.Skip(err)
	}
	res, err := Sim(SimOptions{Steps: 100, Reps: 1, Kp: 300, Kd: 8, Peer: "auto"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Peer == nil || !(res.Peer.MicrosPerStep > 0) || len(res.Peer.Runs) != 1 || math.Abs(res.Ratio-res.Peer.MicrosPerStep/res.MicrosPerStep) > 1e-12 ||
		!strings.HasPrefix(res.Peer.Line, "mjstat ") {
		t.Fatalf("peer %+v, ratio %g", res.Peer, res.Ratio)
	}
	// the built-in robot stands on its 8 foot corners in both, one Newton
	// iteration a step on average (warm-started, at most 2 here)
	p := res.Peer.Runs[0]
	if math.Abs(p.Contacts-8) > 0.5 || p.Iter.Mean < 1 || p.Iter.Mean > 1.5 || res.Solver.Iter.Mean < 0.9 || res.Solver.Iter.Mean > 1.5 {
		t.Errorf("MuJoCo %+v, Stride %+v", p, res.Solver)
	}
}

// The loop benchmark runs both loops and fills every figure.
func TestLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time run")
	}
	res, err := Loop(LoopOptions{Config: runtime.Defaults(), Duration: 200 * time.Millisecond, Segment: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Segments != 2 || res.Full.Health.Ticks != 200 || res.Baseline.Health.Ticks != 200 || res.Telemetry.Ticks != 200 || res.LoadAvgAfter == "" ||
		res.FinalMode != "standup" {
		t.Errorf("result %+v", res)
	}
	if _, err := Loop(LoopOptions{Config: runtime.Defaults(), Duration: 0, Segment: time.Second}); err == nil {
		t.Errorf("zero duration ran")
	}
}
