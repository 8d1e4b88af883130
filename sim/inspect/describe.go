package inspect

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/stride-robotics/stride/sim/rbd"
)

// JointInfo is one joint of the description.
type JointInfo struct {
	Name          string     `json:"name"`
	Type          string     `json:"type"`
	Body          string     `json:"body"`
	Limited       bool       `json:"limited"`
	Range         [2]float64 `json:"range"`
	EffortLimit   float64    `json:"effort_limit,omitempty"`
	VelocityLimit float64    `json:"velocity_limit,omitempty"`
	Damping       float64    `json:"damping"`
	Armature      float64    `json:"armature"`
	FrictionLoss  float64    `json:"frictionloss"`
}

// Info describes a model: what `stride model info` prints (and --json).
type Info struct {
	Name      string         `json:"name"`
	Nq        int            `json:"nq"`
	Nv        int            `json:"nv"`
	Nu        int            `json:"nu"`
	TotalMass float64        `json:"total_mass"`
	Bodies    []BodyInfo     `json:"bodies"`
	Joints    []JointInfo    `json:"joints"`
	Actuators []ActuatorInfo `json:"actuators"`
	Sites     []string       `json:"sites"`
	Keyframes []string       `json:"keyframes"`
	Warnings  []string       `json:"warnings"`
}

// BodyInfo is one body of the description.
type BodyInfo struct {
	Name   string  `json:"name"`
	Parent string  `json:"parent"`
	Mass   float64 `json:"mass"`
	Geoms  int     `json:"geoms"`
}

// ActuatorInfo is one actuator of the description.
type ActuatorInfo struct {
	Name       string      `json:"name"`
	Kind       string      `json:"kind"`
	Joint      string      `json:"joint"`
	Gear       float64     `json:"gear"`
	CtrlRange  *[2]float64 `json:"ctrlrange,omitempty"`
	ForceRange *[2]float64 `json:"forcerange,omitempty"`
}

// Describe lists a model's bodies, joints with limits, actuators, sites,
// keyframes, total mass and sizes, and its loader warnings.
func Describe(m *rbd.Model) Info {
	info := Info{Name: m.Name, Nq: m.Nq, Nv: m.Nv, Nu: m.Nu, TotalMass: m.TotalMass(),
		Warnings: append([]string{}, m.Warnings...), Sites: []string{}, Keyframes: []string{}}
	geoms := make([]int, len(m.Bodies))
	for i := range m.Geoms {
		geoms[m.Geoms[i].Body]++
	}
	for i := 1; i < len(m.Bodies); i++ {
		b := &m.Bodies[i]
		info.Bodies = append(info.Bodies, BodyInfo{b.Name, m.Bodies[b.Parent].Name, b.Mass, geoms[i]})
	}
	for i := range m.Joints {
		j := &m.Joints[i]
		ji := JointInfo{Name: j.Name, Type: j.Type.String(), Body: m.Bodies[j.Body].Name, Limited: j.Limited,
			Range: j.Range, VelocityLimit: j.VelocityLimit, Damping: j.Damping, Armature: j.Armature, FrictionLoss: j.FrictionLoss}
		if j.EffortLimited {
			ji.EffortLimit = math.Max(-j.EffortRange[0], j.EffortRange[1])
		}
		info.Joints = append(info.Joints, ji)
	}
	for i := range m.Actuators {
		a := &m.Actuators[i]
		ai := ActuatorInfo{Name: a.Name, Kind: a.Kind.String(), Joint: m.Joints[a.Joint].Name, Gear: a.Gear}
		if a.CtrlLimited {
			r := a.CtrlRange
			ai.CtrlRange = &r
		}
		if a.ForceLimited {
			r := a.ForceRange
			ai.ForceRange = &r
		}
		info.Actuators = append(info.Actuators, ai)
	}
	for i := range m.Sites {
		info.Sites = append(info.Sites, m.Sites[i].Name)
	}
	for i := range m.Keyframes {
		info.Keyframes = append(info.Keyframes, m.Keyframes[i].Name)
	}
	return info
}

// Print writes info as tables.
func Print(w io.Writer, info *Info) error {
	fmt.Fprintf(w, "model %q: nq %d, nv %d, nu %d, %d bodies, total mass %.4f kg\n\n",
		info.Name, info.Nq, info.Nv, info.Nu, len(info.Bodies), info.TotalMass)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BODY\tPARENT\tMASS (kg)\tGEOMS")
	for _, b := range info.Bodies {
		fmt.Fprintf(tw, "%s\t%s\t%.4f\t%d\n", b.Name, b.Parent, b.Mass, b.Geoms)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "JOINT\tTYPE\tBODY\tRANGE\tEFFORT\tVELOCITY\tDAMPING\tARMATURE\tFRICTION")
	for _, j := range info.Joints {
		rng := "-"
		if j.Limited {
			rng = fmt.Sprintf("[%.4g, %.4g]", j.Range[0], j.Range[1])
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.4g\t%.4g\t%.4g\n", j.Name, j.Type, j.Body, rng,
			orDash(j.EffortLimit), orDash(j.VelocityLimit), j.Damping, j.Armature, j.FrictionLoss)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTUATOR\tKIND\tJOINT\tGEAR\tCTRLRANGE\tFORCERANGE")
	for _, a := range info.Actuators {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%g\t%s\t%s\n", a.Name, a.Kind, a.Joint, a.Gear, rangeOrDash(a.CtrlRange), rangeOrDash(a.ForceRange))
	}
	tw.Flush()
	if len(info.Sites) > 0 {
		fmt.Fprintf(w, "\nsites: %s\n", strings.Join(info.Sites, ", "))
	}
	if len(info.Keyframes) > 0 {
		fmt.Fprintf(w, "keyframes: %s\n", strings.Join(info.Keyframes, ", "))
	}
	for _, s := range info.Warnings {
		fmt.Fprintf(w, "warning: %s\n", s)
	}
	return nil
}

func orDash(x float64) string {
	if x == 0 {
		return "-"
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

func rangeOrDash(r *[2]float64) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("[%g, %g]", r[0], r[1])
}
