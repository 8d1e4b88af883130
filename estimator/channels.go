package estimator

// channels are the telemetry values a filter writes every tick (the
// runtime's ChannelDeclarer: plain types, so this package needs no
// telemetry import).
type channels struct {
	cov    []float64 // 9: covariance diagonal (orientation, velocity, position)
	bias   []float64 // 6: gyro, accelerometer bias
	force  []float64 // 2: vertical foot force from Jᵀ, N
	counts []float64 // 3: rejected updates (all), gated slips, zero-velocity updates
}

func (c *channels) declare(prefix string, declare func(name, unit string, size int) ([]float64, error)) error {
	var err error
	if c.cov, err = declare(prefix+".cov", "rad²|m²/s²|m²", 9); err != nil {
		return err
	}
	if c.bias, err = declare(prefix+".bias", "rad/s|m/s²", 6); err != nil {
		return err
	}
	if c.force, err = declare(prefix+".foot_force_z", "N", 2); err != nil {
		return err
	}
	c.counts, err = declare(prefix+".rejected", "count", 3)
	return err
}

func (c *channels) write(e *Estimate, f *front) {
	if c.cov == nil {
		return
	}
	copy(c.cov, e.Cov[:])
	copy(c.bias[:3], e.GyroBias[:])
	copy(c.bias[3:], e.AccelBias[:])
	c.force[0], c.force[1] = f.forceZ[0], f.forceZ[1]
	c.counts[0] = float64(f.stats.RejectedUpdates())
	c.counts[1] = float64(f.stats.Rejected)
	c.counts[2] = float64(f.stats.ZeroVel)
}

// DeclareChannels declares the filter's telemetry: "estimator.cov" (the
// covariance diagonal), "estimator.bias", "estimator.foot_force_z" and
// "estimator.rejected"; Update then writes them every tick.
func (e *InEKF) DeclareChannels(declare func(name, unit string, size int) ([]float64, error)) error {
	return e.ch.declare("estimator", declare)
}

// DeclareChannels declares the baseline's telemetry, like InEKF's.
func (e *Linear) DeclareChannels(declare func(name, unit string, size int) ([]float64, error)) error {
	return e.ch.declare("estimator", declare)
}
