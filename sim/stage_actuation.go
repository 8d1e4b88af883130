package sim

// actuation turns the inputs into joint torques. Per actuator:
//
//  1. the command seen now is the one given LatencySteps steps ago;
//  2. the MJCF force law Gain·ctrl + Bias·(1, q, q̇), ctrl clamped to
//     ctrlrange and the force to forcerange, times the gear, plus the drive
//     command's torque Tau + Kp·(Q − q) + Kd·(Qd − q̇);
//  3. the first-order lag, if any;
//  4. the motor's peak torque and torque–speed line, and the joint's effort
//     range.
//
// ActuatorForce receives the delivered joint torque, QfrcActuator its sum per
// dof. NaN or infinite commands never get here: the HAL rejects them.
//
// The lag filter advances only when advance is set (once per step).
func (w *World) actuation(q, v []float64, advance bool) {
	m := w.Model
	s := &w.drive
	h := w.Opt.Timestep
	clear(w.QfrcActuator)
	clear(w.scratch.driveGain)
	for i := range m.Actuators {
		a := &m.Actuators[i]
		mo := &w.Motors[i]
		j := &m.Joints[a.Joint]
		if mo.Failed {
			w.ActuatorForce[i] = 0
			continue
		}
		ctrl, cmd := w.Ctrl[i], &w.Drive[i]
		if lat := mo.LatencySteps; lat > 0 {
			slot := (s.head - min(lat, MaxLatencySteps) + len(s.ctrl)) % len(s.ctrl)
			ctrl, cmd = s.ctrl[slot][i], &s.cmd[slot][i]
		}

		qj, vj := q[j.QAdr], v[j.DofAdr]
		if a.CtrlLimited {
			ctrl = clamp(ctrl, a.CtrlRange[0], a.CtrlRange[1])
		}
		force := a.Gain*ctrl + a.Bias[0] + a.Bias[1]*a.Gear*qj + a.Bias[2]*a.Gear*vj
		if a.ForceLimited {
			force = clamp(force, a.ForceRange[0], a.ForceRange[1])
		}
		tau := a.Gear*force + cmd.Tau + cmd.Kp*(cmd.Q-qj) + cmd.Kd*(cmd.Qd-vj)

		if mo.LagTimeConst > 0 {
			// implicit first-order filter
			lagged := s.lagged[i] + (tau-s.lagged[i])*h/(mo.LagTimeConst+h)
			if advance {
				s.lagged[i] = lagged
			}
			tau = lagged
		}
		raw := tau
		tau = mo.limit(tau, vj)
		if j.EffortLimited {
			tau = clamp(tau, j.EffortRange[0], j.EffortRange[1])
		}
		// The drive's PD acts on the end-of-step state, integrated implicitly
		// (see dynamics) — stable for any gains on light links — unless the
		// torque saturates or passes through a lag or a delay.
		if tau == raw && mo.LagTimeConst == 0 && mo.LatencySteps == 0 {
			w.scratch.driveGain[j.DofAdr] += h*cmd.Kp + cmd.Kd
		}
		w.ActuatorForce[i] = tau
		w.QfrcActuator[j.DofAdr] += tau
	}
}

// clamp returns x limited to [lo, hi] (NaN passes through; the HAL rejects
// NaN commands before they get here).
func clamp(x, lo, hi float64) float64 {
	if x < lo {
		return lo
	}
	if x > hi {
		return hi
	}
	return x
}
