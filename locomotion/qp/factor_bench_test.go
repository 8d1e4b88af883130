package qp

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkFactor times the Cholesky factorisation alone.
func BenchmarkFactor(b *testing.B) {
	for _, n := range []int{60, 120, 192} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, uint64(n)))
			p := randomProblem(rng, n, 0, 0)
			s := NewSolver(n, 0, 0)
			s.n = n
			defer lockThread()()
			cpu0, ops := threadCPU(), 0
			for b.Loop() {
				if err := s.factor(p); err != nil {
					b.Fatal(err)
				}
				ops++
			}
			b.ReportMetric(float64(threadCPU()-cpu0)/float64(ops), "cpu-ns/op")
		})
	}
}
