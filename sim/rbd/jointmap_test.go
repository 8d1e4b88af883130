package rbd

import (
	"strings"
	"testing"

	"github.com/stride-robotics/stride/sim/spatial"
)

// jointMapModel is a floating base with a ball joint and three hinges (hip,
// knee limited to [0, 2], ankle) plus an unactuated slide, with actuators on
// the ankle, hip and knee (in that order) and two keyframes.
func jointMapModel(t *testing.T, home bool) *Model {
	t.Helper()
	m := NewModel("jm")
	I := spatial.Diag3(spatial.Vec3{0.01, 0.01, 0.01})
	for i := 1; i <= 5; i++ {
		m.Bodies = append(m.Bodies, Body{Name: "b" + string(rune('0'+i)), Parent: i - 1, Pos: spatial.Vec3{0, 0, -0.1},
			Quat: spatial.Quat{W: 1}, Mass: 1, Inertia: I})
	}
	m.Joints = []Joint{
		{Name: "root", Type: JointFree, Body: 1},
		{Name: "waist", Type: JointBall, Body: 2},
		{Name: "hip", Type: JointHinge, Body: 3, Axis: spatial.Vec3{0, 1, 0}},
		{Name: "knee", Type: JointHinge, Body: 4, Axis: spatial.Vec3{0, 1, 0}, Limited: true, Range: [2]float64{0, 2}},
		{Name: "ankle", Type: JointHinge, Body: 5, Axis: spatial.Vec3{0, 1, 0}},
		{Name: "toe", Type: JointSlide, Body: 5, Axis: spatial.Vec3{1, 0, 0}},
	}
	m.Actuators = []Actuator{{Name: "a_ankle", Joint: 4, Gear: 1}, {Name: "a_hip", Joint: 2, Gear: 1}, {Name: "a_knee", Joint: 3, Gear: 1}}
	// qpos: root 0..6, waist 7..10, hip 11, knee 12, ankle 13, toe 14;
	// dofs: root 0..5, waist 6..8, hip 9, knee 10, ankle 11, toe 12.
	q0 := []float64{0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0.1, 0.2, 0.3, 0.4}
	q1 := append([]float64(nil), q0...)
	q1[11], q1[12], q1[13] = -0.5, 2.5, 0.7 // knee past its range: clamped
	m.Keyframes = []Keyframe{{Name: "crouch", Qpos: q0}}
	if home {
		m.Keyframes = append(m.Keyframes, Keyframe{Name: "home", Qpos: q1})
	}
	if err := m.Finalize(); err != nil {
		t.Fatal(err)
	}
	return m
}

// A map by name gives each robot joint its model joint, qpos and dof
// indices and actuator; it moves values both ways without touching other
// coordinates.
func TestJointMap(t *testing.T) {
	m := jointMapModel(t, true)
	jm, err := NewJointMap(m, []string{"knee", "ankle", "hip", "toe"})
	if err != nil {
		t.Fatal(err)
	}
	want := struct{ joint, qadr, dof, act []int }{
		[]int{3, 4, 2, 5}, []int{12, 13, 11, 14}, []int{10, 11, 9, 12}, []int{2, 0, 1, -1}}
	for i := 0; i < jm.Len(); i++ {
		if jm.Joint[i] != want.joint[i] || jm.QAdr[i] != want.qadr[i] || jm.DofAdr[i] != want.dof[i] || jm.Actuator[i] != want.act[i] {
			t.Errorf("robot joint %d (%s): joint %d qadr %d dof %d actuator %d, want %d %d %d %d", i, jm.Names[i],
				jm.Joint[i], jm.QAdr[i], jm.DofAdr[i], jm.Actuator[i], want.joint[i], want.qadr[i], want.dof[i], want.act[i])
		}
	}
	qpos := make([]float64, m.Nq)
	for i := range qpos {
		qpos[i] = float64(i)
	}
	q := make([]float64, 4)
	jm.Positions(q, qpos)
	if q[0] != 12 || q[1] != 13 || q[2] != 11 || q[3] != 14 {
		t.Errorf("positions %v", q)
	}
	qvel := make([]float64, m.Nv)
	for i := range qvel {
		qvel[i] = float64(100 + i)
	}
	jm.Velocities(q, qvel)
	if q[0] != 110 || q[1] != 111 || q[2] != 109 || q[3] != 112 {
		t.Errorf("velocities %v", q)
	}
	jm.SetPositions(qpos, []float64{-1, -2, -3, -4})
	for i, v := range qpos {
		w := float64(i)
		switch i {
		case 12, 13, 11, 14:
			w = map[int]float64{12: -1, 13: -2, 11: -3, 14: -4}[i]
		}
		if v != w {
			t.Errorf("qpos[%d] = %g after SetPositions, want %g", i, v, w)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() { jm.Positions(q, qpos); jm.Velocities(q, qvel) }); allocs != 0 {
		t.Errorf("Positions+Velocities allocate %g times", allocs)
	}
}

// Each kind of mismatch is named in the error, all at once.
func TestJointMapErrors(t *testing.T) {
	m := jointMapModel(t, true)
	_, err := NewJointMap(m, []string{"hip", "shin", "hip", "waist", "root"})
	if err == nil {
		t.Fatal("accepted a mismatched joint list")
	}
	for _, s := range []string{`model "jm"`, `not joints of the model: "shin"`, `named twice: "hip"`,
		`not hinge or slide joints: "waist" (ball), "root" (free)`,
		`driven in the model but not among the robot's joints: "ankle" (actuator "a_ankle"), "knee" (actuator "a_knee")`} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	if _, err := NewJointMap(nil, nil); err == nil {
		t.Error("accepted a nil model")
	}
}

// The actuator-order map is the simulated robot's joint order; the home pose
// is the "home" keyframe's (else the first keyframe's), clamped.
func TestActuatorJointMapAndHome(t *testing.T) {
	m := jointMapModel(t, true)
	jm := ActuatorJointMap(m)
	names := ActuatedJointNames(m)
	if strings.Join(jm.Names, ",") != "ankle,hip,knee" || strings.Join(names, ",") != "ankle,hip,knee" {
		t.Fatalf("names %v, %v", jm.Names, names)
	}
	byName, err := NewJointMap(m, names)
	if err != nil {
		t.Fatal(err)
	}
	for i := range names {
		if jm.QAdr[i] != byName.QAdr[i] || jm.DofAdr[i] != byName.DofAdr[i] || jm.Actuator[i] != i || byName.Actuator[i] != i {
			t.Errorf("joint %d: actuator map %+v differs from the map by name", i, jm)
		}
	}
	if h := jm.Home(); h[0] != 0.7 || h[1] != -0.5 || h[2] != 2 {
		t.Errorf("home %v, want [0.7 -0.5 2] (knee clamped to 2)", h)
	}
	if h := ActuatorJointMap(jointMapModel(t, false)).Home(); h[0] != 0.3 || h[1] != 0.1 || h[2] != 0.2 {
		t.Errorf("home without a home keyframe %v, want the first keyframe's [0.3 0.1 0.2]", h)
	}
}
