package sweep

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSweep runs the 8 rollouts of testdata/quick.yaml on 1 and 2
// workers: rollouts/s is the throughput (parallel efficiency on 2 cores is
// rollouts/s at 2 workers over twice that at 1), cpu-s/rollout the process
// CPU time per rollout (equal at 1 and 2 workers when the workers share
// nothing). On a machine other programs load, the wall-clock figure
// measures the load too; the CPU figure does not.
//
//	go test ./tools/sweep -run X -bench Sweep -benchtime 3x
func BenchmarkSweep(b *testing.B) {
	s, err := Load("testdata/quick.yaml")
	if err != nil {
		b.Fatal(err)
	}
	n := len(s.Rollouts())
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			cpu0 := cpuTime()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				if _, err := s.RunSweep(context.Background(), Options{Out: b.TempDir(), Workers: w}); err != nil {
					b.Fatal(err)
				}
			}
			wall := time.Since(start).Seconds()
			rollouts := float64(n * b.N)
			b.ReportMetric(rollouts/wall, "rollouts/s")
			b.ReportMetric((cpuTime()-cpu0).Seconds()/rollouts, "cpu-s/rollout")
		})
	}
}
