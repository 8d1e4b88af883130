package models

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

func TestLoadBuiltinNames(t *testing.T) {
	for _, name := range []string{"", "builtin", BuiltinName} {
		m, err := Load(name)
		if err != nil {
			t.Fatalf("Load(%q): %v", name, err)
		}
		if m.Name != BuiltinName || m.Nu != 24 || m.Joints[1].VelocityLimit != 26.3 {
			t.Errorf("Load(%q): model %q nu %d, first joint velocity limit %g; want the built-in robot", name, m.Name, m.Nu, m.Joints[1].VelocityLimit)
		}
	}
}

// TestLoadMJCFFile loads the exported built-in MJCF from disk: the same model
// as Builtin, limits included, for either extension and any case.
func TestLoadMJCFFile(t *testing.T) {
	want := builtin(t)
	dir := t.TempDir()
	for _, name := range []string{"robot.xml", "ROBOT.XML", "robot.mjcf"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, BuiltinMJCF(), 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := Load(path)
		if err != nil {
			t.Fatalf("Load(%s): %v", name, err)
		}
		if m.Nq != want.Nq || m.Nv != want.Nv || m.Nu != want.Nu || m.TotalMass() != want.TotalMass() {
			t.Errorf("%s: nq %d nv %d nu %d mass %g, want %d %d %d %g", name, m.Nq, m.Nv, m.Nu, m.TotalMass(), want.Nq, want.Nv, want.Nu, want.TotalMass())
			continue
		}
		for i := range m.Joints {
			a, b := &m.Joints[i], &want.Joints[i]
			if a.Name != b.Name || a.EffortLimited != b.EffortLimited || a.EffortRange != b.EffortRange || a.VelocityLimit != b.VelocityLimit {
				t.Errorf("%s: joint %q effort %v velocity %g, built-in %q %v %g", name, a.Name, a.EffortRange, a.VelocityLimit, b.Name, b.EffortRange, b.VelocityLimit)
			}
		}
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "robot.stl"), `unknown model file type ".stl"`},
		{filepath.Join(dir, "robot.yaml"), `unknown model file type ".yaml"`},
		{filepath.Join(dir, "robot"), "no file extension"},
		{"pm01", "no file extension"},
	} {
		m, err := Load(c.path)
		if err == nil || m != nil {
			t.Errorf("Load(%q) = %v, %v; want an error", c.path, m, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, c.want) || !strings.Contains(msg, ".xml") || !strings.Contains(msg, ".urdf") {
			t.Errorf("Load(%q): error %q, want it to say %q and list .xml and .urdf", c.path, msg, c.want)
		}
	}
	for _, name := range []string{"missing.xml", "missing.urdf"} {
		if _, err := Load(filepath.Join(dir, name)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("Load(%s): error %v, want one naming the file", name, err)
		}
	}
}

// TestLoadVelocityLimitCount checks Load rejects a stride_velocity_limit with
// the wrong number of values, naming the file and what is expected.
func TestLoadVelocityLimitCount(t *testing.T) {
	const model = `<mujoco model="two">
  <worldbody>
    <body name="a">
      <inertial pos="0 0 0" mass="1" diaginertia="0.01 0.01 0.01"/>
      <joint name="j1" type="hinge" axis="0 1 0"/>
      <body name="b" pos="0 0 -0.3">
        <inertial pos="0 0 0" mass="1" diaginertia="0.01 0.01 0.01"/>
        <joint name="j2" type="hinge" axis="0 1 0"/>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="m1" joint="j1" gear="1" ctrllimited="true" ctrlrange="-5 5" forcelimited="true" forcerange="-5 5"/>
    <motor name="m2" joint="j2" gear="1"/>
  </actuator>
  <custom>
    <numeric name="stride_velocity_limit" data="%s"/>
  </custom>
</mujoco>
`
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Replace(model, "%s", data, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	m, err := Load(write("ok.xml", "3 4"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	j1, j2 := &m.Joints[m.JointIndex("j1")], &m.Joints[m.JointIndex("j2")]
	if j1.VelocityLimit != 3 || j2.VelocityLimit != 4 || !j1.EffortLimited || j1.EffortRange != [2]float64{-5, 5} || j2.EffortLimited {
		t.Errorf("j1 velocity %g effort %v (%v), j2 velocity %g effort limited %v; want 3 ±5, 4 none",
			j1.VelocityLimit, j1.EffortRange, j1.EffortLimited, j2.VelocityLimit, j2.EffortLimited)
	}
	_, err = Load(write("short.xml", "3"))
	if err == nil || !strings.Contains(err.Error(), "short.xml") || !strings.Contains(err.Error(), VelocityLimitNumeric) ||
		!strings.Contains(err.Error(), "1 values") || !strings.Contains(err.Error(), "(2)") {
		t.Errorf("one value for two actuators: error %v, want one naming the file, the numeric and both counts", err)
	}
}

// TestApplyLimits checks the effort rule on a hand-built model: gear scales
// and may flip the range, a joint with two actuators or its own limit is left
// alone, and a bad velocity value is refused before anything changes.
func TestApplyLimits(t *testing.T) {
	m := rbd.NewModel("limits")
	for i, name := range []string{"j1", "j2", "j3"} {
		m.Bodies = append(m.Bodies, rbd.Body{Name: name, Parent: i, Quat: spatial.IdentityQuat(),
			Mass: 1, Inertia: spatial.Diag3(spatial.Vec3{0.01, 0.01, 0.01})})
		m.Joints = append(m.Joints, rbd.Joint{Name: name, Type: rbd.JointHinge, Body: i + 1, Axis: spatial.Vec3{0, 1, 0}})
	}
	m.Joints[2].EffortLimited, m.Joints[2].EffortRange = true, [2]float64{-7, 7}
	fl := func(name string, joint int, gear, lo, hi float64) rbd.Actuator {
		return rbd.Actuator{Name: name, Kind: rbd.ActMotor, Joint: joint, Gear: gear, Gain: 1, ForceLimited: true, ForceRange: [2]float64{lo, hi}}
	}
	m.Actuators = []rbd.Actuator{fl("a1", 0, -2, -1, 3), fl("a2", 1, 1, -4, 4), fl("a3", 1, 1, -4, 4), fl("a4", 2, 1, -5, 5)}
	if err := m.Finalize(); err != nil {
		t.Fatal(err)
	}
	m.Numeric[VelocityLimitNumeric] = []float64{1, 2, 3, -4}
	if err := ApplyLimits(m); err == nil || !strings.Contains(err.Error(), `"a4"`) {
		t.Errorf("negative velocity limit: error %v, want one naming actuator a4", err)
	}
	if m.Joints[0].VelocityLimit != 0 {
		t.Error("a refused velocity limit list was partly applied")
	}
	m.Numeric[VelocityLimitNumeric] = []float64{1, 2, 3, 4}
	if err := ApplyLimits(m); err != nil {
		t.Fatal(err)
	}
	if j := m.Joints[0]; !j.EffortLimited || j.EffortRange != [2]float64{-6, 2} || j.VelocityLimit != 1 {
		t.Errorf("j1: effort %v (%v) velocity %g, want [-6 2] (gear −2 × [−1 3]) and 1", j.EffortRange, j.EffortLimited, j.VelocityLimit)
	}
	if j := m.Joints[1]; j.EffortLimited || j.VelocityLimit != 3 {
		t.Errorf("j2 (two actuators): effort limited %v %v, velocity %g; want no effort limit and 3 (the last actuator's)", j.EffortLimited, j.EffortRange, j.VelocityLimit)
	}
	if j := m.Joints[2]; j.EffortRange != [2]float64{-7, 7} {
		t.Errorf("j3: its own effort range became %v", j.EffortRange)
	}
	delete(m.Numeric, VelocityLimitNumeric)
	if err := ApplyLimits(m); err != nil {
		t.Errorf("no velocity numeric: %v", err)
	}
}

func TestLoadVendorURDF(t *testing.T) {
	path := shared(t, "models/pm01/resource/robot/pm_v2/urdf/serial_pm_v2.urdf")
	m, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	if m.Nq != 31 || m.Nv != 30 || m.Joints[0].Type != rbd.JointFree {
		t.Errorf("vendor URDF: nq %d nv %d, joint 0 %s; want 31, 30, a free base", m.Nq, m.Nv, m.Joints[0].Type)
	}
	approx(t, "vendor URDF mass (kg)", m.TotalMass(), 40, 3)
}

func TestLoadVendorMJCF(t *testing.T) {
	path := shared(t, "models/pm01/resource/pm_v2.xml")
	m, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	if m.Nq != 31 || m.Nv != 30 || m.Nu != 24 {
		t.Errorf("vendor MJCF: nq %d nv %d nu %d, want 31 30 24", m.Nq, m.Nv, m.Nu)
	}
	if _, ok := m.Numeric[VelocityLimitNumeric]; ok {
		t.Errorf("vendor MJCF has a %s numeric", VelocityLimitNumeric)
	}
	// Its joints carry actuatorfrcrange, which the loader reads and Load keeps.
	for _, j := range m.Joints[1:] {
		if !j.EffortLimited || j.VelocityLimit != 0 {
			t.Errorf("vendor joint %q: effort %v (limited %v), velocity %g; want an effort limit and no velocity limit", j.Name, j.EffortRange, j.EffortLimited, j.VelocityLimit)
		}
	}
}
