package sim

import (
	"fmt"
	"math"
)

// Integrator selects how the state advances.
type Integrator uint8

const (
	// Euler is semi-implicit Euler, with joint damping integrated implicitly:
	// v⁺ = v + h·(M + h·B)⁻¹·f, q⁺ = q ⊕ h·v⁺. It is MuJoCo's default, so
	// trajectories of the two agree step for step.
	Euler Integrator = iota
	// RK4 is the classical fourth-order Runge–Kutta method over the full
	// forward dynamics (constraints included at every stage). Use it for
	// accurate smooth motion; Euler is cheaper and better behaved in contact.
	RK4
)

func (i Integrator) String() string {
	switch i {
	case Euler:
		return "euler"
	case RK4:
		return "rk4"
	}
	return fmt.Sprintf("Integrator(%d)", i)
}

// ContactParams sets how contacts, joint limits and dry friction behave. They
// are physical, mass-independent quantities: every contact behaves as a
// critically damped (by default) spring–damper acting on the effective mass
// that the contact point sees, integrated implicitly, so it is stable for any
// stiffness.
type ContactParams struct {
	// TimeConst (s) is the spring–damper's time constant 1/ω. A point hitting
	// the ground at speed v penetrates at most about v·TimeConst/e before it is
	// stopped (2.4 m/s, 2 ms: 1.8 mm), and a resting load sinks by
	// g·TimeConst² (2 ms: 0.04 mm). Default 0.002.
	TimeConst float64
	// DampRatio is the spring–damper's damping ratio ζ: 1 is critical (no
	// bounce), below 1 bounces. The continuous spring–damper's restitution is
	// exp(−πζ/√(1−ζ²)); the step's numerical damping lowers it somewhat (ζ 0.2:
	// 0.44 at 0.5 ms, 0.37 at 1 ms, against 0.53). Default 1.
	DampRatio float64
	// Margin (m) is the largest gap at which contacts are created before the
	// surfaces touch, so a fast foot is caught at first touch rather than a
	// step later: a point still apart is kept when it approaches fast enough
	// to close its gap within about two steps. The spring–damper is evaluated
	// at the end of the step, so it acts only once the surfaces meet within
	// the step. Default 0.005.
	Margin float64
	// LimitTimeConst (s) is TimeConst for joint position limits. Default 0.002.
	LimitTimeConst float64
	// FrictionSoftness is the compliance of sticking contact friction, as a
	// fraction of the inverse effective mass (0 = rigid sticking). A sticking
	// contact under a tangential load F creeps at FrictionSoftness·F·h/m: a box
	// resting on a 17° slope creeps 3 µm/s at the default 0.001.
	FrictionSoftness float64
	// JointFrictionSoftness is the same for joint friction loss (default 0.1,
	// MuJoCo's default impedance 0.9): a joint held by its dry friction alone
	// creeps slowly instead of locking rigidly, which lets the solver converge
	// in a few sweeps.
	JointFrictionSoftness float64
}

// Solver selects the constraint solver.
type Solver uint8

const (
	// SolverNewton minimises the constraints' convex cost over the
	// post-step velocity with Newton's method: an exact, tree-sparse Hessian
	// and an exact line search (MuJoCo's primal Newton solver, here at the
	// velocity level with elliptic friction cones). Few iterations, whatever
	// the conditioning.
	SolverNewton Solver = iota
	// SolverPGS is projected Gauss–Seidel over the same rows: cheap sweeps,
	// slow to converge on stiff, strongly coupled systems.
	SolverPGS
)

func (s Solver) String() string {
	if s == SolverPGS {
		return "pgs"
	}
	return "newton"
}

// Options holds the simulator settings.
type Options struct {
	Timestep   float64 // s; default 0.001. 0.0005–0.002 are tested.
	Integrator Integrator
	Contact    ContactParams
	Solver     Solver
	// SolverIterations caps the iterations per step (default 100: Newton
	// typically needs 1–5, PGS far more); SolverTolerance stops earlier: Newton
	// once the cost's gradient is below that fraction of the smooth forces'
	// (M·Δv − h·f) or a full step within unchanged quadratic zones has landed
	// on the minimum, PGS once no impulse changes by more than that fraction
	// of the largest (default 1e-8).
	SolverIterations int
	SolverTolerance  float64
	// DisableConstraints turns off contacts, joint limits and friction loss
	// (MuJoCo's mjDSBL_CONSTRAINT): smooth dynamics only.
	DisableConstraints bool
	// DisableContacts turns off collisions but keeps limits and friction loss.
	DisableContacts bool
}

// DefaultOptions returns the defaults documented on each field.
func DefaultOptions() Options {
	return Options{
		Timestep:   0.001,
		Integrator: Euler,
		Contact: ContactParams{
			TimeConst:             0.002,
			DampRatio:             1,
			Margin:                0.005,
			LimitTimeConst:        0.002,
			FrictionSoftness:      0.001,
			JointFrictionSoftness: 0.1,
		},
		SolverIterations: 100,
		SolverTolerance:  1e-8,
	}
}

// Validate reports the first setting out of range, naming it.
func (o *Options) Validate() error {
	check := func(name string, v, lo, hi float64) error {
		if math.IsNaN(v) || v < lo || v > hi {
			return fmt.Errorf("sim options: %s = %g, want %g ≤ %s ≤ %g", name, v, lo, name, hi)
		}
		return nil
	}
	for _, c := range []error{
		check("Timestep", o.Timestep, 1e-5, 0.01),
		check("Contact.TimeConst", o.Contact.TimeConst, 1e-5, 1),
		check("Contact.DampRatio", o.Contact.DampRatio, 0.01, 100),
		check("Contact.Margin", o.Contact.Margin, 0, 0.1),
		check("Contact.LimitTimeConst", o.Contact.LimitTimeConst, 1e-5, 1),
		check("Contact.FrictionSoftness", o.Contact.FrictionSoftness, 0, 1),
		check("Contact.JointFrictionSoftness", o.Contact.JointFrictionSoftness, 0, 10),
		check("SolverTolerance", o.SolverTolerance, 0, 1),
		check("SolverIterations", float64(o.SolverIterations), 1, 1e5),
	} {
		if c != nil {
			return c
		}
	}
	if o.Integrator > RK4 {
		return fmt.Errorf("sim options: unknown integrator %d", o.Integrator)
	}
	return nil
}
