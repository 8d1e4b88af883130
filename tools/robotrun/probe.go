package robotrun

import (
	"math"

	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
)

// Tracking is how closely the joints followed their position targets
// while the robot stood (mode stand): the RMS and largest |target − q|
// over the position-controlled joints (Kp > 0) and ticks.
type Tracking struct {
	Ticks  uint64  `json:"ticks"`
	RMS    float64 `json:"rms_rad"`
	Max    float64 `json:"max_rad"`
	TauRMS float64 `json:"measured_torque_rms_nm"`
}

// probe sits in the recorder's seat: it measures tracking and forwards to
// the log. It allocates nothing.
type probe struct {
	next        runtime.Recorder
	n           uint64
	sum, sumTau float64
	cnt         float64
	max, height float64
}

func (p *probe) Record(t *telemetry.Tick) {
	p.height = t.Estimate.Pos[2]
	if t.Mode == uint8(runtime.ModeStand) {
		p.n++
		for i := 0; i < t.Command.N; i++ {
			c := &t.Command.Joint[i]
			if c.Kp <= 0 {
				continue
			}
			e := c.Q - t.Sensors.Q[i]
			p.sum += e * e
			p.sumTau += t.Sensors.Tau[i] * t.Sensors.Tau[i]
			p.cnt++
			p.max = math.Max(p.max, math.Abs(e))
		}
	}
	if p.next != nil {
		p.next.Record(t)
	}
}

func (p *probe) Event(e *telemetry.Event) {
	if p.next != nil {
		p.next.Event(e)
	}
}

func (p *probe) tracking() Tracking {
	tr := Tracking{Ticks: p.n, Max: p.max}
	if p.cnt > 0 {
		tr.RMS = math.Sqrt(p.sum / p.cnt)
		tr.TauRMS = math.Sqrt(p.sumTau / p.cnt)
	}
	return tr
}
