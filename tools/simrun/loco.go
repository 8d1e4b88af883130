package simrun

import (
	"math"

	"github.com/stride-robotics/stride/hal/simhal"
	"github.com/stride-robotics/stride/locomotion"
	"github.com/stride-robotics/stride/runtime"
	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
	"github.com/stride-robotics/stride/tools/locoeval"
)

// Walker builds the gait controller locomotion mode runs on robot: the
// locomotion.Walker with the profile derived from the robot's model. The
// error says why the profile could not be derived.
func Walker(robot *simhal.Robot) (*locomotion.Walker, error) {
	return locomotion.NewWalkerForModel(robot.World.Model, robot.Info().JointNames(), nil)
}

// locoProbe feeds a locoeval.Meter from each tick: the simulator's truth
// (for evaluation only) and the walker's counters.
type locoProbe struct {
	robot       *simhal.Robot
	wk          *locomotion.Walker
	meter       *locoeval.Meter
	jm          *rbd.JointMap
	d           *rbd.Data // the true kinematics, for the feet
	foot        [2]int    // the walker's foot bodies (its profile)
	s           locoeval.Sample
	solves, bad uint64
	slip        [2][3]float64 // integrated horizontal motion of each foot's loaded contact points
	period      float64
}

// newLocoProbe scores locomotion on robot; wk is the walker whose counters
// it reports, or nil for another controller (a learned policy), whose feet
// are then those of the profile derived from the model.
func newLocoProbe(robot *simhal.Robot, wk *locomotion.Walker, period float64) (*locoProbe, error) {
	m := robot.World.Model
	var feet [2]locomotion.Foot
	if wk != nil {
		feet = wk.P.Feet
	} else {
		prof, err := locomotion.DeriveProfile(m, robot.Info().JointNames(), nil)
		if err != nil {
			return nil, err
		}
		feet = prof.Feet
	}
	g := m.Gravity.Norm()
	if g == 0 {
		g = 9.81
	}
	meter, err := locoeval.New(period, m.TotalMass(), g)
	if err != nil {
		return nil, err
	}
	jm := rbd.ActuatorJointMap(m)
	n := jm.Len()
	p := &locoProbe{robot: robot, wk: wk, meter: meter, jm: jm, d: rbd.NewData(m),
		foot: [2]int{feet[0].Body, feet[1].Body}, period: period}
	p.s.Tau, p.s.Qd, p.s.Limit = make([]float64, n), make([]float64, n), make([]float64, n)
	for i, j := range robot.Info().Joints {
		if i < n {
			p.s.Limit[i] = j.EffortLimit
		}
	}
	return p, nil
}

// record takes tick t's sample; it allocates nothing.
func (p *locoProbe) record(t *telemetry.Tick) {
	s := &p.s
	s.Time = t.Time
	s.Locomotion = t.Mode == uint8(runtime.ModeLocomotion)
	if !s.Locomotion {
		p.meter.Add(s)
		return
	}
	tr := p.robot.Truth()
	w := p.robot.World
	s.Cmd = [3]float64{t.Input.Vx, t.Input.Vy, t.Input.YawRate}
	if t.Gait == uint8(locomotion.GaitStand) {
		// Standing (the walker's gait: a stand request, once its stop
		// has finished) is a command to stay put, whatever velocity set-
		// points are still in force.
		s.Cmd = [3]float64{}
	}
	s.GaitPhase = t.GaitPhase
	s.Gait = t.Gait
	s.Pos, s.Vel, s.COM = tr.BasePos, tr.BaseLinVel, tr.COM
	q := tr.BaseQuat
	s.Yaw = math.Atan2(2*(q.W*q.Z+q.X*q.Y), 1-2*(q.Y*q.Y+q.Z*q.Z))
	s.YawRate = tr.BaseAngVel[2]
	// The feet of the walker's profile: in contact when a contact of the
	// foot's body (or a body under it) pushes. Slip is the motion of the
	// loaded contact points themselves (their force-weighted centroid's
	// horizontal velocity, integrated), so a foot rolling onto its toe or
	// heel does not count as slipping.
	m := w.Model
	rbd.Kinematics(m, p.d, w.Qpos)
	rbd.Velocities(m, p.d, w.Qvel)
	var fz [2]float64
	var vel [2]spatial.Vec3
	for i := range w.Contacts {
		c := &w.Contacts[i]
		fn := c.Force.Dot(c.Normal)
		if fn <= 0 {
			continue
		}
		for b := c.Body; b > 0; b = m.Bodies[b].Parent {
			k := -1
			if b == p.foot[0] {
				k = 0
			} else if b == p.foot[1] {
				k = 1
			}
			if k >= 0 {
				_, v := rbd.PointVelocity(p.d, c.Body, c.Pos)
				fz[k] += fn
				vel[k] = vel[k].Add(v.Scale(fn))
				break
			}
		}
	}
	for k := 0; k < 2; k++ {
		s.Contact[k] = fz[k] > 0
		if s.Contact[k] {
			v := vel[k].Scale(1 / fz[k])
			p.slip[k][0] += v[0] * p.period
			p.slip[k][1] += v[1] * p.period
		}
		s.Foot[k] = p.slip[k]
	}
	for i := range s.Tau {
		s.Tau[i], s.Qd[i] = 0, 0
		if a := p.jm.Actuator[i]; a >= 0 {
			s.Tau[i] = w.ActuatorForce[a]
		}
		s.Qd[i] = tr.Qvel[p.jm.DofAdr[i]]
	}
	if p.wk == nil {
		p.meter.Add(s)
		return
	}
	s.QPFailures = uint64(p.wk.Failures())
	solves, bad, _ := p.wk.MPCStats()
	s.MPCLateOrFailed = bad
	s.MPCSolve = 0
	if solves > p.solves && bad == p.bad {
		if sol := p.wk.MPCSolution(); sol != nil {
			s.MPCSolve = sol.SolveTime
		}
	}
	p.solves, p.bad = solves, bad
	s.WBCSolve = p.wk.WBC().SolveTime
	p.meter.Add(s)
}
