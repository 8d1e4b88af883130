package models

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stride-robotics/stride/sim/peer"
)

// TestMuJoCoStands runs the built-in MJCF, unchanged, in MuJoCo 2.2.2 through
// the shared peer harness (../shared/peer/peer.c): from the "home" keyframe,
// joint PD (kp 300, kd 8) through the motors must hold the robot standing for
// 10 s, with only the foot corners touching the ground. It needs gcc and
// libmujoco-dev (`make deps`), and skips without them or in -short mode.
func TestMuJoCoStands(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the MuJoCo run")
	}
	dir := t.TempDir()
	bin, err := peer.BuildShared("peer", dir)
	if errors.Is(err, peer.ErrUnavailable) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, builtinFile)
	if err := os.WriteFile(model, BuiltinMJCF(), 0o644); err != nil {
		t.Fatal(err)
	}
	traj := filepath.Join(dir, "traj.csv")
	cmd := exec.Command(bin, model, "-p", "300", "-d", "8", "-n", "10000", "-r", "1", "-o", traj, "-e", "100")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("peer: %v\n%s", err, out)
	}
	t.Logf("peer output:\n%s", out)
	if !bytes.Contains(out, []byte("nq 31 nv 30 nu 24")) || !bytes.Contains(out, []byte("mass 40.000 kg")) {
		t.Errorf("MuJoCo sees a different model than Stride (want nq 31 nv 30 nu 24, mass 40.000 kg)")
	}
	// Contacts at the home keyframe: four corners per foot box and nothing else.
	if m := regexp.MustCompile(`(?m)^fwd0 .* ncon (\d+) `).FindSubmatch(out); m == nil || string(m[1]) != "8" {
		t.Errorf("contacts at the home pose: %q, want 8 (the foot corners)", m)
	}

	f, err := os.Open(traj)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 100 || len(rows[0]) < 8 || rows[0][3] != "qpos2" {
		t.Fatalf("trajectory: %d rows, header %q", len(rows), rows[0])
	}
	num := func(r []string, i int) float64 {
		x, err := strconv.ParseFloat(r[i], 64)
		if err != nil {
			t.Fatalf("trajectory: %v", err)
		}
		return x
	}
	z0 := num(rows[1], 3)
	zlo, zhi, worstTilt := z0, z0, 0.0
	for _, r := range rows[1:] {
		z := num(r, 3)
		zlo, zhi = math.Min(zlo, z), math.Max(zhi, z)
		// Tilt of the base: the angle between its z axis and the world's, from
		// the quaternion (qpos3..6 = w, x, y, z).
		x, y := num(r, 5), num(r, 6)
		zz := 1 - 2*(x*x+y*y)
		worstTilt = math.Max(worstTilt, math.Acos(math.Max(-1, math.Min(1, zz))))
	}
	last := rows[len(rows)-1]
	t.Logf("MuJoCo PD stand, %s s: base height %.4f m at start, %.4f..%.4f, %.4f at the end; drift x %.4f y %.4f m; worst tilt %.4f rad",
		last[0], z0, zlo, zhi, num(last, 3), num(last, 1), num(last, 2), worstTilt)
	if num(last, 0) < 9.99 {
		t.Errorf("trajectory ends at t = %s s, want 10", last[0])
	}
	if z0-zlo > 0.02 || zhi-z0 > 0.005 {
		t.Errorf("base height left %.4f m: %.4f..%.4f; want within −2 cm / +5 mm (standing)", z0, zlo, zhi)
	}
	if worstTilt > 0.15 {
		t.Errorf("base tilted %.3f rad; want under 0.15 (standing)", worstTilt)
	}
	if dx, dy := num(last, 1), num(last, 2); math.Hypot(dx, dy) > 0.05 {
		t.Errorf("base drifted %.3f m, %.3f m; want under 5 cm", dx, dy)
	}
}
