package replay

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/runtime/telemetry/telemetrytest"
	"github.com/stride-robotics/stride/sim/viewer"
)

func standLog(t *testing.T) *telemetry.Reader {
	t.Helper()
	p := filepath.Join(t.TempDir(), "run.tlm")
	if _, err := telemetrytest.Log(p, telemetrytest.Run{Duration: 3}); err != nil {
		t.Fatal(err)
	}
	r, err := telemetry.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestSceneAndPose(t *testing.T) {
	r := standLog(t)
	var warn bytes.Buffer
	m, ter, err := Scene(&r.Header, "", "stairs:12", &warn)
	if err != nil || warn.Len() != 0 {
		t.Fatalf("%v, warning %q", err, warn.String())
	}
	if h, ok := ter.HeightAt(0.6, 0); !ok || math.Abs(h-0.12) > 1e-12 {
		t.Errorf("stairs:12: ground at x = 0.6 is %g", h)
	}
	h := r.Header
	h.ModelHash = "sha256:0000"
	if _, _, err := Scene(&h, "", "", &warn); err != nil || !strings.Contains(warn.String(), "the model's hash differs from the log's (sha256:0000)") {
		t.Errorf("hash mismatch: %v, %q", err, warn.String())
	}
	h.Robot = "other"
	if _, _, err := Scene(&h, "", "", &warn); err == nil || !strings.Contains(err.Error(), `the log is of robot "other"`) {
		t.Errorf("other robot: %v", err)
	}
	pose, err := NewPoseMap(m, &r.Header)
	if err != nil {
		t.Fatal(err)
	}
	var s telemetry.State
	s.Base.Pos = [3]float64{1, 2, 0.7}
	s.Base.Quat = [4]float64{2, 0, 0, 0} // not normalised: Set normalises
	s.Q[3] = 0.42
	q := pose.Set(&s)
	knee := m.Joints[m.JointIndex(r.Header.Joints[3])].QAdr
	if q[0] != 1 || q[1] != 2 || q[2] != 0.7 || q[3] != 1 || q[knee] != 0.42 {
		t.Errorf("qpos %v", q[:8])
	}
	h = r.Header
	h.Joints = h.Joints[:3]
	if _, err := NewPoseMap(m, &h); err == nil || !strings.Contains(err.Error(), "not the same robot") {
		t.Errorf("3 joints: %v", err)
	}
}

// The player's keys: pause, step, scrub; fill publishes the state.
func TestPlayer(t *testing.T) {
	r := standLog(t)
	m, _, err := Scene(&r.Header, "", "", &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	pose, _ := NewPoseMap(m, &r.Header)
	rp, err := telemetry.NewReplay(r, telemetry.SourceTruth)
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlayer(rp, r, pose)
	p.TogglePause() // paused → playing
	if rp.Paused() {
		t.Fatal("TogglePause did not play")
	}
	var s viewer.Snapshot
	p.fill(&s, 500*time.Millisecond)
	if math.Abs(s.Time-0.5) > 0.0011 || !strings.HasPrefix(s.Status.Mode, "replay stand") || s.Status.Paused {
		t.Errorf("after 0.5 s: t %g, status %+v", s.Time, s.Status)
	}
	p.StepOnce()
	if !rp.Paused() || math.Abs(rp.Time()-s.Time-0.001) > 1e-9 {
		t.Errorf("step: paused %v, t %g after %g", rp.Paused(), rp.Time(), s.Time)
	}
	before := rp.Time()
	p.SetCommand(viewer.Velocity{Vx: 0.01}) // Vx up by 0.01 scrubs forward 1 s
	if math.Abs(rp.Time()-(before+1)) > 1e-9 {
		t.Errorf("scrub +1 s: t %g", rp.Time())
	}
	p.Reset()
	if rp.Time() != rp.Start() {
		t.Errorf("reset: t %g, start %g", rp.Time(), rp.Start())
	}
}
