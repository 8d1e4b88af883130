package hal

import (
	"math"
	"strings"
	"testing"
)

func TestCheckRejectsBadCommands(t *testing.T) {
	info := &Info{Name: "r", Joints: []JointInfo{{Name: "hip"}, {Name: "knee"}}}
	good := Commands{N: 2}
	good.Joint[1] = JointCommand{Tau: 3, Q: 0.2, Kp: 50, Kd: 2}
	if err := good.Check(info); err != nil {
		t.Fatalf("valid command rejected: %v", err)
	}
	for _, tc := range []struct {
		mut  func(c *Commands)
		want string
	}{
		{func(c *Commands) { c.Joint[1].Tau = math.NaN() }, "joint 1 (knee): tau is NaN"},
		{func(c *Commands) { c.Joint[0].Q = math.Inf(1) }, "joint 0 (hip): q is +Inf"},
		{func(c *Commands) { c.Joint[1].Kd = -1 }, "joint 1 (knee): negative gain"},
		{func(c *Commands) { c.N = 3 }, "command for 3 joints"},
	} {
		c := good
		tc.mut(&c)
		err := c.Check(info)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error containing %q", err, tc.want)
		}
	}
}

func TestFaultString(t *testing.T) {
	if s := (FaultOverTemp | FaultCommLost).String(); s != "comm-lost|over-temperature" {
		t.Errorf("got %q", s)
	}
}

func TestJointNames(t *testing.T) {
	info := Info{Joints: []JointInfo{{Name: "hip"}, {Name: "knee"}}}
	if got := info.JointNames(); len(got) != 2 || got[0] != "hip" || got[1] != "knee" {
		t.Errorf("JointNames = %q", got)
	}
	if got := (&Info{}).JointNames(); len(got) != 0 {
		t.Errorf("no joints: %q", got)
	}
}
