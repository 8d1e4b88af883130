package locomotion

import (
	"math"
	"time"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/locomotion/mpc"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// MPCMode says how the walker uses the centroidal MPC.
type MPCMode uint8

// MPC modes.
const (
	// MPCOff: the contact wrenches' references come from the capture-point
	// force distribution alone.
	MPCOff MPCMode = iota
	// MPCInline: the MPC is solved inside Step every MPCEvery ticks —
	// deterministic, for simulation and tests; the tick pays the solve.
	MPCInline
	// MPCAsync: the MPC runs in its own goroutine (mpc.Runner) at MPCEvery
	// ticks' period; the tick hands it the newest problem and uses the
	// newest solution advanced to its own time, never waiting.
	MPCAsync
)

// walkerMPC is the walker's use of locomotion/mpc.
type walkerMPC struct {
	mode   MPCMode
	m      *mpc.MPC
	runner *mpc.Runner
	in     mpc.Input
	sol    mpc.Solution
	cur    *mpc.Solution // the solution in use, nil before the first
	every  int
	ticks  int
	failed int // failed or late solves (inline: failed)
	solves int // inline solves
	used   int // ticks whose wrench references came from the MPC

	jz, tauMax [2][]float64 // per leg joint: vertical Jacobian row, torque limit
}

// comInertia returns the whole robot's rotational inertia about its centre
// of mass in base axes, and the centre of mass in base axes, at the home
// pose.
func comInertia(p *Profile) (I [9]float64, c spatial.Vec3) {
	m := p.Model
	d := rbd.NewData(m)
	rbd.Kinematics(m, d, p.HomeQpos)
	var tot spatial.Inertia
	for b := 1; b < len(m.Bodies); b++ {
		tot = tot.Add(d.CInert[b])
	}
	cw := tot.COM()
	// I about the CoM (world axes) = I_O − M(|c|²1 − ccᵀ).
	cc := cw.Dot(cw)
	Ic := tot.I
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			s := -tot.M * cw[i] * cw[j]
			if i == j {
				s += tot.M * cc
			}
			Ic[3*i+j] -= s
		}
	}
	xb := &d.XBody[1]
	Ib := xb.R.TMul(&Ic)
	Ib = Ib.Mul(&xb.R)
	return [9]float64(Ib), xb.InvPoint(cw)
}

// newWalkerMPC builds the MPC for p, or returns nil for MPCOff.
func newWalkerMPC(p *Profile, cfg *WalkerConfig) (*walkerMPC, error) {
	if cfg.MPC == MPCOff {
		return nil, nil
	}
	I, c := comInertia(p)
	par := mpc.DefaultParams(p.Mass, I)
	par.ComOffset = c
	if g := p.Model.Gravity.Norm(); g > 0 {
		par.Gravity = g
	}
	par.SoleLength = 0.8 * p.Feet[Left].Length
	par.SoleWidth = 0.8 * p.Feet[Left].Width
	m, err := mpc.New(par)
	if err != nil {
		return nil, err
	}
	wm := &walkerMPC{mode: cfg.MPC, m: m, every: max(1, cfg.MPCEvery)}
	for k := 0; k < 2; k++ {
		wm.jz[k] = make([]float64, len(p.Legs[k]))
		wm.tauMax[k] = make([]float64, len(p.Legs[k]))
		for j, i := range p.Legs[k] {
			wm.tauMax[k][j] = p.EffortLimit[i]
		}
	}
	if cfg.MPC == MPCAsync {
		period := time.Duration(wm.every) * time.Millisecond
		wm.runner = mpc.NewRunner(m, period, period)
	}
	return wm, nil
}

// stanceAt returns the scheduler's planned stance of each foot dt seconds
// ahead at the current period and duty.
func (s *Scheduler) stanceAt(dt float64) [2]bool {
	if !s.walking {
		return [2]bool{true, true}
	}
	ph := s.phase + dt/s.period
	var st [2]bool
	for i := 0; i < 2; i++ {
		p := math.Mod(ph-0.5*float64(i), 1)
		if p < 0 {
			p++
		}
		st[i] = p < s.duty
	}
	return st
}

// updateMPC poses the MPC problem for this tick, solves or hands it over,
// and returns the solution in use (nil before the first).
func (w *Walker) updateMPC(t float64, e *estimator.Estimate, sole [2]spatial.Vec3, vx, vy, yawRate, height float64) *mpc.Solution {
	wm := w.mpc
	wm.ticks++
	if wm.ticks >= wm.every || wm.cur == nil {
		wm.ticks = 0
		in := &wm.in
		in.SetState(t, e)
		par := wm.m.Params()
		// The most each standing leg can push, from its vertical Jacobian
		// row and the joint torque limits (80 %: the horizontal force and
		// the moment take torque too).
		var fzMax [2]float64
		nv := w.wbc.nv
		for i := 0; i < 2; i++ {
			for j, hj := range w.P.Legs[i] {
				wm.jz[i][j] = w.wbc.jac[i][5*nv+w.P.Dof[hj]]
			}
			if b := 0.8 * mpc.ForceBound(wm.jz[i], wm.tauMax[i]); b > 0 && !math.IsInf(b, 1) {
				fzMax[i] = b
			}
		}
		for k := 0; k < par.Knots; k++ {
			ahead := (float64(k) + 0.5) * par.Dt
			st := w.sched.stanceAt(ahead)
			kn := &in.Plan[k]
			for i := 0; i < 2; i++ {
				kn.Stance[i] = st[i]
				p := sole[i]
				yaw := yawOfMat(&w.wbc.soleR[i])
				if !w.stance[i] || (st[i] && !w.schedSt[i]) {
					// Swinging now, or landing within the horizon: the
					// planned touchdown.
					p = w.lastSteps[i].Pos
					yaw = w.lastSteps[i].Yaw
				}
				kn.Foot[i] = [3]float64(p)
				kn.FootYaw[i] = yaw
				kn.FzMax[i] = 0
				if st[i] && w.stance[i] && w.schedSt[i] {
					kn.FzMax[i] = fzMax[i] // the leg standing now keeps its pose over the horizon
				}
			}
		}
		wm.m.SetReference(in, vx, vy, yawRate, height)
		switch wm.mode {
		case MPCInline:
			wm.solves++
			if err := wm.m.Solve(in, &wm.sol); err != nil {
				wm.failed++
			} else {
				wm.cur = &wm.sol
			}
		case MPCAsync:
			wm.runner.SetInput(in)
		}
	}
	if wm.mode == MPCAsync {
		if s := wm.runner.Latest(); s != nil {
			wm.cur = s
		}
	}
	return wm.cur
}

func yawOfMat(r *spatial.Mat3) float64 { return math.Atan2(r[3], r[0]) }

// MPCStats returns the MPC's counters since Start: solves attempted, solves
// failed or late, and ticks whose wrench references came from the MPC (all
// zero with the MPC off).
func (w *Walker) MPCStats() (solves, failedOrLate, used uint64) {
	if w.mpc == nil {
		return 0, 0, 0
	}
	if w.mpc.runner != nil {
		s := w.mpc.runner.Stats()
		return s.Solves, s.Late + s.Failed, uint64(w.mpc.used)
	}
	return uint64(w.mpc.solves), uint64(w.mpc.failed), uint64(w.mpc.used)
}

// MPCSolution returns the MPC solution in use, or nil.
func (w *Walker) MPCSolution() *mpc.Solution {
	if w.mpc == nil {
		return nil
	}
	return w.mpc.cur
}
