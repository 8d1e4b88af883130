package locoeval

import "math"

// Gait numbers of Sample.Gait (the same numbers as locomotion.Gait, which
// this package must not import; tools/simrun's test checks they agree).
const (
	GaitStand uint8 = 0
	GaitWalk  uint8 = 1
	GaitRun   uint8 = 2
)

// stanceMin is how long (s) a contact must last to count as a touchdown
// for the stride figures.
const stanceMin = 0.01

// speedWindow is the averaging time (s) of the peak speed: the centre of
// mass's horizontal displacement over speedWindow, so the bounce inside a
// stride does not count.
const speedWindow = 1.0

// speedSamples is how many centre-of-mass samples the speed window keeps
// (one every speedWindow/speedSamples s).
const speedSamples = 100

// markStep is the spacing (m) of the distance marks the fastest 100 m is
// timed between; markRing holds the times of the last 100 m of marks.
const (
	markStep  = 0.1
	markCount = 1000 // marks in 100 m
	markRing  = markCount + 1
)

// runStats measures running from the simulator's truth: gait switches,
// strides (left-foot touchdown to left-foot touchdown; a touchdown is a
// contact of at least stanceMin after touchdownGap in the air) with their flight
// time, duty factor, length and frequency, the peak speed, the fastest
// 100 m and the absolute mechanical work.
type runStats struct {
	lastGait    uint8
	haveGait    bool
	transitions int

	// The stride under way: since the left foot's last touchdown.
	strideOpen   bool
	strideT0     float64
	strideCOM    [3]float64
	strideTicks  int
	flightTicks  int
	contactTicks [2]int
	allRun       bool
	lastContact  [2]bool
	offSince     [2]float64 // s, when the foot last left the ground after a stance
	onTicks      [2]int     // consecutive ticks in contact
	haveContact  bool

	// Finished strides, walking and running (index gaitIdx).
	n                        [2]int
	sumDuty, sumLen, sumFreq [2]float64
	sumFlight, minFlight     float64 // running strides only

	// Peak speed: COM samples every speedWindow/speedSamples s.
	ring  [speedSamples + 1][2]float64
	ringN int
	peak  float64

	// Fastest 100 m: the horizontal COM path, sampled with the speed ring.
	pathLast  [2]float64
	pathHave  bool
	path      float64
	pathT     float64
	marks     [markRing]float64 // time of mark k in slot k % markRing
	nextMark  int
	best100   float64
	haveBest  bool
	absWork   float64
	sampleDt  float64
	nextPathT float64
}

// gaitIdx is the stride class: 0 walking (or standing), 1 running.
func gaitIdx(run bool) int {
	if run {
		return 1
	}
	return 0
}

func (r *runStats) add(s *Sample, period float64) {
	// Gait switches: walk ↔ run of the controller's gait.
	if r.haveGait && s.Gait != r.lastGait && (s.Gait == GaitRun) != (r.lastGait == GaitRun) &&
		s.Gait != GaitStand && r.lastGait != GaitStand {
		r.transitions++
	}
	r.lastGait, r.haveGait = s.Gait, true

	// Strides from true contacts: a left touchdown is a contact that
	// lasts stanceMin after at least touchdownGap in the air (a foot
	// brushing the ground in its swing is no touchdown).
	for k := 0; k < 2; k++ {
		if s.Contact[k] {
			r.onTicks[k]++
		} else {
			if r.haveContact && r.lastContact[k] && float64(r.onTicks[k])*period >= stanceMin-1e-9 || !r.haveContact {
				r.offSince[k] = s.Time
			}
			r.onTicks[k] = 0
		}
	}
	if n := int(math.Round(stanceMin / period)); r.onTicks[0] == max(n, 1) {
		tOn := s.Time - float64(r.onTicks[0]-1)*period
		if tOn-r.offSince[0] >= touchdownGap {
			if r.strideOpen && r.strideTicks > 0 {
				r.closeStride(s, period)
			}
			r.strideOpen, r.strideT0, r.strideCOM = true, s.Time, s.COM
			r.strideTicks, r.flightTicks, r.contactTicks, r.allRun = 0, 0, [2]int{}, true
		}
	}
	if r.strideOpen {
		r.strideTicks++
		if !s.Contact[0] && !s.Contact[1] {
			r.flightTicks++
		}
		for k := 0; k < 2; k++ {
			if s.Contact[k] {
				r.contactTicks[k]++
			}
		}
		if s.Gait != GaitRun {
			r.allRun = false
		}
	}
	r.lastContact, r.haveContact = s.Contact, true

	// Speed window and the path, every sampleDt.
	if r.sampleDt == 0 {
		r.sampleDt = speedWindow / speedSamples
		r.nextPathT = s.Time
		r.pathT = s.Time
	}
	if s.Time >= r.nextPathT-1e-9 {
		r.nextPathT += r.sampleDt
		c := [2]float64{s.COM[0], s.COM[1]}
		slot := r.ringN % len(r.ring)
		r.ring[slot] = c
		if r.ringN >= speedSamples {
			old := r.ring[(r.ringN-speedSamples)%len(r.ring)]
			r.peak = math.Max(r.peak, math.Hypot(c[0]-old[0], c[1]-old[1])/speedWindow)
		}
		r.ringN++
		if !r.pathHave {
			r.pathLast, r.pathHave, r.pathT = c, true, s.Time
			r.marks[0] = s.Time
			r.nextMark = 1
		} else {
			d := math.Hypot(c[0]-r.pathLast[0], c[1]-r.pathLast[1])
			p0, t0 := r.path, r.pathT
			r.path += d
			r.pathLast, r.pathT = c, s.Time
			for float64(r.nextMark)*markStep <= r.path {
				// The time the path crossed the mark, interpolated.
				tm := s.Time
				if d > 0 {
					tm = t0 + (float64(r.nextMark)*markStep-p0)/d*(s.Time-t0)
				}
				r.marks[r.nextMark%markRing] = tm
				if r.nextMark >= markCount {
					el := tm - r.marks[(r.nextMark-markCount)%markRing]
					if !r.haveBest || el < r.best100 {
						r.best100, r.haveBest = el, true
					}
				}
				r.nextMark++
			}
		}
	}

	for i := range s.Tau {
		r.absWork += math.Abs(s.Tau[i]*s.Qd[i]) * period
	}
}

func (r *runStats) closeStride(s *Sample, period float64) {
	T := float64(r.strideTicks) * period
	if T <= 0 {
		return
	}
	g := gaitIdx(r.allRun)
	r.n[g]++
	duty := float64(r.contactTicks[0]+r.contactTicks[1]) * period / (2 * T)
	r.sumDuty[g] += duty
	r.sumLen[g] += math.Hypot(s.COM[0]-r.strideCOM[0], s.COM[1]-r.strideCOM[1])
	r.sumFreq[g] += 1 / T
	if r.allRun {
		f := float64(r.flightTicks) * period
		r.sumFlight += f
		if r.n[1] == 1 || f < r.minFlight {
			r.minFlight = f
		}
	}
}

// Flight is the flight time per running stride (both feet off the ground,
// from the simulator's contacts): mean and minimum over the strides, and
// how many there were.
type Flight struct {
	Mean    float64 `json:"mean"`
	Min     float64 `json:"min"`
	Strides int     `json:"strides"`
}

// StrideStats are means over strides (left touchdown to left touchdown, true
// contacts) of one kind.
type StrideStats struct {
	Strides           int     `json:"strides"`
	DutyFactor        float64 `json:"duty_factor"` // fraction of the stride each foot is on the ground
	StrideLengthM     float64 `json:"stride_length_m"`
	StrideFrequencyHz float64 `json:"stride_frequency_hz"`
}

func (r *runStats) stats(g int) StrideStats {
	n := r.n[g]
	if n == 0 {
		return StrideStats{}
	}
	f := float64(n)
	return StrideStats{Strides: n, DutyFactor: r.sumDuty[g] / f, StrideLengthM: r.sumLen[g] / f, StrideFrequencyHz: r.sumFreq[g] / f}
}

// fill writes the running figures into rep; distance is the run's (m).
func (r *runStats) fill(rep *Report, mass, g float64) {
	rep.GaitTransitions = r.transitions
	if r.n[1] > 0 {
		rep.FlightTimePerStride = Flight{Mean: r.sumFlight / float64(r.n[1]), Min: r.minFlight, Strides: r.n[1]}
	}
	rep.WalkStrides, rep.RunStrides = r.stats(0), r.stats(1)
	// The headline stride figures: over the running strides when there are
	// any, else over the walking ones.
	head := rep.WalkStrides
	if r.n[1] > 0 {
		head = rep.RunStrides
	}
	rep.DutyFactor, rep.StrideLengthM, rep.StrideFrequencyHz = head.DutyFactor, head.StrideLengthM, head.StrideFrequencyHz
	rep.PeakSpeedMps = r.peak
	if r.haveBest {
		b := r.best100
		rep.Best100mS = &b
	}
	rep.AbsWorkJ = r.absWork
	if rep.DistanceM >= 0.01 {
		rep.MechanicalCOT = r.absWork / (mass * g * rep.DistanceM)
	}
}
