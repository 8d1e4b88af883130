package rbd

import (
	"math/rand/v2"
	"testing"
)

// Every algorithm runs on preallocated Data and must allocate nothing.
func TestNoAllocations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	m := randomModel(t, rng, 20, true)
	d := NewData(m)
	q, v := randomState(m, rng)
	tau := make([]float64, m.Nv)
	out := make([]float64, m.Nv)
	J := make([]float64, 6*m.Nv)
	allocs := testing.AllocsPerRun(50, func() {
		Kinematics(m, d, q)
		Velocities(m, d, v)
		RNEA(m, d, out, tau)
		Bias(m, d, out)
		CRBA(m, d)
		FactorM(m, d)
		SolveM(m, d, out)
		ABA(m, d, out, tau)
		PointJacobian(m, d, J, 5, d.XBody[5].P)
		PointAccelerationBias(m, d, 5, d.XBody[5].P)
		CentroidalMomentumMatrix(m, d, J)
		Passive(m, out, q, v)
	})
	if allocs != 0 {
		t.Fatalf("algorithms allocate %v times per run, want 0", allocs)
	}
}
