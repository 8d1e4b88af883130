package rbd_test

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stride-robotics/stride/sim/mjcf"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
)

// benchModels are the PM01-class models the benchmarks run on: the built-in
// robot and, when ../shared is present, the vendor's MJCF.
func benchModels(b *testing.B) map[string]*rbd.Model {
	out := map[string]*rbd.Model{}
	m, err := models.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	out["builtin"] = m
	if v, err := mjcf.LoadFile(filepath.Join(shared, "models/pm01/resource/pm_v2.xml")); err == nil {
		out["vendor"] = v
	}
	return out
}

func benchState(m *rbd.Model) (q, v, tau []float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	q = append([]float64(nil), m.Qpos0...)
	if len(m.Keyframes) > 0 && m.Keyframes[0].Qpos != nil {
		copy(q, m.Keyframes[0].Qpos)
	}
	v = make([]float64, m.Nv)
	tau = make([]float64, m.Nv)
	for i := range v {
		v[i] = rng.NormFloat64()
		tau[i] = 10 * rng.NormFloat64()
	}
	return
}

func BenchmarkAlgorithms(b *testing.B) {
	for name, m := range benchModels(b) {
		d := rbd.NewData(m)
		q, v, tau := benchState(m)
		out := make([]float64, m.Nv)
		rbd.Kinematics(m, d, q)
		rbd.Velocities(m, d, v)
		run := func(alg string, f func()) {
			b.Run(name+"/"+alg, func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					f()
				}
			})
		}
		run("Kinematics", func() { rbd.Kinematics(m, d, q) })
		run("Velocities", func() { rbd.Velocities(m, d, v) })
		run("RNEA", func() { rbd.RNEA(m, d, out, tau) })
		run("CRBA", func() { rbd.CRBA(m, d) })
		run("FactorSolve", func() { rbd.FactorM(m, d); copy(out, tau); rbd.SolveM(m, d, out) })
		run("ABA", func() { rbd.ABA(m, d, out, tau) })
		// the whole forward dynamics, as MuJoCo's "rbd" figure: kinematics,
		// velocities, bias, mass matrix, factor, solve
		run("ForwardCRBA", func() { rbd.ForwardDynamicsCRBA(m, d, out, q, v, tau) })
		run("ForwardABA", func() { rbd.ForwardDynamics(m, d, out, q, v, tau) })
	}
}

func BenchmarkFactorPacked(b *testing.B) {
	m, err := models.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	d := rbd.NewData(m)
	q, _, _ := benchState(m)
	rbd.Kinematics(m, d, q)
	rbd.CRBA(m, d)
	h := make([]float64, m.TreeSize)
	w := make([]float64, m.TreeSize)
	dinv := make([]float64, m.Nv)
	rbd.PackTree(m, h, d.M)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		copy(w, h)
		rbd.FactorTreePacked(m, w, dinv)
	}
}
