package viewer

import (
	"math"
	"sync"
	"testing"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

func TestCaptureMatchesWorld(t *testing.T) {
	w, tick := standingWorld(t, nil)
	for range 300 {
		if err := tick(); err != nil {
			t.Fatal(err)
		}
	}
	m := w.Model
	var s Snapshot
	s.Capture(w, rbd.NewData(m))
	approx(t, "time", s.Time, w.Time, 0)
	if s.Steps != w.Steps || len(s.Contacts) != len(w.Contacts) || len(s.Contacts) == 0 {
		t.Fatalf("steps %d (world %d), %d contacts (world %d)", s.Steps, w.Steps, len(s.Contacts), len(w.Contacts))
	}
	for i, c := range w.Contacts {
		if s.Contacts[i].Pos != c.Pos || s.Contacts[i].Force != c.Force || s.Contacts[i].Body != c.Body {
			t.Fatalf("contact %d differs", i)
		}
	}
	d := rbd.NewData(m)
	rbd.Kinematics(m, d, w.Qpos)
	rbd.GeomPoses(m, d)
	for i := range m.Geoms {
		nearVec(t, "geom position", s.Geoms[i].P, d.XGeom[i].P, 0)
	}
	nearVec(t, "COM", s.COM, rbd.CenterOfMass(m, d), 0)
	nearVec(t, "base", s.BasePos, spatial.Vec3{w.Qpos[0], w.Qpos[1], w.Qpos[2]}, 1e-12)
	nearVec(t, "base velocity (free joint: world linear velocity first)", s.BaseVel, spatial.Vec3{w.Qvel[0], w.Qvel[1], w.Qvel[2]}, 1e-12)
	// Standing still: the total contact force carries the weight.
	var fz float64
	for _, c := range s.Contacts {
		fz += c.Force[2]
	}
	approx(t, "Σ contact fz / weight", fz/(m.TotalMass()*9.81), 1, 0.05)
}

func TestLimitMargin(t *testing.T) {
	w, _ := standingWorld(t, nil)
	m := w.Model
	k := m.JointIndex("left_knee_pitch")
	if k < 0 {
		t.Fatal("no left_knee_pitch joint")
	}
	j := &m.Joints[k]
	q := append([]float64(nil), w.Qpos...)
	lo, hi := j.Range[0], j.Range[1]
	var s Snapshot
	d := rbd.NewData(m)
	for _, c := range []struct{ q, want float64 }{
		{(lo + hi) / 2, 0.5},
		{hi - 0.02*(hi-lo), 0.02},
		{lo + 0.01*(hi-lo), 0.01},
		{hi + 0.1*(hi-lo), -0.1},
	} {
		q[j.QAdr] = c.q
		s.SetState(m, d, q, nil)
		approx(t, "limit margin", s.LimitMargin[k], c.want, 1e-9)
	}
	if !math.IsNaN(s.LimitMargin[0]) {
		t.Errorf("the free joint has a limit margin %g, want NaN", s.LimitMargin[0])
	}
	nearVec(t, "joint anchor", s.JointAnchor[k], d.JntPoint[k], 0)
}

func TestCapturePoint(t *testing.T) {
	s := Snapshot{COM: spatial.Vec3{0.1, -0.2, 0.8}, COMVel: spatial.Vec3{0.4, 0.1, 0}}
	p, ok := s.CapturePoint(0.05)
	if !ok {
		t.Fatal("no capture point")
	}
	w := math.Sqrt(9.81 / 0.75)
	nearVec(t, "capture point", p, spatial.Vec3{0.1 + 0.4/w, -0.2 + 0.1/w, 0.05}, 1e-12)
	s.COM[2] = 0.01
	if _, ok := s.CapturePoint(0); ok {
		t.Error("a capture point for a centre of mass on the ground")
	}
}

func TestCaptureAllocatesNothing(t *testing.T) {
	w, tick := standingWorld(t, nil)
	for range 50 {
		_ = tick()
	}
	r := NewRunner(w, tick, 0.001)
	r.Plan = func(p *Plan) {
		p.Footsteps = append(p.Footsteps, Footstep{Pos: spatial.Vec3{0.3, 0.1, 0}})
		p.AddSwing([]spatial.Vec3{{0, 0, 0}, {0.1, 0, 0.05}})
	}
	r.publish()
	r.publish()
	r.publish() // every buffer of the exchange has been filled once
	if n := testing.AllocsPerRun(50, r.publish); n != 0 {
		t.Errorf("publishing a snapshot allocates %g times", n)
	}
}

func TestCopyFrom(t *testing.T) {
	w, tick := standingWorld(t, nil)
	for range 20 {
		_ = tick()
	}
	var a, b Snapshot
	a.Capture(w, rbd.NewData(w.Model))
	a.Plan.Footsteps = []Footstep{{Pos: spatial.Vec3{1, 2, 3}, Foot: 1}}
	a.Plan.AddSwing([]spatial.Vec3{{1, 1, 1}})
	a.Status.Mode = "stand"
	b.CopyFrom(&a)
	a.Geoms[3].P[0] = 99
	a.Plan.Swing[0][0][0] = 99
	if b.Geoms[3].P[0] == 99 || b.Plan.Swing[0][0][0] == 99 {
		t.Error("CopyFrom shares storage with its source")
	}
	if b.Status.Mode != "stand" || len(b.Plan.Footsteps) != 1 || b.Plan.Footsteps[0].Foot != 1 || len(b.Contacts) != len(a.Contacts) {
		t.Error("CopyFrom lost data")
	}
}

// TestExchangeNeverBlocksAndNeverShares checks the hand-over (run it with
// -race): a reader that keeps its snapshot does not hold up the writer, and
// the writer never writes into it; with both running, the reader sees only
// whole snapshots, in order.
func TestExchangeNeverBlocksAndNeverShares(t *testing.T) {
	e := NewExchange()
	w := new(Snapshot)
	w.Steps, w.Time = 1, 1
	w = e.Publish(w)
	r, ok := e.Take(new(Snapshot))
	if !ok || r.Steps != 1 {
		t.Fatalf("took %v %d, want the published snapshot 1", ok, r.Steps)
	}
	if _, ok := e.Take(r); ok {
		t.Fatal("a second Take without a new Publish returned a snapshot")
	}
	// The reader holds r (a slow frame); the writer publishes on.
	for i := 2; i <= 1000; i++ {
		w.Steps, w.Time = int64(i), float64(i)
		w = e.Publish(w)
		if w == r {
			t.Fatal("the writer was handed the reader's snapshot")
		}
	}
	if r.Steps != 1 {
		t.Fatalf("the held snapshot changed to %d", r.Steps)
	}

	const n = 20000
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1001; i <= n; i++ {
			w.Steps = int64(i)
			w.Time = float64(i) // a torn read would show the two fields differ
			w = e.Publish(w)
		}
	}()
	last, reads := int64(1), 0
	for last < n {
		var ok bool
		if r, ok = e.Take(r); !ok {
			continue
		}
		reads++
		if float64(r.Steps) != r.Time {
			t.Fatalf("torn snapshot: steps %d, time %g", r.Steps, r.Time)
		}
		if r.Steps <= last {
			t.Fatalf("snapshot %d after %d", r.Steps, last)
		}
		last = r.Steps
	}
	wg.Wait()
	if got := e.Published(); got != n {
		t.Errorf("published %d, want %d", got, n)
	}
	if reads < 2 {
		t.Errorf("only %d reads", reads)
	}
}
