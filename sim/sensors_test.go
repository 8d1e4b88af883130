package sim_test

import (
	"math"
	"testing"

	"github.com/stride-robotics/stride/sim"
)

// IMU latency: with ideal sensors and IMULatency 2 ms at a 1 ms sample
// period, each IMU reading is the undelayed one of two samples earlier;
// the encoders are not delayed. Sampling allocates nothing.
func TestIMULatency(t *testing.T) {
	wa := builtin(t, sim.DefaultOptions(), 300, 8)
	wb := builtin(t, sim.DefaultOptions(), 300, 8)
	wa.XfrcApplied[1].Lin[0] = 200 // move, so readings change
	wb.XfrcApplied[1].Lin[0] = 200
	plain := sim.NewSensors(wa, sim.SensorParams{})
	late := sim.NewSensors(wb, sim.SensorParams{IMULatency: 0.002})
	ra, rb := sim.NewReading(wa), sim.NewReading(wb)
	var gyro [][3]float64
	for i := 0; i < 50; i++ {
		plain.Sample(wa, ra)
		late.Sample(wb, rb)
		gyro = append(gyro, ra.Gyro)
		if i >= 2 && rb.Gyro != gyro[i-2] {
			t.Fatalf("sample %d: delayed gyro %v, want the reading of sample %d, %v", i, rb.Gyro, i-2, gyro[i-2])
		}
		if rb.Q[3] != ra.Q[3] {
			t.Fatalf("sample %d: the encoders were delayed too", i)
		}
		if err := wa.Step(); err != nil {
			t.Fatal(err)
		}
		if err := wb.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if a := testing.AllocsPerRun(20, func() { late.Sample(wb, rb) }); a != 0 {
		t.Errorf("Sample: %v allocations", a)
	}
}

// Bias random walk: the gyro bias of a robot at rest wanders with the
// configured spread (σ·√t), reproducibly for a seed.
func TestIMUBiasWalk(t *testing.T) {
	run := func(seed uint64) []float64 {
		w := builtin(t, sim.DefaultOptions(), 300, 8)
		s := sim.NewSensors(w, sim.SensorParams{GyroBiasWalk: 0.01, Seed: seed})
		r := sim.NewReading(w)
		var out []float64
		for i := 0; i < 400; i++ {
			w.Time += 0.01 // the bias walks with the clock; the robot stays put
			s.Sample(w, r)
			out = append(out, r.Gyro[0], r.Gyro[1], r.Gyro[2])
		}
		return out
	}
	a, b := run(3), run(3)
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("same seed, different readings")
		}
	}
	// after 4 s, each axis has wandered σ·√4 = 0.02 rad/s: check the spread
	// over the three axes and a second seed.
	c := run(4)
	var sum2 float64
	for _, v := range [][]float64{a, c} {
		for k := 0; k < 3; k++ {
			x := v[len(v)-3+k]
			sum2 += x * x
		}
	}
	sd := math.Sqrt(sum2 / 6)
	if sd < 0.005 || sd > 0.06 {
		t.Errorf("gyro bias after 4 s: spread %.4f rad/s, want about 0.02", sd)
	}
}
