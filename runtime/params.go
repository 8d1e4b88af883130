package runtime

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/stride-robotics/stride/hal"
)

// params is a Config resolved for one robot: per-joint arrays and tick counts
// that the tick reads without maps, strings or allocation.
type params struct {
	cfg    *Config
	n      int
	period float64

	kp, kd [hal.MaxJoints]float64 // stand gains per joint

	safety safetyLimits // what the safety check reads
}

// resolve checks the parts of c that depend on the robot (joint names) and
// builds its params.
func resolve(c *Config, info *hal.Info) (*params, error) {
	n := info.NumJoints()
	if n == 0 || n > hal.MaxJoints {
		return nil, fmt.Errorf("runtime: robot %q has %d joints; want 1 to %d", info.Name, n, hal.MaxJoints)
	}
	p := &params{cfg: c, n: n, period: c.Period()}
	for i := 0; i < n; i++ {
		p.kp[i], p.kd[i] = c.Stand.Kp, c.Stand.Kd
	}
	names := make([]string, 0, len(c.Stand.Joints))
	for name := range c.Stand.Joints {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		g := c.Stand.Joints[name]
		i := jointIndex(info, name)
		if i < 0 {
			return nil, &ConfigError{Key: "stand.joints." + name, Msg: fmt.Sprintf("robot %q has no joint %q; its joints are %s", info.Name, name, jointList(info))}
		}
		p.kp[i], p.kd[i] = g.Kp, g.Kd
	}
	policy, err := ParseOverrunPolicy(c.Loop.Overrun)
	if err != nil {
		return nil, err
	}
	p.safety = safetyLimits{SafetyConfig: c.Safety, n: n,
		persistTicks: max(1, int(math.Ceil(c.Safety.Persist/p.period-1e-9))),
		overrunFault: policy == OverrunFault, faultAfter: c.Loop.FaultAfter}
	return p, nil
}

func jointIndex(info *hal.Info, name string) int {
	for i := range info.Joints {
		if info.Joints[i].Name == name {
			return i
		}
	}
	return -1
}

func jointList(info *hal.Info) string {
	s := make([]string, len(info.Joints))
	for i := range info.Joints {
		s[i] = info.Joints[i].Name
	}
	return strings.Join(s, ", ")
}
