package simhal

import (
	"testing"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/sim"
)

// BenchmarkRead times one sensor sample of the built-in robot.
func BenchmarkRead(b *testing.B) {
	r := newRobotTB(b, sim.SensorParams{})
	var s hal.Sensors
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = r.Read(&s)
	}
}
