package bench

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/sim/peer"
)

// Every zoo model loads in Stride and runs its scenario without diverging;
// the solver counts are consistent (a factorisation per iteration at most,
// at least one line-search evaluation per factorisation).
func TestZooModelsStep(t *testing.T) {
	zoo, err := Zoo()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for i := range zoo {
		z := &zoo[i]
		names[z.Name] = true
		m, err := z.stride()
		if err != nil {
			t.Fatalf("%s: %v", z.Name, err)
		}
		w, err := newStrideWorld(m, z.Dt)
		if err != nil {
			t.Fatalf("%s: %v", z.Name, err)
		}
		r, err := timeStride(w, 300, z.Kp, z.Kd, make([]float64, m.Nq))
		if err != nil {
			t.Fatalf("%s: %v", z.Name, err)
		}
		if r.Iter.Max < 1 || r.Factor.Mean > r.Iter.Mean || r.LineEvals.Mean < r.Factor.Mean || r.Contacts == 0 {
			t.Errorf("%s: counts %+v", z.Name, r)
		}
	}
	for _, n := range []string{"builtin", "bare", "stiff", "kneel", "fallen", "thirdparty", "mjhumanoid"} {
		if !names[n] {
			t.Errorf("the zoo has no %s", n)
		}
	}
}

// The zoo beside MuJoCo: both run every model at the model's timestep and
// the table carries both sides' figures.
func TestZooPeer(t *testing.T) {
	if err := peer.Available(); err != nil {
		t.Skip(err)
	}
	rows, err := RunZoo(ZooOptions{Steps: 50, Reps: 1, Only: []string{"builtin-2ms", "thirdparty"}})
	if errors.Is(err, peer.ErrUnavailable) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		if r.Timestep != 0.002 || len(r.Stride) != 1 || len(r.Mujoco) != 1 || !(r.MujocoUs > 0) || !(r.StrideUs > 0) ||
			math.Abs(r.Speedup-r.MujocoUs/r.StrideUs) > 1e-12 || r.Mujoco[0].Iter.Max < 1 || r.Mujoco[0].Contacts == 0 {
			t.Errorf("row %+v", r)
		}
	}
	if tab := FormatZoo(rows); !strings.Contains(tab, "thirdparty") || strings.Count(tab, "\n") != 3 {
		t.Errorf("table:\n%s", tab)
	}
	if _, err := RunZoo(ZooOptions{Steps: 10, Reps: 1, Only: []string{"nosuch"}}); err == nil || !strings.Contains(err.Error(), "no zoo model named nosuch") {
		t.Errorf("unknown model: %v", err)
	}
}
