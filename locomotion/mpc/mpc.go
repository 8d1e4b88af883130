package mpc

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/locomotion/qp"
	"github.com/stride-robotics/stride/sim/spatial"
)

const (
	// MaxKnots is the longest horizon an MPC holds.
	MaxKnots = 16
	// Feet is the number of feet (left, right).
	Feet = 2
	// NX is the state size: roll, pitch, yaw, CoM x, y, z, ω x, y, z, v x, y, z.
	NX = 12

	wrenchVars = 6  // per foot in stance: fx, fy, fz, mx, my, mz
	footRows   = 10 // per foot in stance: friction 4, centre of pressure 4, torsion 2
	maxVars    = MaxKnots * Feet * wrenchVars
	maxRows    = MaxKnots * Feet * footRows
)

// Params configures an MPC. All quantities SI.
type Params struct {
	Mass      float64    // kg, whole robot
	Inertia   [9]float64 // kg·m², rotational inertia about the CoM in base axes (row-major)
	ComOffset [3]float64 // m, CoM relative to the base origin, in base axes
	Gravity   float64    // m/s², magnitude

	Knots int     // horizon length, 1..MaxKnots
	Dt    float64 // s per knot

	Mu         float64 // Coulomb friction coefficient (the pyramid uses μ/√2)
	SoleLength float64 // m, sole extent along the foot's heading
	SoleWidth  float64 // m, sole extent across it
	YawArm     float64 // m, |m_z| ≤ YawArm·f_z
	FzMin      float64 // N, least normal force of a foot in stance (≥ 0)
	FzMax      float64 // N, largest normal force of a foot in stance unless the knot says otherwise

	// Q weighs the state error (roll, pitch, yaw, x, y, z, ωx, ωy, ωz, vx, vy, vz).
	Q [NX]float64
	// RForce and RMoment weigh the deviation of each force and moment
	// component from the nominal (weight shared by the feet in stance).
	RForce, RMoment float64
}

// DefaultParams returns parameters for a PM01-class biped of the given mass
// and inertia: 10 knots of 30 ms, μ = 0.6, a 0.22 × 0.10 m sole, FzMax = 2.5
// body weights per foot, and weights after the Cheetah 3 MPC scaled to a
// humanoid. The wrench weights must stay small against Q: a humanoid balances
// by moving its centre of pressure, i.e. with foot moments of tens of N·m,
// and a dear moment makes the MPC let the body tip instead (with
// RMoment = 1e-3 the closed-loop test falls over).
func DefaultParams(mass float64, inertia [9]float64) Params {
	return Params{
		Mass: mass, Inertia: inertia, Gravity: 9.81,
		Knots: 10, Dt: 0.03,
		Mu: 0.6, SoleLength: 0.22, SoleWidth: 0.10, YawArm: 0.03,
		FzMin: 0, FzMax: 2.5 * mass * 9.81,
		Q:      [NX]float64{50, 50, 10, 50, 50, 100, 1, 1, 1, 10, 10, 5},
		RForce: 1e-6, RMoment: 1e-5,
	}
}

// Validate says what is wrong with p, naming the field.
func (p *Params) Validate() error {
	pos := func(v float64) bool { return v > 0 && !math.IsInf(v, 1) }
	switch {
	case !pos(p.Mass):
		return fmt.Errorf("mpc: mass %g kg must be positive and finite", p.Mass)
	case !pos(p.Gravity):
		return fmt.Errorf("mpc: gravity %g m/s² must be positive and finite", p.Gravity)
	case p.Knots < 1 || p.Knots > MaxKnots:
		return fmt.Errorf("mpc: knots %d outside 1..%d", p.Knots, MaxKnots)
	case !pos(p.Dt) || p.Dt > 0.2:
		return fmt.Errorf("mpc: dt %g s outside (0, 0.2]", p.Dt)
	case !(p.Mu >= 0) || math.IsInf(p.Mu, 1):
		return fmt.Errorf("mpc: mu %g must be ≥ 0 and finite", p.Mu)
	case !(p.SoleLength >= 0) || !(p.SoleWidth >= 0) || !(p.YawArm >= 0) || math.IsInf(p.SoleLength+p.SoleWidth+p.YawArm, 1):
		return fmt.Errorf("mpc: sole length %g, width %g and yaw arm %g m must be ≥ 0 and finite", p.SoleLength, p.SoleWidth, p.YawArm)
	case !(p.FzMin >= 0) || !(p.FzMax >= p.FzMin) || math.IsInf(p.FzMax, 1):
		return fmt.Errorf("mpc: need 0 ≤ fz_min (%g N) ≤ fz_max (%g N) < ∞", p.FzMin, p.FzMax)
	case !pos(p.RForce) || !pos(p.RMoment):
		return fmt.Errorf("mpc: r_force %g and r_moment %g must be positive (they keep the QP strictly convex)", p.RForce, p.RMoment)
	}
	for i, q := range p.Q {
		if !(q >= 0) || math.IsInf(q, 1) {
			return fmt.Errorf("mpc: Q[%d] = %g must be ≥ 0 and finite", i, q)
		}
	}
	for i, v := range p.ComOffset {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("mpc: com_offset[%d] = %g is not finite", i, v)
		}
	}
	in := spatial.Mat3(p.Inertia)
	if !in.IsFinite() {
		return fmt.Errorf("mpc: inertia %v is not finite", p.Inertia)
	}
	for i := 0; i < 3; i++ {
		for j := 0; j < i; j++ {
			if math.Abs(in[3*i+j]-in[3*j+i]) > 1e-9*(math.Abs(in[3*i+i])+math.Abs(in[3*j+j])) {
				return fmt.Errorf("mpc: inertia is not symmetric (element %d,%d = %g, %d,%d = %g)", i, j, in[3*i+j], j, i, in[3*j+i])
			}
		}
	}
	// Positive definite: leading minors.
	if m1, m2, m3 := in[0], in[0]*in[4]-in[1]*in[3], in.Det(); !(m1 > 0 && m2 > 0 && m3 > 0) {
		return fmt.Errorf("mpc: inertia %v is not positive definite", p.Inertia)
	}
	return nil
}

// Knot is the contact plan over one knot interval [t0 + k·Dt, t0 + (k+1)·Dt).
type Knot struct {
	Stance  [Feet]bool       // foot in contact over the interval
	Foot    [Feet][3]float64 // m, sole centre (on the ground) in world; read for feet in stance
	FootYaw [Feet]float64    // rad, sole heading in world
	// FzMax is the largest normal force foot i can push over this interval (N),
	// derived by the caller from the leg's pose and torque limits; 0 means
	// Params.FzMax.
	FzMax [Feet]float64
}

// Ref is a desired state.
type Ref struct {
	RPY    [3]float64 // rad, roll, pitch, yaw
	Pos    [3]float64 // m, CoM in world
	AngVel [3]float64 // rad/s, world
	Vel    [3]float64 // m/s, CoM in world
}

// Input is one MPC problem: the state now, the contact plan and the desired
// trajectory. It is a plain value: copying it copies everything.
type Input struct {
	Time float64 // s, time of the state

	// The base state, as in estimator.Estimate.
	Quat   [4]float64 // (w, x, y, z), base orientation in world
	Pos    [3]float64 // m, base origin in world
	LinVel [3]float64 // m/s, base origin velocity in world
	AngVel [3]float64 // rad/s, world

	Plan [MaxKnots]Knot // knot k: the interval [Time + k·Dt, Time + (k+1)·Dt)
	Ref  [MaxKnots]Ref  // Ref[k]: desired state at Time + (k+1)·Dt
}

// SetState copies the base state of an estimate.
func (in *Input) SetState(t float64, e *estimator.Estimate) {
	in.Time = t
	in.Quat = e.Quat
	in.Pos = e.Pos
	in.LinVel = e.LinVel
	in.AngVel = e.AngVel
}

// Solution is the result of one solve.
type Solution struct {
	Seq   uint64  // increases by one with every solve of this MPC (or Runner)
	Time  float64 // s, Input.Time of the problem solved
	Dt    float64 // s per knot
	Knots int

	Stance [MaxKnots][Feet]bool
	// Wrench[k][i] is foot i's wrench over knot k in world axes: force (N)
	// then moment about the sole centre (N·m); zero for a foot in swing.
	Wrench [MaxKnots][Feet][6]float64
	// Pred[k] is the predicted state at Time + k·Dt (Pred[0] is the state the
	// solve started from), in the order of NX.
	Pred [MaxKnots + 1][NX]float64

	Status     qp.Status
	Iterations int // QP iterations
	Active     int // active QP constraints
	Vars       int // QP variables
	SolveTime  time.Duration
}

// KnotAt returns the knot whose interval holds time t, clamped to the
// horizon: how a tick "advances the newest solution to its own time".
func (s *Solution) KnotAt(t float64) int {
	k := int(math.Floor((t - s.Time) / s.Dt))
	return min(max(k, 0), s.Knots-1)
}

// ErrInfeasible is wrapped by Solve's error when the plan admits no wrench
// (crossed force bounds) or the QP is infeasible; ErrNotConverged when the QP
// hit its iteration limit.
var (
	ErrInfeasible   = errors.New("mpc: infeasible")
	ErrNotConverged = errors.New("mpc: QP did not converge")
)

// MPC builds and solves the condensed QP. Build it with New; it holds all
// scratch, so Solve allocates nothing. Not safe for concurrent use.
type MPC struct {
	p     Params
	invIB spatial.Mat3 // inverse body inertia

	solver *qp.Solver
	prob   qp.Problem
	res    qp.Result // of the last QP solve
	cs     qp.Sparse // inequality rows of prob
	seq    uint64

	// Per solve, written in Solve's stages.
	k      int                                      // knots
	off    [MaxKnots + 1]int                        // first QP variable of knot k; off[k] = total
	foot   [MaxKnots][Feet]int                      // first QP variable of foot i at knot k, −1 in swing
	a      [NX * NX]float64                         // discrete A
	c      [NX]float64                              // discrete affine term (gravity)
	rzT    spatial.Mat3                             // R_z(ψ̄)ᵀ of the mean planned yaw
	bk     [MaxKnots][Feet * wrenchVars][NX]float64 // B_k by columns
	y      []float64                                // MaxKnots blocks of NX×NX: Y_j
	zk     [MaxKnots][Feet * wrenchVars][NX]float64 // Z_j = Y_j B_j by columns
	pw     [Feet * wrenchVars][NX]float64           // A^d B_i by columns
	x0     [NX]float64
	xfree  [MaxKnots + 1][NX]float64
	lam    [NX]float64
	unom   []float64 // maxVars
	ref    [MaxKnots][NX]float64
	refYaw [MaxKnots + 1]float64
	x      []float64 // maxVars, QP solution
}

// New validates p and returns an MPC.
func New(p Params) (*MPC, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	in := spatial.Mat3(p.Inertia)
	inv, _ := in.Inverse()
	m := &MPC{
		p:      p,
		invIB:  inv,
		solver: qp.NewSolver(maxVars, 0, maxRows),
		y:      make([]float64, MaxKnots*NX*NX),
		unom:   make([]float64, maxVars),
		x:      make([]float64, maxVars),
	}
	m.prob.H = make([]float64, 0, maxVars*maxVars)
	m.prob.G = make([]float64, 0, maxVars)
	m.cs = qp.Sparse{
		Ptr: make([]int32, 0, maxRows+1),
		Col: make([]int32, 0, 3*maxRows),
		Val: make([]float64, 0, 3*maxRows),
	}
	m.prob.L = make([]float64, 0, maxRows)
	m.prob.U = make([]float64, 0, maxRows)
	m.prob.LX = make([]float64, 0, maxVars)
	m.prob.UX = make([]float64, 0, maxVars)
	return m, nil
}

// Params returns the parameters the MPC was built with.
func (m *MPC) Params() Params { return m.p }

// com returns the CoM position and velocity of the base state in in.
func (m *MPC) com(in *Input) (p, v spatial.Vec3, r spatial.Mat3) {
	q := spatial.Quat{W: in.Quat[0], X: in.Quat[1], Y: in.Quat[2], Z: in.Quat[3]}.Normalize()
	r = q.Mat3()
	off := r.MulVec(m.p.ComOffset)
	p = spatial.Vec3(in.Pos).Add(off)
	v = spatial.Vec3(in.LinVel).Add(spatial.Vec3(in.AngVel).Cross(off))
	return p, v, r
}

// Command is the desired motion a reference is built from.
type Command struct {
	Vx, Vy  float64 // m/s, in the heading frame (x forward, y left)
	YawRate float64 // rad/s
	Height  float64 // m, CoM above the mean height of the feet in stance at the first knot
	// Start is where the desired path is at Input.Time: CoM x, y (m) and
	// yaw (rad), world. Here(in) gives the current ones (no position or yaw
	// feedback); an Anchor keeps a desired path close to the actual one.
	Start [3]float64
}

// Here returns the current CoM x, y and base yaw of in's state.
func (m *MPC) Here(in *Input) [3]float64 {
	p, _, r := m.com(in)
	return [3]float64{p[0], p[1], math.Atan2(r[3], r[0])}
}

// SetReference fills in.Ref for a velocity command (vx, vy in the heading
// frame, m/s; yawRate, rad/s) at a CoM height above the stance feet, starting
// from the current CoM and yaw: SetReferenceFrom with Start = Here(in), so
// without position or yaw feedback.
func (m *MPC) SetReference(in *Input, vx, vy, yawRate, height float64) {
	m.SetReferenceFrom(in, Command{Vx: vx, Vy: vy, YawRate: yawRate, Height: height, Start: m.Here(in)})
}

// SetReferenceFrom fills in.Ref from c: a level path (zero roll and pitch) from
// c.Start, moving at the commanded velocity and yaw rate, at c.Height above
// the mean height of the feet in stance at the first knot (at the current
// CoM height if no foot is in stance). Call it after the state and plan are
// set.
func (m *MPC) SetReferenceFrom(in *Input, c Command) {
	p, _, r := m.com(in)
	vx, vy, yawRate := c.Vx, c.Vy, c.YawRate
	// The start yaw is taken next to the current one, so that errors stay
	// small across ±π.
	cur := math.Atan2(r[3], r[0])
	yaw := cur + wrap(c.Start[2]-cur)
	ground, nf := 0.0, 0
	for i := 0; i < Feet; i++ {
		if in.Plan[0].Stance[i] {
			ground += in.Plan[0].Foot[i][2]
			nf++
		}
	}
	z := p[2]
	if nf > 0 {
		z = ground/float64(nf) + c.Height
	}
	p[0], p[1] = c.Start[0], c.Start[1]
	dt := m.p.Dt
	pos := p
	for k := 0; k < m.p.Knots; k++ {
		// Midpoint heading over the interval for the position, end heading
		// for the velocity.
		mid := yaw + yawRate*dt*(float64(k)+0.5)
		end := yaw + yawRate*dt*float64(k+1)
		cm, sm := math.Cos(mid), math.Sin(mid)
		pos[0] += dt * (cm*vx - sm*vy)
		pos[1] += dt * (sm*vx + cm*vy)
		ce, se := math.Cos(end), math.Sin(end)
		in.Ref[k] = Ref{
			RPY:    [3]float64{0, 0, end},
			Pos:    [3]float64{pos[0], pos[1], z},
			AngVel: [3]float64{0, 0, yawRate},
			Vel:    [3]float64{ce*vx - se*vy, se*vx + ce*vy, 0},
		}
	}
}

// Anchor keeps the start of the desired path: it integrates the commanded
// velocity and yaw rate, and is held within MaxDist (m) and MaxYaw (rad) of
// the actual CoM and yaw (Cheetah's clamp on the desired position), so the
// MPC has position feedback without winding up after a push or a slip.
type Anchor struct {
	MaxDist, MaxYaw float64
	start           [3]float64
	valid           bool
}

// Reset makes the next Update start from the actual state.
func (a *Anchor) Reset() { a.valid = false }

// Update advances the anchor by dt under c's velocities and returns it
// clamped next to here (the current CoM x, y and yaw, from MPC.Here).
func (a *Anchor) Update(here [3]float64, c *Command, dt float64) [3]float64 {
	if !a.valid {
		a.start, a.valid = here, true
		return a.start
	}
	yaw := a.start[2]
	cy, sy := math.Cos(yaw), math.Sin(yaw)
	a.start[0] += dt * (cy*c.Vx - sy*c.Vy)
	a.start[1] += dt * (sy*c.Vx + cy*c.Vy)
	a.start[2] += dt * c.YawRate
	dx, dy := a.start[0]-here[0], a.start[1]-here[1]
	if d := math.Hypot(dx, dy); d > a.MaxDist {
		a.start[0] = here[0] + dx*a.MaxDist/d
		a.start[1] = here[1] + dy*a.MaxDist/d
	}
	dyaw := wrap(a.start[2] - here[2])
	dyaw = max(-a.MaxYaw, min(a.MaxYaw, dyaw))
	a.start[2] = here[2] + dyaw
	return a.start
}

// Solve solves the MPC for in and writes the result to out. On error out is
// left as it was, so a caller's previous solution stays usable; the error
// wraps ErrInfeasible or ErrNotConverged when the QP fails (those errors are
// made once: a failing solve allocates nothing) and names the field and
// knot for bad input.
func (m *MPC) Solve(in *Input, out *Solution) error {
	start := time.Now()
	m.seq++
	if err := m.solve(in); err != nil {
		return err
	}
	m.stageOutput(in, out)
	out.SolveTime = time.Since(start)
	return nil
}

var (
	errQPInfeasible = fmt.Errorf("%w: the QP has no solution", ErrInfeasible)
	errQPMaxIter    = fmt.Errorf("%w: iteration limit reached", ErrNotConverged)
)

func (m *MPC) solve(in *Input) error {
	m.res = qp.Result{}
	if err := m.checkInput(in); err != nil {
		return err
	}
	m.stageState(in)
	m.stageLayout(in)
	n := m.off[m.k]
	m.stageDynamics(in)
	if n == 0 {
		return nil
	}
	m.stageCost()
	m.stageConstraints(in)
	res, err := m.solver.Solve(&m.prob, m.x[:n])
	if err != nil {
		return fmt.Errorf("mpc: %w", err)
	}
	m.res = res
	switch res.Status {
	case qp.Infeasible:
		return errQPInfeasible
	case qp.MaxIterations:
		return errQPMaxIter
	}
	return nil
}

func finite3(v [3]float64) bool {
	return spatial.Vec3(v).IsFinite()
}

// checkInput rejects non-finite state, plan or reference values.
func (m *MPC) checkInput(in *Input) error {
	q := in.Quat
	qn := math.Sqrt(q[0]*q[0] + q[1]*q[1] + q[2]*q[2] + q[3]*q[3])
	if !(qn > 0.5 && qn < 1.5) {
		return fmt.Errorf("mpc: orientation quaternion %v is not a rotation (norm %g)", q, qn)
	}
	if !finite3(in.Pos) || !finite3(in.LinVel) || !finite3(in.AngVel) || math.IsNaN(in.Time) {
		return fmt.Errorf("mpc: state is not finite (pos %v, vel %v, angvel %v, time %v)", in.Pos, in.LinVel, in.AngVel, in.Time)
	}
	for k := 0; k < m.p.Knots; k++ {
		kn := &in.Plan[k]
		for i := 0; i < Feet; i++ {
			if !kn.Stance[i] {
				continue
			}
			if !finite3(kn.Foot[i]) || math.IsNaN(kn.FootYaw[i]) || math.IsInf(kn.FootYaw[i], 0) {
				return fmt.Errorf("mpc: knot %d foot %d: position %v or yaw %v is not finite", k, i, kn.Foot[i], kn.FootYaw[i])
			}
			if fz := kn.FzMax[i]; math.IsNaN(fz) || math.IsInf(fz, 0) || (fz != 0 && fz < m.p.FzMin) {
				return fmt.Errorf("%w: knot %d foot %d: fz_max %g N is below fz_min %g N (the leg cannot carry its share)", ErrInfeasible, k, i, fz, m.p.FzMin)
			}
		}
		r := &in.Ref[k]
		if !finite3(r.RPY) || !finite3(r.Pos) || !finite3(r.AngVel) || !finite3(r.Vel) {
			return fmt.Errorf("mpc: reference at knot %d is not finite", k)
		}
	}
	return nil
}

// stageState writes x0, the reference vectors and the planned yaws.
func (m *MPC) stageState(in *Input) {
	p, v, r := m.com(in)
	roll := math.Atan2(r[7], r[8])
	pitch := math.Asin(math.Max(-1, math.Min(1, -r[6])))
	yaw := math.Atan2(r[3], r[0])
	m.x0 = [NX]float64{roll, pitch, yaw, p[0], p[1], p[2],
		in.AngVel[0], in.AngVel[1], in.AngVel[2], v[0], v[1], v[2]}
	m.k = m.p.Knots
	m.refYaw[0] = yaw
	prev := yaw
	for k := 0; k < m.k; k++ {
		rf := &in.Ref[k]
		// Unwrap the reference yaw next to the previous one.
		y := prev + wrap(rf.RPY[2]-prev)
		m.refYaw[k+1] = y
		prev = y
		m.ref[k] = [NX]float64{rf.RPY[0], rf.RPY[1], y, rf.Pos[0], rf.Pos[1], rf.Pos[2],
			rf.AngVel[0], rf.AngVel[1], rf.AngVel[2], rf.Vel[0], rf.Vel[1], rf.Vel[2]}
	}
}

func wrap(a float64) float64 {
	return math.Remainder(a, 2*math.Pi)
}

// stageLayout numbers the QP variables: knot-major, then foot.
func (m *MPC) stageLayout(in *Input) {
	n := 0
	for k := 0; k < m.k; k++ {
		m.off[k] = n
		for i := 0; i < Feet; i++ {
			m.foot[k][i] = -1
			if in.Plan[k].Stance[i] {
				m.foot[k][i] = n
				n += wrenchVars
			}
		}
	}
	m.off[m.k] = n
}

// stageDynamics writes A, c and every B_k.
func (m *MPC) stageDynamics(in *Input) {
	dt := m.p.Dt
	mean := 0.0
	for k := 0; k < m.k; k++ {
		mean += m.refYaw[k]
	}
	mean /= float64(m.k)
	cy, sy := math.Cos(mean), math.Sin(mean)
	m.rzT = spatial.Mat3{cy, sy, 0, -sy, cy, 0, 0, 0, 1}
	a := &m.a
	*a = [NX * NX]float64{}
	for i := 0; i < NX; i++ {
		a[i*NX+i] = 1
	}
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			a[i*NX+6+j] = dt * m.rzT[3*i+j]
		}
		a[(3+i)*NX+9+i] = dt
	}
	g := m.p.Gravity
	m.c = [NX]float64{}
	m.c[5] = -0.5 * g * dt * dt
	m.c[11] = -g * dt

	for k := 0; k < m.k; k++ {
		b := &m.bk[k]
		// Lever arms from the planned CoM at the start of the interval.
		var pc [3]float64
		if k == 0 {
			pc = [3]float64{m.x0[3], m.x0[4], m.x0[5]}
		} else {
			pc = in.Ref[k-1].Pos
		}
		cyk, syk := math.Cos(m.refYaw[k]), math.Sin(m.refYaw[k])
		rz := spatial.Mat3{cyk, -syk, 0, syk, cyk, 0, 0, 0, 1}
		t := rz.Mul(&m.invIB)
		invIW := t.MulT(&rz) // R_z I_B⁻¹ R_zᵀ
		col := 0
		for i := 0; i < Feet; i++ {
			if m.foot[k][i] < 0 {
				continue
			}
			r := spatial.Vec3(in.Plan[k].Foot[i]).Sub(spatial.Vec3(pc))
			sk := spatial.Skew(r)
			wf := invIW.Mul(&sk) // I_W⁻¹ [r]×
			for j := 0; j < wrenchVars; j++ {
				c := &b[col+j]
				*c = [NX]float64{}
				for row := 0; row < 3; row++ {
					if j < 3 {
						c[6+row] = dt * wf[3*row+j]
					} else {
						c[6+row] = dt * invIW[3*row+j-3]
					}
				}
				if j < 3 {
					c[9+j] = dt / m.p.Mass
				}
				// Θ rows: dt/2·R_zᵀ·(ω rows); p rows: dt/2·(v rows).
				for row := 0; row < 3; row++ {
					c[row] = 0.5 * dt * (m.rzT[3*row]*c[6] + m.rzT[3*row+1]*c[7] + m.rzT[3*row+2]*c[8])
					c[3+row] = 0.5 * dt * c[9+row]
				}
			}
			col += wrenchVars
		}
	}
}

// stageCost writes the condensed H = BᵀQ̄B + R̄ (its lower triangle; the
// upper one is not kept) and g = BᵀQ̄(x_free − x_ref) − R̄u_nom.
func (m *MPC) stageCost() {
	k, n := m.k, m.off[m.k]
	q := &m.p.Q
	// Y_{K−1} = Q, Y_j = Q + AᵀY_{j+1}A.
	for j := k - 1; j >= 0; j-- {
		y := m.y[j*NX*NX : (j+1)*NX*NX]
		if j == k-1 {
			clear(y)
		} else {
			next := m.y[(j+1)*NX*NX : (j+2)*NX*NX]
			var ya [NX * NX]float64 // Y_{j+1} A
			for r := 0; r < NX; r++ {
				for c := 0; c < NX; c++ {
					acc := 0.0
					for l := 0; l < NX; l++ {
						acc += next[r*NX+l] * m.a[l*NX+c]
					}
					ya[r*NX+c] = acc
				}
			}
			for r := 0; r < NX; r++ {
				for c := 0; c < NX; c++ {
					acc := 0.0
					for l := 0; l < NX; l++ {
						acc += m.a[l*NX+r] * ya[l*NX+c]
					}
					y[r*NX+c] = acc
				}
			}
		}
		for i := 0; i < NX; i++ {
			y[i*NX+i] += q[i]
		}
	}
	// Z_j = Y_j B_j.
	for j := 0; j < k; j++ {
		mj := m.off[j+1] - m.off[j]
		y := (*[NX * NX]float64)(m.y[j*NX*NX : (j+1)*NX*NX])
		for c := 0; c < mj; c++ {
			b, z := &m.bk[j][c], &m.zk[j][c]
			for r := 0; r < NX; r++ {
				z[r] = dot12((*[NX]float64)(y[r*NX:r*NX+NX]), b)
			}
		}
	}
	h := m.prob.H[:n*n]
	m.prob.H = h
	m.prob.N = n
	dt := m.p.Dt
	// H_ji = Z_jᵀ(A^{j−i}B_i) for j ≥ i: the lower triangle, which is all
	// locomotion/qp reads. A^d B_i keeps B_i's zeros: a force column along
	// axis a has, besides the Θ and ω rows, only p_a and v_a; a moment
	// column only Θ and ω.
	for i := 0; i < k; i++ {
		mi := m.off[i+1] - m.off[i]
		if mi == 0 {
			continue
		}
		pw := &m.pw
		copy(pw[:mi], m.bk[i][:mi])
		for j := i; j < k; j++ {
			mj := m.off[j+1] - m.off[j]
			for c := 0; c < mj; c++ {
				z := &m.zk[j][c]
				hr := h[(m.off[j]+c)*n+m.off[i] : (m.off[j]+c)*n+m.off[i]+mi]
				for r := range hr {
					p := &pw[r]
					acc := (p[0]*z[0] + p[1]*z[1] + p[2]*z[2]) + (p[6]*z[6] + p[7]*z[7] + p[8]*z[8])
					if a := r % wrenchVars; a < 3 {
						acc += p[3+a]*z[3+a] + p[9+a]*z[9+a]
					}
					hr[r] = acc
				}
			}
			// pw ← A pw: Θ rows += dt R_zᵀ ω rows, p rows += dt v rows.
			for c := 0; c < mi; c++ {
				v := &pw[c]
				for r := 0; r < 3; r++ {
					v[r] += m.a[r*NX+6]*v[6] + m.a[r*NX+7]*v[7] + m.a[r*NX+8]*v[8]
					v[3+r] += dt * v[9+r]
				}
			}
		}
	}
	// Free response and the gradient by the backward recursion
	// λ_{K−1} = Q e_K, λ_j = Q e_{j+1} + Aᵀλ_{j+1}, g_j = B_jᵀλ_j.
	m.xfree[0] = m.x0
	for j := 0; j < k; j++ {
		m.xfree[j+1] = m.step(&m.xfree[j])
	}
	g := m.prob.G[:n]
	m.prob.G = g
	m.lam = [NX]float64{}
	for j := k - 1; j >= 0; j-- {
		// λ_j = Q e_{j+1} + Aᵀ λ_{j+1} (λ_{j+1} held in m.lam).
		var at [NX]float64
		for c := 0; c < NX; c++ {
			acc := 0.0
			for l := 0; l < NX; l++ {
				acc += m.a[l*NX+c] * m.lam[l]
			}
			at[c] = acc
		}
		for i := 0; i < NX; i++ {
			e := m.xfree[j+1][i] - m.ref[j][i]
			m.lam[i] = q[i]*e + at[i]
		}
		mj := m.off[j+1] - m.off[j]
		for c := 0; c < mj; c++ {
			g[m.off[j]+c] = dot12(&m.bk[j][c], &m.lam)
		}
	}
	// Regularisation toward the nominal wrench (weight shared equally).
	for j := 0; j < k; j++ {
		nf := (m.off[j+1] - m.off[j]) / wrenchVars
		for i := 0; i < Feet; i++ {
			v := m.foot[j][i]
			if v < 0 {
				continue
			}
			for c := 0; c < wrenchVars; c++ {
				r := m.p.RForce
				if c >= 3 {
					r = m.p.RMoment
				}
				nom := 0.0
				if c == 2 {
					nom = m.p.Mass * m.p.Gravity / float64(nf)
				}
				m.unom[v+c] = nom
				h[(v+c)*n+v+c] += r
				g[v+c] -= r * nom
			}
		}
	}
}

// step returns A x + c (the free response over one knot).
func (m *MPC) step(x *[NX]float64) [NX]float64 {
	var out [NX]float64
	for r := 0; r < NX; r++ {
		acc := m.c[r]
		for l := 0; l < NX; l++ {
			acc += m.a[r*NX+l] * x[l]
		}
		out[r] = acc
	}
	return out
}

// stageConstraints writes the friction, centre-of-pressure and torsion rows
// and the normal-force bounds.
func (m *MPC) stageConstraints(in *Input) {
	n := m.off[m.k]
	rows := footRows * n / wrenchVars
	p := &m.prob
	cs := &m.cs
	cs.Reset()
	p.C, p.CS = nil, cs
	p.L = p.L[:rows]
	p.U = p.U[:rows]
	p.LX = p.LX[:n]
	p.UX = p.UX[:n]
	inf := math.Inf(1)
	for i := range p.LX {
		p.LX[i], p.UX[i] = -inf, inf
	}
	mu := m.p.Mu / math.Sqrt2
	hw, hl := m.p.SoleWidth/2, m.p.SoleLength/2
	row := 0
	// set writes a row: coefficients t on the pair of columns (tcol, tcol+1)
	// and fzc on fz (column v+2).
	set := func(v, tcol int, t [2]float64, fzc, lo, hi float64) {
		cs.Add(tcol, t[0])
		cs.Add(tcol+1, t[1])
		cs.Add(v+2, fzc)
		cs.EndRow()
		p.L[row], p.U[row] = lo, hi
		row++
	}
	for k := 0; k < m.k; k++ {
		for i := 0; i < Feet; i++ {
			v := m.foot[k][i]
			if v < 0 {
				continue
			}
			cy, sy := math.Cos(in.Plan[k].FootYaw[i]), math.Sin(in.Plan[k].FootYaw[i])
			t1 := [2]float64{cy, sy}  // sole x axis (x, y components)
			t2 := [2]float64{-sy, cy} // sole y axis
			// Friction pyramid: −μ'fz ≤ t·f ≤ μ'fz as two one-sided rows each.
			set(v, v, t1, -mu, -inf, 0)
			set(v, v, t1, mu, 0, inf)
			set(v, v, t2, -mu, -inf, 0)
			set(v, v, t2, mu, 0, inf)
			// Centre of pressure: |m·t1| ≤ W/2·fz, |m·t2| ≤ L/2·fz.
			set(v, v+3, t1, -hw, -inf, 0)
			set(v, v+3, t1, hw, 0, inf)
			set(v, v+3, t2, -hl, -inf, 0)
			set(v, v+3, t2, hl, 0, inf)
			// Torsion: |mz| ≤ YawArm·fz.
			set(v, v+4, [2]float64{0, 1}, -m.p.YawArm, -inf, 0)
			set(v, v+4, [2]float64{0, 1}, m.p.YawArm, 0, inf)
			fzMax := in.Plan[k].FzMax[i]
			if fzMax == 0 {
				fzMax = m.p.FzMax
			}
			p.LX[v+2], p.UX[v+2] = m.p.FzMin, fzMax
		}
	}
}

// stageOutput unpacks the wrenches and rolls the dynamics forward.
func (m *MPC) stageOutput(in *Input, out *Solution) {
	out.Seq = m.seq
	out.Time = in.Time
	out.Dt = m.p.Dt
	out.Knots = m.p.Knots
	out.Status = qp.Optimal
	out.Iterations, out.Active, out.Vars = m.res.Iterations, m.res.Active, m.off[m.k]
	out.Wrench = [MaxKnots][Feet][6]float64{}
	out.Pred[0] = m.x0
	for k := 0; k < m.k; k++ {
		for i := 0; i < Feet; i++ {
			v := m.foot[k][i]
			out.Stance[k][i] = v >= 0
			if v >= 0 {
				copy(out.Wrench[k][i][:], m.x[v:v+wrenchVars])
			}
		}
		next := m.step(&out.Pred[k])
		mk := m.off[k+1] - m.off[k]
		for c := 0; c < mk; c++ {
			u := m.x[m.off[k]+c]
			for r := range next {
				next[r] += m.bk[k][c][r] * u
			}
		}
		out.Pred[k+1] = next
	}
	for k := m.k; k < MaxKnots; k++ {
		out.Stance[k] = [Feet]bool{}
		out.Pred[k+1] = [NX]float64{}
	}
}

func dot12(a, b *[NX]float64) float64 {
	return (a[0]*b[0] + a[1]*b[1] + a[2]*b[2] + a[3]*b[3]) +
		(a[4]*b[4] + a[5]*b[5] + a[6]*b[6] + a[7]*b[7]) +
		(a[8]*b[8] + a[9]*b[9] + a[10]*b[10] + a[11]*b[11])
}

// ForceBound returns the largest vertical force (N) a leg in stance can push
// with every joint inside its torque limit, for Knot.FzMax: jz[j] = ∂p_z/∂q_j
// is the vertical row of the sole's linear Jacobian over the leg's joints (a
// vertical force f costs joint j the torque jz[j]·f) and tauMax[j] > 0 the
// joint's limit. It ignores the torque the horizontal force and the moment
// take, so callers keep a margin (e.g. 0.8×). Joints with jz = 0 do not bound
// it; +Inf if none does. It panics if the lengths differ (a programming
// error).
func ForceBound(jz, tauMax []float64) float64 {
	if len(jz) != len(tauMax) {
		panic(fmt.Sprintf("mpc.ForceBound: %d Jacobian entries, %d torque limits", len(jz), len(tauMax)))
	}
	b := math.Inf(1)
	for j, a := range jz {
		if a != 0 {
			b = min(b, math.Abs(tauMax[j]/a))
		}
	}
	return b
}
