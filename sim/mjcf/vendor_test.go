package mjcf

import (
	"io/fs"
	"math"
	"os"
	"path"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

const (
	pm01File     = "../../../shared/models/pm01/resource/pm_v2.xml"
	pm01PeerDir  = "../../../shared/peer/pm01-mujoco222/resource"
	humanoidFile = "/usr/share/mujoco/model/humanoid/humanoid.xml"
)

var pm01Joints = []string{
	"J00_HIP_PITCH_L", "J01_HIP_ROLL_L", "J02_HIP_YAW_L", "J03_KNEE_PITCH_L", "J04_ANKLE_PITCH_L", "J05_ANKLE_ROLL_L",
	"J06_HIP_PITCH_R", "J07_HIP_ROLL_R", "J08_HIP_YAW_R", "J09_KNEE_PITCH_R", "J10_ANKLE_PITCH_R", "J11_ANKLE_ROLL_R",
	"J12_WAIST_YAW", "J13_SHOULDER_PITCH_L", "J14_SHOULDER_ROLL_L", "J15_SHOULDER_YAW_L", "J16_ELBOW_PITCH_L",
	"J17_ELBOW_YAW_L", "J18_SHOULDER_PITCH_R", "J19_SHOULDER_ROLL_R", "J20_SHOULDER_YAW_R", "J21_ELBOW_PITCH_R",
	"J22_ELBOW_YAW_R", "J23_HEAD_YAW",
}

// The joints with 164 N·m motors; the others have 61 N·m.
var pm01Strong = map[string]bool{
	"J00_HIP_PITCH_L": true, "J01_HIP_ROLL_L": true, "J03_KNEE_PITCH_L": true,
	"J06_HIP_PITCH_R": true, "J07_HIP_ROLL_R": true, "J09_KNEE_PITCH_R": true,
}

func loadPM01(t *testing.T) *rbd.Model {
	t.Helper()
	if _, err := os.Stat(pm01File); err != nil {
		t.Skip("../../../shared not present")
	}
	m, err := LoadFile(pm01File)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestVendorPM01(t *testing.T) {
	m := loadPM01(t)
	if m.Nq != 31 || m.Nv != 30 || m.Nu != 24 {
		t.Fatalf("nq, nv, nu = %d, %d, %d; want 31, 30, 24", m.Nq, m.Nv, m.Nu)
	}
	if m.Name != "global_model" || m.Timestep != 0.002 || len(m.Bodies) != 30 {
		t.Errorf("name %q, timestep %g, %d bodies", m.Name, m.Timestep, len(m.Bodies))
	}
	if j := m.Joints[0]; j.Type != rbd.JointFree || m.Bodies[j.Body].Name != "LINK_BASE" {
		t.Errorf("joint 0 is %v on %q, want the free joint of LINK_BASE", j.Type, m.Bodies[j.Body].Name)
	}
	for i, name := range pm01Joints {
		j := &m.Joints[i+1]
		if j.Name != name || j.Type != rbd.JointHinge {
			t.Fatalf("joint %d is %s %q, want hinge %q", i+1, j.Type, j.Name, name)
		}
		effort := 61.0
		if pm01Strong[name] {
			effort = 164
		}
		if !j.Limited || j.Damping != 0.6 || j.FrictionLoss != 0.8 || !j.EffortLimited || j.EffortRange != [2]float64{-effort, effort} {
			t.Errorf("joint %s: limited %v damping %g frictionloss %g effort %v %v", name, j.Limited, j.Damping, j.FrictionLoss, j.EffortLimited, j.EffortRange)
		}
		if math.Abs(j.Axis.Norm()-1) > 1e-12 {
			t.Errorf("joint %s: axis %v is not a unit vector", name, j.Axis)
		}
		a := &m.Actuators[i]
		if a.Name != "motor_"+name || a.Joint != i+1 || a.Kind != rbd.ActMotor || a.Gear != 1 || a.Gain != 1 ||
			!a.CtrlLimited || a.CtrlRange != [2]float64{-effort, effort} || a.ForceLimited {
			t.Errorf("actuator %d: %+v", i, *a)
		}
	}
	j00 := jointByName(t, m, "J00_HIP_PITCH_L")
	nearVec(t, "J00 range", j00.Range[:], []float64{-3.141, 2.443}, 0)
	near(t, "J00 armature", j00.Armature, 0.045325, 0)
	nearVec(t, "J00 axis", j00.Axis[:], []float64{0, 0.965926, -0.258819}, 1e-6)
	near(t, "J23 armature", jointByName(t, m, "J23_HEAD_YAW").Armature, 0.039175, 0)

	base := bodyByName(t, m, "LINK_BASE")
	near(t, "base mass", base.Mass, 4.08640035, 0)
	nearVec(t, "base pos", base.Pos[:], []float64{0, 0, 0.82}, 0)
	// The file's fullinertia, as MuJoCo 2.2.2 compiles it (its decomposition
	// into principal axes moves entries by up to 1e-9 here).
	nearVec(t, "base fullinertia", base.Inertia[:], []float64{
		0.02021593009, -1.199999045e-06, -0.0003778389988,
		-1.199999045e-06, 0.01531282, -2.950000045e-06,
		-0.0003778389988, -2.950000045e-06, 0.01216284991}, 1e-11)
	near(t, "total mass", m.TotalMass(), 40.92281135, 1e-9)

	if len(m.Keyframes) != 1 || m.Keyframes[0].Name != "floating_base_homing" || len(m.Keyframes[0].Qpos) != 31 {
		t.Fatalf("keyframes %+v", m.Keyframes)
	}
	home := m.Keyframes[0].Qpos
	nearVec(t, "homing qpos", home[:11], []float64{0, 0, 0.82, 1, 0, 0, 0, 0, 0, -0.12, 0.24}, 0)

	if len(m.Meshes) != 20 {
		t.Fatalf("%d meshes, want 20", len(m.Meshes))
	}
	for _, mesh := range m.Meshes {
		if len(mesh.Vertices) == 0 || len(mesh.Vertices)%3 != 0 || len(mesh.Faces) == 0 || len(mesh.Faces)%3 != 0 {
			t.Errorf("mesh %s: %d vertex coordinates, %d face indices", mesh.Name, len(mesh.Vertices), len(mesh.Faces))
		}
		for _, f := range mesh.Faces {
			if f < 0 || int(f) >= len(mesh.Vertices)/3 {
				t.Fatalf("mesh %s: face index %d out of range", mesh.Name, f)
			}
		}
	}

	checkPM01Geoms(t, m)
	var sites []string
	for _, s := range m.Sites {
		sites = append(sites, s.Name)
	}
	if got := strings.Join(sites, " "); got != "base imu force_sensor_left_foot torque_sensor_left_foot force_sensor_right_foot torque_sensor_right_foot" {
		t.Errorf("sites %s", got)
	}
	wantContains(t, joinWarnings(m.Warnings), "<sensor> is not supported", "<visual> was ignored (cosmetic)")
}

func checkPM01Geoms(t *testing.T, m *rbd.Model) {
	t.Helper()
	floor := geomByName(t, m, "floor")
	if floor.Body != 0 || floor.Type != rbd.GeomPlane || floor.Conaffinity != 7 || floor.Size != (spatial.Vec3{0, 5, 0.125}) {
		t.Errorf("floor %+v", floor)
	}
	hip := m.BodyIndex("LINK_HIP_PITCH_L")
	var visual, collision int
	for i := range m.Geoms {
		g := &m.Geoms[i]
		if g.Body != hip {
			continue
		}
		switch g.Type {
		case rbd.GeomMesh: // class visual
			visual++
			if g.Contype != 0 || g.Conaffinity != 0 || g.Group != 2 || g.RGBA != [4]float32{0.75294, 0.75294, 0.75294, 1} {
				t.Errorf("visual geom %+v", g)
			}
		case rbd.GeomCylinder: // class collision_hip_left, quat="1 0 1 0"
			collision++
			h := math.Sqrt(0.5)
			nearQuat(t, "hip collision quat", g.Quat, spatial.Quat{W: h, Y: h}, 1e-15)
			if g.Contype != 1 || g.Group != 3 || g.Friction != [3]float64{0.8, 0.005, 0.0001} || g.Size != (spatial.Vec3{0.046, 0.06, 0}) {
				t.Errorf("collision geom %+v", g)
			}
		}
	}
	if visual != 1 || collision != 1 {
		t.Errorf("hip geoms: %d visual, %d collision; want 1 and 1", visual, collision)
	}
}

// The MuJoCo 2.2.2 edition of PM01 loads from an fs.FS that lacks the mesh
// files: each missing mesh is a warning and the model is otherwise whole.
func TestVendorPM01MissingMeshes(t *testing.T) {
	if _, err := os.Stat(pm01PeerDir); err != nil {
		t.Skip("../../../shared not present")
	}
	fsys := fstest.MapFS{}
	err := fs.WalkDir(os.DirFS(pm01PeerDir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".xml" {
			return err
		}
		data, err := os.ReadFile(path.Join(pm01PeerDir, p))
		fsys[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(fsys, "pm_v2.xml")
	if err != nil {
		t.Fatal(err)
	}
	if m.Nq != 31 || m.Nv != 30 || m.Nu != 24 || len(m.Meshes) != 20 {
		t.Fatalf("nq, nv, nu = %d, %d, %d with %d meshes", m.Nq, m.Nv, m.Nu, len(m.Meshes))
	}
	missing := 0
	for _, w := range m.Warnings {
		if strings.Contains(w, "not found") {
			missing++
		}
	}
	if missing != 20 {
		t.Errorf("%d missing-mesh warnings, want 20:\n%s", missing, joinWarnings(m.Warnings))
	}
	if j := jointByName(t, m, "J00_HIP_PITCH_L"); j.EffortLimited {
		t.Error("the 2.2.2 edition has no actuatorfrcrange")
	}
}

// MuJoCo's own humanoid: degrees, several hinges per body, inertia from
// capsules, default classes. The counts are those of its file: a free joint
// and 21 hinges (nq = 7 + 21 = 28, nv = 6 + 21 = 27) and 21 motors.
func TestHumanoid(t *testing.T) {
	if _, err := os.Stat(humanoidFile); err != nil {
		t.Skip("MuJoCo's humanoid.xml is not installed")
	}
	m, err := LoadFile(humanoidFile)
	if err != nil {
		t.Fatal(err)
	}
	if m.Nq != 28 || m.Nv != 27 || m.Nu != 21 || len(m.Bodies) != 17 {
		t.Fatalf("nq, nv, nu = %d, %d, %d with %d bodies; want 28, 27, 21 and 17", m.Nq, m.Nv, m.Nu, len(m.Bodies))
	}
	// Masses as MuJoCo 2.2.2 compiles them (density 1000 capsules and spheres).
	near(t, "total mass", m.TotalMass(), 40.8440212216, 1e-9)
	near(t, "head mass", bodyByName(t, m, "head").Mass, 4.0/3*math.Pi*0.09*0.09*0.09*1000, 1e-9)
	knee := jointByName(t, m, "right_knee")
	nearVec(t, "knee range", knee.Range[:], []float64{-160 * math.Pi / 180, 2 * math.Pi / 180}, 1e-12)
	if knee.Damping != 0.2 || knee.Stiffness != 1 || knee.Armature != 0.01 {
		t.Errorf("knee from class body: %+v", knee)
	}
	if j := jointByName(t, m, "abdomen_z"); j.Damping != 5 || j.Stiffness != 20 {
		t.Errorf("abdomen_z from class big_stiff_joint: %+v", j)
	}
	hip := m.ActuatorIndex("right_hip_y")
	if a := m.Actuators[hip]; a.Gear != 120 || !a.CtrlLimited || a.CtrlRange != [2]float64{-1, 1} {
		t.Errorf("right_hip_y motor %+v", a)
	}
}
