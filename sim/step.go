package sim

import (
	"fmt"
	"math"
)

// Step advances the world by one timestep h = Opt.Timestep. One step is, in
// order:
//
//	kinematics       poses, motion subspaces, body twists       stage_kinematics.go
//	collision        robot geoms against the terrain → Contacts stage_collision.go
//	passive          joint damping and springs                  stage_passive.go
//	actuation        controls and drive commands → torques      stage_actuation.go
//	dynamics         M, its factor, bias, free acceleration     stage_dynamics.go
//	constraint solve contacts, limits, friction loss → impulses stage_constraint.go
//	integrate        v⁺ then q⁺ (Euler) or four stages (RK4)    stage_integrate.go
//
// It returns an error, and leaves the state as it was before the step, when
// the new state is not finite (a diverging simulation), naming the step and
// the first bad quantity.
func (w *World) Step() error {
	if err := w.checkInputs(); err != nil {
		return err
	}
	for i := range w.Motors {
		if w.Motors[i].LatencySteps > 0 {
			w.drive.push(w.Ctrl, w.Drive)
			break
		}
	}
	switch w.Opt.Integrator {
	case RK4:
		w.stepRK4()
	default:
		w.forward(w.Qpos, w.Qvel, true)
		w.integrateEuler()
	}
	if err := w.checkState(); err != nil {
		return err
	}
	w.Time += w.Opt.Timestep
	w.Steps++
	return nil
}

// forward runs every stage but integration at state (q, v); advance lets
// stateful stages (actuator lag, solver warm start) move on.
func (w *World) forward(q, v []float64, advance bool) {
	w.curQ = q
	copy(w.scratch.evalV, v)
	w.kinematics(q, v)
	w.collision()
	w.passive(q, v)
	w.actuation(q, v, advance)
	w.dynamics()
	w.constraintSolve(v)
}

// checkInputs refuses to step with a non-finite input, naming it; the state
// is left as it was.
func (w *World) checkInputs() error {
	// fast path: x·0 is 0 for every finite x and NaN otherwise
	z := 0.0
	for _, x := range w.Qpos {
		z += x * 0
	}
	for _, x := range w.Qvel {
		z += x * 0
	}
	for _, x := range w.Ctrl {
		z += x * 0
	}
	for _, x := range w.QfrcApplied {
		z += x * 0
	}
	for i := range w.Drive {
		c := &w.Drive[i]
		z += (c.Tau + c.Q + c.Qd + c.Kp + c.Kd) * 0
	}
	for i := range w.XfrcApplied {
		f := &w.XfrcApplied[i]
		z += (f.Ang[0] + f.Ang[1] + f.Ang[2] + f.Lin[0] + f.Lin[1] + f.Lin[2]) * 0
	}
	if z == 0 {
		return nil
	}
	bad := func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }
	m := w.Model
	for i, x := range w.Qpos {
		if bad(x) {
			return fmt.Errorf("sim: step %d: qpos[%d] (%s) is %v before the step; not stepped", w.Steps+1, i, w.qposName(i), x)
		}
	}
	for i, x := range w.Qvel {
		if bad(x) {
			return fmt.Errorf("sim: step %d: qvel[%d] (dof of joint %s) is %v before the step; not stepped", w.Steps+1, i, m.Joints[m.DofJoint[i]].Name, x)
		}
	}
	for i, x := range w.Ctrl {
		if bad(x) {
			return fmt.Errorf("sim: step %d: Ctrl[%d] (actuator %s) is %v; not stepped", w.Steps+1, i, m.Actuators[i].Name, x)
		}
	}
	for i := range w.Drive {
		c := &w.Drive[i]
		if bad(c.Tau) || bad(c.Q) || bad(c.Qd) || bad(c.Kp) || bad(c.Kd) {
			return fmt.Errorf("sim: step %d: Drive[%d] (actuator %s) is not finite: %+v; not stepped", w.Steps+1, i, m.Actuators[i].Name, *c)
		}
	}
	for i, x := range w.QfrcApplied {
		if bad(x) {
			return fmt.Errorf("sim: step %d: QfrcApplied[%d] (dof of joint %s) is %v; not stepped", w.Steps+1, i, m.Joints[m.DofJoint[i]].Name, x)
		}
	}
	for b := range w.XfrcApplied {
		f := &w.XfrcApplied[b]
		if !f.Ang.IsFinite() || !f.Lin.IsFinite() {
			return fmt.Errorf("sim: step %d: XfrcApplied[%d] (body %s) is not finite; not stepped", w.Steps+1, b, m.Bodies[b].Name)
		}
	}
	return nil
}

// checkState verifies the state after integration; on failure it restores the
// previous state (kept by the integrator) and names the first bad value.
func (w *World) checkState() error {
	m := w.Model
	for i, x := range w.Qpos {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			w.restore()
			return fmt.Errorf("sim: step %d (t = %.4f s): qpos[%d] (%s) became %v; the state before the step is kept",
				w.Steps+1, w.Time, i, w.qposName(i), x)
		}
	}
	for i, x := range w.Qvel {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			w.restore()
			return fmt.Errorf("sim: step %d (t = %.4f s): qvel[%d] (dof of joint %s) became %v; the state before the step is kept",
				w.Steps+1, w.Time, i, m.Joints[m.DofJoint[i]].Name, x)
		}
	}
	return nil
}

// qposName names the joint a position coordinate belongs to.
func (w *World) qposName(i int) string {
	m := w.Model
	for ji := range m.Joints {
		j := &m.Joints[ji]
		if i >= j.QAdr && i < j.QAdr+j.Type.NQ() {
			return fmt.Sprintf("joint %s", j.Name)
		}
	}
	return "?"
}

func (w *World) restore() {
	copy(w.Qpos, w.scratch.prevQ)
	copy(w.Qvel, w.scratch.prevV)
}
