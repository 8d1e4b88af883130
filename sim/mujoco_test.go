package sim_test

import (
	"bufio"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/mjcf"
	"github.com/stride-robotics/stride/sim/peer"
)

const shared = "../../shared"

// peerBinary builds ../shared/peer/peer.c against MuJoCo 2.2.2, or skips.
func peerBinary(t *testing.T) string {
	t.Helper()
	bin, err := peer.BuildShared("peer", t.TempDir())
	if errors.Is(err, peer.ErrUnavailable) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// vendorNoConstraints copies MuJoCo 2.2.2's edition of the vendor model to a
// temporary tree with constraints disabled, and returns its main file.
func vendorNoConstraints(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(shared, "peer/pm01-mujoco222")
	if err := os.Mkdir(filepath.Join(dir, "peer"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-r", src, filepath.Join(dir, "peer/pm")).CombinedOutput(); err != nil {
		t.Fatalf("copying %s: %v\n%s", src, err, out)
	}
	// its mesh paths climb to models/ beside peer/, as in ../shared
	abs, _ := filepath.Abs(filepath.Join(shared, "models"))
	if err := os.Symlink(abs, filepath.Join(dir, "models")); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "peer/pm/resource/robot/pm_v2/xml/serial_pm_v2.xml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), `<option timestep="0.002" tolerance="1e-10"/>`,
		`<option timestep="0.002" tolerance="1e-10"><flag constraint="disable"/></option>`, 1)
	if s == string(b) {
		t.Fatal("could not disable constraints in the copied model")
	}
	// start moving: base linear and angular velocity, every joint swinging
	qvel := "0.3 -0.2 1.0 1.5 -2.0 0.7"
	for i := 0; i < 24; i++ {
		qvel += " " + strconv.FormatFloat(3*math.Sin(float64(7*i+1)), 'f', 6, 64)
	}
	key := `<key name="floating_base_homing" `
	if !strings.Contains(s, key) {
		t.Fatal("keyframe not found in the copied model")
	}
	s = strings.Replace(s, key, key+`qvel="`+qvel+`" `, 1)
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "peer/pm/resource/pm_v2.xml")
}

func readTrajectory(t *testing.T, path string) [][]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]float64
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for first := true; sc.Scan(); first = false {
		if first {
			continue
		}
		var row []float64
		for _, s := range strings.Split(sc.Text(), ",") {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatal(err)
			}
			row = append(row, x)
		}
		rows = append(rows, row)
	}
	return rows
}

// A contact-free trajectory of the vendor PM01 model (constraints off, every
// joint and the base thrown into motion, joint PD through the motors as the
// peer applies it) must match MuJoCo's, step for step: the same semi-implicit
// Euler with implicit damping, and dynamics equal to rounding.
func TestTrajectoryMatchesMuJoCo(t *testing.T) {
	peer := peerBinary(t)
	model := vendorNoConstraints(t)
	out := filepath.Join(t.TempDir(), "traj.csv")
	const steps, every = 500, 10
	cmd := exec.Command(peer, filepath.Base(model), "-n", strconv.Itoa(steps), "-r", "1", "-p", "300", "-d", "8",
		"-o", out, "-e", strconv.Itoa(every))
	cmd.Dir = filepath.Dir(model)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("peer: %v\n%s", err, b)
	}
	ref := readTrajectory(t, out)

	m, err := mjcf.LoadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	opt := sim.DefaultOptions()
	opt.Timestep = m.Timestep
	opt.DisableConstraints = true
	w, err := sim.NewWorld(m, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	q0 := append([]float64(nil), w.Qpos...)
	worst := 0.0
	for s := 0; s <= steps; s++ {
		if s%every == 0 {
			row := ref[s/every]
			for i := 0; i < m.Nq; i++ {
				worst = math.Max(worst, math.Abs(w.Qpos[i]-row[1+i]))
			}
		}
		if s == steps {
			break
		}
		for i := range m.Actuators {
			a := &m.Actuators[i]
			j := &m.Joints[a.Joint]
			w.Ctrl[i] = (300*(q0[j.QAdr]-w.Qpos[j.QAdr]) - 8*w.Qvel[j.DofAdr]) / (a.Gear * a.Gain)
		}
		if err := w.Step(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("1 s of tumbling under PD: largest qpos difference from MuJoCo %.3g", worst)
	if worst > 1e-8 {
		t.Errorf("trajectory differs from MuJoCo's by %.3g, want ≤ 1e-8", worst)
	}
}
