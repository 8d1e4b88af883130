package locoeval

import (
	"fmt"
	"math"
	"time"
)

// Sample is one control tick of a run, from the simulator's ground truth
// and the controller's counters.
type Sample struct {
	Time       float64 // s
	Locomotion bool    // the runtime is in locomotion mode (only these ticks count)
	// Cmd is the command in force: vx, vy (m/s, heading frame), yaw rate
	// (rad/s).
	Cmd [3]float64
	// GaitPhase is the controller's stride phase, 0…1; a wrap (a decrease)
	// ends a stride.
	GaitPhase float64
	// Gait is the controller's gait (GaitStand, GaitWalk, GaitRun).
	Gait     uint8
	Pos, Vel [3]float64 // base origin position (m) and velocity (m/s), world
	COM      [3]float64 // centre of mass, world, m
	Yaw      float64    // base heading, rad
	YawRate  float64    // rad/s, world z
	// Foot is, per foot (left, right), a point whose horizontal motion
	// while the foot is in Contact is its slip (tools/simrun passes the
	// integrated motion of the loaded contact points; the sole centre
	// would also do on a foot that does not roll).
	Foot    [2][3]float64
	Contact [2]bool
	// Tau, Qd and Limit are per joint: the torque the actuator delivered,
	// the joint velocity and the effort limit (+Inf: none).
	Tau, Qd, Limit []float64
	// Cumulative counters of the controller (they may restart from 0 when
	// the controller is restarted; only increases count).
	QPFailures, MPCSolves, MPCLateOrFailed uint64
	// WBCSolve is the whole-body QP's solve time on this tick (0: none);
	// MPCSolve the MPC solve time when MPCSolves increased on this tick.
	WBCSolve, MPCSolve time.Duration
}

// Settle is how long after a command change the tracking errors skip
// (the controller's acceleration limit and the gait's transient).
const Settle = 1.0

// maxWindow caps a tracking window (s) when the stride phase does not wrap
// (standing).
const maxWindow = 1.0

// touchdownGap is how long (s) a foot must have been off the ground for its
// next contact to count as a step.
const touchdownGap = 0.05

// Meter accumulates a run's samples. The zero value is not ready: use New.
type Meter struct {
	period  float64 // s, tick period
	mass, g float64

	started bool
	nLoco   int     // ticks in locomotion
	last    Sample  // the previous locomotion sample (fields used: Cmd, GaitPhase, Contact, Time)
	have    bool    // last is valid
	change  float64 // time of the last command change
	// window: stride-averaged tracking.
	winStart        float64
	winPos          [3]float64
	winYaw          float64
	winOpen         bool
	winCmd          [3]float64
	nWin            int
	sumV2, sumY2    float64
	nTick           int
	sumTickV2       float64
	pathCOM         [3]float64 // COM at the last path point
	pathT           float64    // time of the last path point
	startCOM        [3]float64 // COM at the first locomotion tick
	yaw0, yawLast   float64    // heading at the first tick; the last
	turned          float64    // heading change, unwrapped
	distance        float64
	steps           int
	offSince        [2]float64 // time the foot left the ground
	tdPos           [2][3]float64
	slip            float64
	sat, jointTicks int
	work            float64
	qpFail, mpcBad  uint64
	prevQP, prevBad uint64
	mpc, wbc        hist
	run             runStats
}

// New returns a meter for a run with control period (s), robot mass (kg)
// and gravity g (m/s²).
func New(period, mass, g float64) (*Meter, error) {
	if !(period > 0) || !(mass > 0) || !(g > 0) {
		return nil, fmt.Errorf("locoeval: period %g s, mass %g kg, gravity %g m/s²: all must be positive", period, mass, g)
	}
	return &Meter{period: period, mass: mass, g: g}, nil
}

func headingXY(v [3]float64, yaw float64) (x, y float64) {
	c, s := math.Cos(yaw), math.Sin(yaw)
	return c*v[0] + s*v[1], -s*v[0] + c*v[1]
}

func wrap(a float64) float64 { return math.Remainder(a, 2*math.Pi) }

// Add takes one tick's sample. It allocates nothing.
func (m *Meter) Add(s *Sample) {
	if !s.Locomotion {
		m.have, m.winOpen = false, false
		return
	}
	if !m.started {
		m.started = true
		m.pathCOM, m.pathT, m.startCOM = s.COM, s.Time, s.COM
		m.yaw0, m.yawLast = s.Yaw, s.Yaw
		m.prevQP, m.prevBad = s.QPFailures, s.MPCLateOrFailed
		for k := 0; k < 2; k++ {
			m.offSince[k] = math.Inf(1)
			m.tdPos[k] = s.Foot[k]
		}
	}
	m.nLoco++
	m.turned += wrap(s.Yaw - m.yawLast)
	m.yawLast = s.Yaw
	if !m.have || s.Cmd != m.last.Cmd {
		m.change = s.Time
		m.winOpen = false
	}
	// Per-tick tracking (reported beside the stride average).
	steady := s.Time-m.change >= Settle
	if steady {
		vx, vy := headingXY(s.Vel, s.Yaw)
		ex, ey := vx-s.Cmd[0], vy-s.Cmd[1]
		m.sumTickV2 += ex*ex + ey*ey
		m.nTick++
	}
	// Stride windows: close on a phase wrap or after maxWindow.
	wrapped := m.have && s.GaitPhase < m.last.GaitPhase-0.5
	if m.winOpen && (wrapped || s.Time-m.winStart >= maxWindow-1e-9) {
		if dt := s.Time - m.winStart; dt > 0.2 {
			d := [3]float64{s.Pos[0] - m.winPos[0], s.Pos[1] - m.winPos[1], 0}
			vx, vy := headingXY(d, m.winYaw+0.5*wrap(s.Yaw-m.winYaw))
			ex, ey := vx/dt-m.winCmd[0], vy/dt-m.winCmd[1]
			ey2 := wrap(s.Yaw-m.winYaw)/dt - m.winCmd[2]
			m.sumV2 += ex*ex + ey*ey
			m.sumY2 += ey2 * ey2
			m.nWin++
		}
		m.winOpen = false
	}
	// A window opens on a stride boundary (or at once while the clock
	// stands still), so it averages whole strides.
	if !m.winOpen && steady && (wrapped || (m.have && s.GaitPhase == m.last.GaitPhase)) {
		m.winOpen, m.winStart, m.winPos, m.winYaw, m.winCmd = true, s.Time, s.Pos, s.Yaw, s.Cmd
	}
	// Distance: the centre of mass's path, sampled once a stride (or a
	// second), so the sway inside a stride does not count.
	if wrapped || s.Time-m.pathT >= maxWindow {
		m.addPath(s)
	}
	// Steps and slip.
	for k := 0; k < 2; k++ {
		if s.Contact[k] {
			if m.have && !m.last.Contact[k] && s.Time-m.offSince[k] >= touchdownGap {
				m.steps++
			}
			if !m.have || !m.last.Contact[k] {
				m.tdPos[k] = s.Foot[k]
			}
			dx, dy := s.Foot[k][0]-m.tdPos[k][0], s.Foot[k][1]-m.tdPos[k][1]
			m.slip = math.Max(m.slip, math.Hypot(dx, dy))
		} else if !m.have || m.last.Contact[k] {
			m.offSince[k] = s.Time
		}
	}
	// Torques and work.
	for i := range s.Tau {
		if lim := s.Limit[i]; !math.IsInf(lim, 1) && lim > 0 && math.Abs(s.Tau[i]) >= 0.999*lim {
			m.sat++
		}
		if p := s.Tau[i] * s.Qd[i]; p > 0 {
			m.work += p * m.period
		}
	}
	m.jointTicks += len(s.Tau)
	// Counters (restart-safe).
	if s.QPFailures >= m.prevQP {
		m.qpFail += s.QPFailures - m.prevQP
	}
	if s.MPCLateOrFailed >= m.prevBad {
		m.mpcBad += s.MPCLateOrFailed - m.prevBad
	}
	m.prevQP, m.prevBad = s.QPFailures, s.MPCLateOrFailed
	if s.WBCSolve > 0 {
		m.wbc.add(s.WBCSolve)
	}
	if s.MPCSolve > 0 {
		m.mpc.add(s.MPCSolve)
	}
	m.run.add(s, m.period)
	m.last.Cmd, m.last.GaitPhase, m.last.Contact, m.last.Time, m.last.COM = s.Cmd, s.GaitPhase, s.Contact, s.Time, s.COM
	m.have = true
}

func (m *Meter) addPath(s *Sample) {
	m.distance += math.Hypot(s.COM[0]-m.pathCOM[0], s.COM[1]-m.pathCOM[1])
	m.pathCOM = s.COM
	m.pathT = s.Time
}

// Percentiles are a solve time's p50, p99 and max, in µs.
type Percentiles struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
	N   int     `json:"n"` // solves measured
}

// Report is the "locomotion" object of a run's summary.
type Report struct {
	Seconds   float64 `json:"seconds"`    // s in locomotion mode
	DistanceM float64 `json:"distance_m"` // the centre of mass's path, sampled once a stride
	// NetDisplacementM is the centre of mass's displacement (x, y, world)
	// over locomotion; HeadingChangeRad the base's turn (unwrapped).
	NetDisplacementM [2]float64 `json:"net_displacement_m"`
	HeadingChangeRad float64    `json:"heading_change_rad"`
	MeanSpeedMps     float64    `json:"mean_speed_mps"`
	// SpeedErrorRMS: commanded vs true base velocity (vx, vy, heading
	// frame), each stride's average (or each second's while standing),
	// skipping Settle s after every command change; the per-tick RMS
	// (which includes the sway inside a stride) beside it.
	SpeedErrorRMS     float64     `json:"speed_error_rms_mps"`
	SpeedErrorTickRMS float64     `json:"speed_error_rms_per_tick_mps"`
	YawRateErrorRMS   float64     `json:"yaw_rate_error_rms_radps"`
	TrackingWindows   int         `json:"tracking_windows"`
	Steps             int         `json:"steps"`           // true touchdowns after ≥ 50 ms off the ground
	MaxFootSlipM      float64     `json:"max_foot_slip_m"` // horizontal motion of a foot in contact since its touchdown
	TorqueSatPercent  float64     `json:"torque_saturation_percent"`
	QPFailures        uint64      `json:"qp_failures"`
	MPCLateOrFailed   uint64      `json:"mpc_late_or_failed"`
	MPCSolveUs        Percentiles `json:"mpc_solve_us"`
	WBCSolveUs        Percentiles `json:"wbc_solve_us"`
	PositiveWorkJ     float64     `json:"positive_work_j"`
	CostOfTransport   float64     `json:"cost_of_transport"` // positive joint work / (m g distance); 0 when the distance is under 1 cm

	// Running (tools/locoeval/run.go). GaitTransitions counts the
	// controller's walk ↔ run switches. Strides run from one true left
	// touchdown to the next; a running stride is one the controller ran
	// throughout. DutyFactor, StrideLengthM and StrideFrequencyHz are the
	// running strides' means when there are any, else the walking ones';
	// both sets are beside them.
	GaitTransitions     int         `json:"gait_transitions"`
	FlightTimePerStride Flight      `json:"flight_time_per_stride_s"`
	DutyFactor          float64     `json:"duty_factor"`
	StrideLengthM       float64     `json:"stride_length_m"`
	StrideFrequencyHz   float64     `json:"stride_frequency_hz"`
	WalkStrides         StrideStats `json:"walk_strides"`
	RunStrides          StrideStats `json:"run_strides"`
	// PeakSpeedMps: the largest horizontal centre-of-mass displacement
	// over any 1 s, per second. Best100mS: the fastest 100 m of the
	// centre of mass's path (sampled every 10 ms); null under 100 m.
	PeakSpeedMps float64  `json:"peak_speed_mps"`
	Best100mS    *float64 `json:"best_100m_s"`
	// AbsWorkJ is Σ|τ·q̇|·dt over the joints; MechanicalCOT = AbsWorkJ /
	// (m g distance), the mechanical cost of transport counting negative
	// work too (0 under 1 cm).
	AbsWorkJ      float64 `json:"abs_work_j"`
	MechanicalCOT float64 `json:"mechanical_cost_of_transport"`
}

// Report summarises the run; nil when no tick was in locomotion mode.
func (m *Meter) Report() *Report {
	if !m.started {
		return nil
	}
	d := m.distance + math.Hypot(m.last.COM[0]-m.pathCOM[0], m.last.COM[1]-m.pathCOM[1])
	locoT := float64(m.nLoco) * m.period
	r := &Report{Seconds: locoT, DistanceM: d, Steps: m.steps, MaxFootSlipM: m.slip,
		QPFailures: m.qpFail, MPCLateOrFailed: m.mpcBad, PositiveWorkJ: m.work,
		NetDisplacementM: [2]float64{m.last.COM[0] - m.startCOM[0], m.last.COM[1] - m.startCOM[1]}, HeadingChangeRad: m.turned,
		MPCSolveUs: m.mpc.percentiles(), WBCSolveUs: m.wbc.percentiles(), TrackingWindows: m.nWin}
	if locoT > 0 {
		r.MeanSpeedMps = d / locoT
	}
	if m.nWin > 0 {
		r.SpeedErrorRMS = math.Sqrt(m.sumV2 / float64(m.nWin))
		r.YawRateErrorRMS = math.Sqrt(m.sumY2 / float64(m.nWin))
	}
	if m.nTick > 0 {
		r.SpeedErrorTickRMS = math.Sqrt(m.sumTickV2 / float64(m.nTick))
	}
	if m.jointTicks > 0 {
		r.TorqueSatPercent = 100 * float64(m.sat) / float64(m.jointTicks)
	}
	if d >= 0.01 {
		r.CostOfTransport = m.work / (m.mass * m.g * d)
	}
	m.run.fill(r, m.mass, m.g)
	return r
}

// String is the report's short text summary.
func (r *Report) String() string {
	return fmt.Sprintf("locomotion: %.1f s, %.2f m at %.3f m/s mean (net (%.2f, %.2f) m, turned %.0f°), %d steps; speed error RMS %.3f m/s (stride-averaged, %d windows; per tick %.3f), yaw-rate error RMS %.3f rad/s; max foot slip %.1f mm; torque saturation %.2f %%; QP failures %d, MPC late/failed %d; MPC solve p50/p99/max %.0f/%.0f/%.0f µs, WBC %.0f/%.0f/%.0f µs; cost of transport %.2f (mechanical |τ·q̇| %.2f); %d walk↔run switches; strides walk %d, run %d (duty %.2f, %.2f m, %.2f Hz, flight mean %.3f min %.3f s); peak speed %.2f m/s%s",
		r.Seconds, r.DistanceM, r.MeanSpeedMps, r.NetDisplacementM[0], r.NetDisplacementM[1], r.HeadingChangeRad*180/math.Pi, r.Steps, r.SpeedErrorRMS, r.TrackingWindows, r.SpeedErrorTickRMS, r.YawRateErrorRMS,
		r.MaxFootSlipM*1e3, r.TorqueSatPercent, r.QPFailures, r.MPCLateOrFailed,
		r.MPCSolveUs.P50, r.MPCSolveUs.P99, r.MPCSolveUs.Max, r.WBCSolveUs.P50, r.WBCSolveUs.P99, r.WBCSolveUs.Max, r.CostOfTransport, r.MechanicalCOT,
		r.GaitTransitions, r.WalkStrides.Strides, r.RunStrides.Strides, r.DutyFactor, r.StrideLengthM, r.StrideFrequencyHz,
		r.FlightTimePerStride.Mean, r.FlightTimePerStride.Min, r.PeakSpeedMps, best100(r.Best100mS))
}

// hist is a fixed-size histogram of durations in 1 µs bins up to
// histBins µs (longer ones go to the last bin; the max is exact).
type hist struct {
	bins [histBins]uint32
	n    int
	max  time.Duration
}

const histBins = 20000

func (h *hist) add(d time.Duration) {
	b := int(d / time.Microsecond)
	if b >= histBins {
		b = histBins - 1
	}
	h.bins[b]++
	h.n++
	h.max = max(h.max, d)
}

// quantile returns the upper edge (µs) of the bin holding quantile q.
func (h *hist) quantile(q float64) float64 {
	want := int(math.Ceil(q * float64(h.n)))
	c := 0
	for b, k := range h.bins {
		c += int(k)
		if c >= want && k > 0 {
			return math.Min(float64(b+1), float64(h.max)/1e3)
		}
	}
	return float64(h.max) / 1e3
}

func (h *hist) percentiles() Percentiles {
	if h.n == 0 {
		return Percentiles{}
	}
	return Percentiles{P50: h.quantile(0.5), P99: h.quantile(0.99), Max: float64(h.max) / 1e3, N: h.n}
}

func best100(b *float64) string {
	if b == nil {
		return ""
	}
	return fmt.Sprintf(", best 100 m %.2f s", *b)
}
