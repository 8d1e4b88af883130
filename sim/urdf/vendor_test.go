package urdf

import (
	"errors"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// pm01URDF is the vendor's PM01 description, outside this repository.
const pm01URDF = "../../../shared/models/pm01/resource/robot/pm_v2/urdf/serial_pm_v2.urdf"

func readPM01(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(pm01URDF)
	if err != nil {
		t.Skipf("vendor PM01 URDF not available (%v); skipping", err)
	}
	return data
}

// TestPM01 loads the vendor PM01 URDF: 24 revolute joints, a floating base,
// four fixed frames merged as sites, and the total mass of the file's links.
func TestPM01(t *testing.T) {
	data := readPM01(t)
	m, err := LoadFile(pm01URDF, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "pm_v2" || m.Nq != 31 || m.Nv != 30 || m.Nu != 24 {
		t.Errorf("name %q nq %d nv %d nu %d, want pm_v2 31 30 24", m.Name, m.Nq, m.Nv, m.Nu)
	}
	hinges := 0
	for _, j := range m.Joints {
		if j.Type == rbd.JointHinge {
			hinges++
		}
	}
	if hinges != 24 || len(m.Joints) != 25 || m.Joints[0].Type != rbd.JointFree {
		t.Errorf("%d hinges of %d joints (first %v), want 24 of 25 after a free joint", hinges, len(m.Joints), m.Joints[0].Type)
	}
	if len(m.Bodies) != 26 {
		t.Errorf("%d bodies, want 26 (world, base, 24 jointed links)", len(m.Bodies))
	}

	// Total mass: the sum of every <mass value> in the file (fixed links
	// merged, nothing lost), also checked against the figure written out.
	sum := 0.0
	for _, s := range regexp.MustCompile(`<mass value="([^"]+)"`).FindAllStringSubmatch(string(data), -1) {
		v, err := strconv.ParseFloat(s[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		sum += v
	}
	if !near(m.TotalMass(), sum, 1e-12) || !near(sum, 40.92082842, 1e-9) {
		t.Errorf("total mass %.10g, file sum %.10g, want 40.92082842", m.TotalMass(), sum)
	}

	knee := m.Joints[m.JointIndex("J03_KNEE_PITCH_L")]
	if !knee.Limited || knee.Range != [2]float64{-0.3491, 2.3911} || knee.EffortRange != [2]float64{-164, 164} || knee.VelocityLimit != 26.3 {
		t.Errorf("knee %+v", knee)
	}
	if a := m.Actuators[m.ActuatorIndex("J03_KNEE_PITCH_L")]; a.CtrlRange != [2]float64{-164, 164} || m.Joints[a.Joint].Name != "J03_KNEE_PITCH_L" {
		t.Errorf("knee actuator %+v", a)
	}
	for _, s := range []struct {
		site, body string
		pos        spatial.Vec3
	}{
		{"LINK_FOOT_L", "LINK_ANKLE_ROLL_L", spatial.Vec3{0.017, 0.00166, -0.04631}},
		{"LINK_FOOT_R", "LINK_ANKLE_ROLL_R", spatial.Vec3{0.017, -0.00166, -0.04631}},
		{"LINK_ELBOW_END_L", "LINK_ELBOW_YAW_L", spatial.Vec3{0.03, -0.02, -0.14}},
		{"LINK_ELBOW_END_R", "LINK_ELBOW_YAW_R", spatial.Vec3{0.03, 0.02, -0.14}},
	} {
		i := m.SiteIndex(s.site)
		if i < 0 {
			t.Errorf("no site %s", s.site)
			continue
		}
		if got := m.Bodies[m.Sites[i].Body].Name; got != s.body {
			t.Errorf("site %s on %s, want %s", s.site, got, s.body)
		}
		checkVec(t, s.site, m.Sites[i].Pos, s.pos, 1e-15)
	}
	// 25 links with a visual and a collision mesh each, plus the four merged
	// links' visual spheres; 25 distinct mesh files, 5 of them absent.
	if len(m.Geoms) != 54 || len(m.Meshes) != 25 {
		t.Errorf("%d geoms and %d meshes, want 54 and 25", len(m.Geoms), len(m.Meshes))
	}
	missing := 0
	for _, w := range m.Warnings {
		if strings.HasPrefix(w, "mesh file ") && strings.Contains(w, "not found") {
			missing++
		}
	}
	if missing != 5 || len(m.Warnings) != 5 {
		t.Errorf("warnings %q, want 5 missing meshes and nothing else", m.Warnings)
	}
	if base := m.Meshes[m.Geoms[0].Mesh]; base.Name != "LINK_BASE" || len(base.Faces) != 3*42786 {
		t.Errorf("LINK_BASE mesh: %s with %d triangles, want 42786", base.Name, len(base.Faces)/3)
	}

	fixed, err := LoadFile(pm01URDF, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if fixed.Nq != 24 || fixed.Nv != 24 {
		t.Errorf("fixed base: nq %d nv %d, want 24 24", fixed.Nq, fixed.Nv)
	}
}

// TestPM01ErrorLine breaks one axis of the vendor file and checks that the
// error names the file, the line and the joint.
func TestPM01ErrorLine(t *testing.T) {
	src := string(readPM01(t))
	j := strings.Index(src, `<joint name="J03_KNEE_PITCH_L"`)
	a := j + strings.Index(src[j:], `<axis xyz="0 1 0"/>`)
	line := strings.Count(src[:a], "\n") + 1
	bad := src[:a] + `<axis xyz="0 0 0"/>` + src[a+len(`<axis xyz="0 1 0"/>`):]
	_, err := Load(fstest.MapFS{"serial_pm_v2.urdf": {Data: []byte(bad)}}, "serial_pm_v2.urdf", DefaultOptions())
	want := "serial_pm_v2.urdf:" + strconv.Itoa(line) + `: <joint name="J03_KNEE_PITCH_L">: axis "0 0 0" has zero length`
	var e *Error
	if err == nil || err.Error() != want || !errors.As(err, &e) || e.Line != line {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}
