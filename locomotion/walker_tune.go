package locomotion

import "fmt"

// Tuning returns the walker's parameters.
func (w *Walker) Tuning() WalkerConfig { return w.Cfg }

// Tune changes the walker's parameters while it runs (a hot reload of the
// runtime config's walker section). The gait timing applies from the next
// tick (the stride phase carries on: only the period and duty factor
// change), the swing parameters from each foot's next lift-off, the gains
// at once. The MPC's mode and period cannot change here: a different one is
// refused, as is an invalid timing; nothing changes then. It allocates
// nothing.
func (w *Walker) Tune(c WalkerConfig) error {
	if err := c.Timing.Validate(); err != nil {
		return err
	}
	if err := c.Run.Validate(); err != nil {
		return err
	}
	if c.MPC != w.Cfg.MPC || (c.MPC != MPCOff && max(1, c.MPCEvery) != max(1, w.Cfg.MPCEvery)) {
		return fmt.Errorf("locomotion: the MPC mode and period are fixed when the walker is made (mpc_every %d → %d)", w.Cfg.MPCEvery, c.MPCEvery)
	}
	w.Cfg = c
	w.sched.Timing = c.Timing
	w.sched.Run = c.Run
	if w.sched.Run.Sweep == 0 {
		w.sched.Run.Sweep = runSweep(w.P, &c.Run)
	}
	w.plan.Gain = c.StepGain
	for k := range w.swing {
		if !w.swing[k].Active() {
			w.swing[k].setParams(&c.Swing)
		}
	}
	return nil
}

// setParams copies the parameters of p (not its trajectory).
func (s *Swing) setParams(p *Swing) {
	s.Apex, s.LateSpeed, s.LateDepth, s.EarlyFraction = p.Apex, p.LateSpeed, p.LateDepth, p.EarlyFraction
}
