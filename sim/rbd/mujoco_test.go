package rbd_test

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/sim/mjcf"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/peer"
	"github.com/stride-robotics/stride/sim/rbd"
)

const shared = "../../../shared"

// fdRows reads fdref's CSV: qpos, qvel, tau, qacc, bias per row.
func fdRows(t *testing.T, path string, nq, nv int) [][]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]float64
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for line := 0; sc.Scan(); line++ {
		if line == 0 {
			continue
		}
		fields := strings.Split(sc.Text(), ",")
		if len(fields) != nq+4*nv {
			t.Fatalf("%s:%d: %d columns, want nq + 4·nv = %d", path, line+1, len(fields), nq+4*nv)
		}
		row := make([]float64, len(fields))
		for i, s := range fields {
			if row[i], err = strconv.ParseFloat(s, 64); err != nil {
				t.Fatalf("%s:%d: %v", path, line+1, err)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// checkFD compares forward dynamics (ABA with passive forces) and the RNE bias
// with MuJoCo's rows: 1e-8 relative or 1e-9 absolute.
func checkFD(t *testing.T, m *rbd.Model, rows [][]float64) {
	t.Helper()
	nq, nv := m.Nq, m.Nv
	d := rbd.NewData(m)
	tau := make([]float64, nv)
	qacc := make([]float64, nv)
	bias := make([]float64, nv)
	worstA, worstB := 0.0, 0.0
	for r, row := range rows {
		q, v := row[:nq], row[nq:nq+nv]
		rbd.Passive(m, tau, q, v)
		for i := range tau {
			tau[i] += row[nq+nv+i]
		}
		rbd.ForwardDynamics(m, d, qacc, q, v, tau)
		rbd.Bias(m, d, bias)
		for i := 0; i < nv; i++ {
			refA, refB := row[nq+2*nv+i], row[nq+3*nv+i]
			ea := math.Abs(qacc[i]-refA) / math.Max(math.Abs(refA), 0.1)
			eb := math.Abs(bias[i]-refB) / math.Max(math.Abs(refB), 0.1)
			worstA, worstB = math.Max(worstA, ea), math.Max(worstB, eb)
			if ea > 1e-8 || eb > 1e-8 {
				t.Errorf("row %d dof %d: qacc %.17g vs MuJoCo %.17g, bias %.17g vs %.17g", r, i, qacc[i], refA, bias[i], refB)
			}
		}
	}
	t.Logf("%d rows: worst qacc error %.2g, worst bias error %.2g (|a−b|/max(|b|, 0.1))", len(rows), worstA, worstB)
}

// The vendor PM01 model against MuJoCo 2.2.2's reference rows in ../shared.
func TestDynamicsMatchMuJoCoPM01(t *testing.T) {
	model := filepath.Join(shared, "models/pm01/resource/pm_v2.xml")
	ref := filepath.Join(shared, "peer/pm01-fdref.csv")
	if _, err := os.Stat(ref); err != nil {
		t.Skip("../shared not present: skipping the MuJoCo reference check")
	}
	m, err := mjcf.LoadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	checkFD(t, m, fdRows(t, ref, m.Nq, m.Nv))
}

// More references made now with ../shared/peer/fdref.c when MuJoCo is
// installed: the built-in robot and MuJoCo's own humanoid, other seeds.
func TestDynamicsMatchMuJoCoMore(t *testing.T) {
	dir := t.TempDir()
	bin, err := peer.BuildShared("fdref", dir)
	if errors.Is(err, peer.ErrUnavailable) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	builtin := filepath.Join(dir, "builtin.xml")
	if err := os.WriteFile(builtin, models.BuiltinMJCF(), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, file, seed, vscale string }{
		{"builtin seed 2", builtin, "2", "3"},
		{"builtin seed 3 fast", builtin, "3", "8"},
		{"pm01 (2.2.2 edition) seed 7", filepath.Join(shared, "peer/pm01-mujoco222/resource/pm_v2.xml"), "7", "3"},
		{"mujoco humanoid", "/usr/share/mujoco/model/humanoid/humanoid.xml", "4", "3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := os.Stat(c.file); err != nil {
				t.Skipf("%s not present", c.file)
			}
			m, err := models.Load(c.file)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, fmt.Sprintf("ref-%s-%s.csv", filepath.Base(c.file), c.seed))
			cmd := exec.Command(bin, filepath.Base(c.file), "-n", "100", "-s", c.seed, "-v", c.vscale)
			cmd.Dir = filepath.Dir(c.file)
			data, err := cmd.Output()
			if err != nil {
				t.Skipf("MuJoCo 2.2.2 could not run %s: %v", c.file, err)
			}
			if err := os.WriteFile(out, data, 0o644); err != nil {
				t.Fatal(err)
			}
			checkFD(t, m, fdRows(t, out, m.Nq, m.Nv))
		})
	}
}
