package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
)

type modelCmd struct {
	Info   modelInfoCmd   `cmd:"" help:"Print bodies, joints with limits, actuators, total mass and nq/nv/nu."`
	Fd     modelFdCmd     `cmd:"" name:"fd" help:"Read rows 'qpos…,qvel…,tau…' from stdin; write 'qacc…,bias…' (constraints off, passive forces on)."`
	Export modelExportCmd `cmd:"" help:"Print the built-in robot's MJCF (it also loads in MuJoCo)."`
}

func loadModel(path string) (*rbd.Model, error) { return models.Load(path) }

type modelInfoCmd struct {
	File string `arg:"" optional:"" help:"MJCF (.xml) or URDF (.urdf) file; the built-in robot when omitted."`
	JSON bool   `help:"Print JSON for machines."`
}

type jointInfo struct {
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

type modelInfo struct {
	Name      string         `json:"name"`
	Nq        int            `json:"nq"`
	Nv        int            `json:"nv"`
	Nu        int            `json:"nu"`
	TotalMass float64        `json:"total_mass"`
	Bodies    []bodyInfo     `json:"bodies"`
	Joints    []jointInfo    `json:"joints"`
	Actuators []actuatorInfo `json:"actuators"`
	Sites     []string       `json:"sites"`
	Keyframes []string       `json:"keyframes"`
	Warnings  []string       `json:"warnings"`
}

type bodyInfo struct {
	Name   string  `json:"name"`
	Parent string  `json:"parent"`
	Mass   float64 `json:"mass"`
	Geoms  int     `json:"geoms"`
}

type actuatorInfo struct {
	Name       string      `json:"name"`
	Kind       string      `json:"kind"`
	Joint      string      `json:"joint"`
	Gear       float64     `json:"gear"`
	CtrlRange  *[2]float64 `json:"ctrlrange,omitempty"`
	ForceRange *[2]float64 `json:"forcerange,omitempty"`
}

func describe(m *rbd.Model) modelInfo {
	info := modelInfo{Name: m.Name, Nq: m.Nq, Nv: m.Nv, Nu: m.Nu, TotalMass: m.TotalMass(),
		Warnings: append([]string{}, m.Warnings...), Sites: []string{}, Keyframes: []string{}}
	geoms := make([]int, len(m.Bodies))
	for i := range m.Geoms {
		geoms[m.Geoms[i].Body]++
	}
	for i := 1; i < len(m.Bodies); i++ {
		b := &m.Bodies[i]
		info.Bodies = append(info.Bodies, bodyInfo{b.Name, m.Bodies[b.Parent].Name, b.Mass, geoms[i]})
	}
	for i := range m.Joints {
		j := &m.Joints[i]
		ji := jointInfo{Name: j.Name, Type: j.Type.String(), Body: m.Bodies[j.Body].Name, Limited: j.Limited,
			Range: j.Range, VelocityLimit: j.VelocityLimit, Damping: j.Damping, Armature: j.Armature, FrictionLoss: j.FrictionLoss}
		if j.EffortLimited {
			ji.EffortLimit = math.Max(-j.EffortRange[0], j.EffortRange[1])
		}
		info.Joints = append(info.Joints, ji)
	}
	for i := range m.Actuators {
		a := &m.Actuators[i]
		ai := actuatorInfo{Name: a.Name, Kind: a.Kind.String(), Joint: m.Joints[a.Joint].Name, Gear: a.Gear}
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

func (c *modelInfoCmd) Run() error {
	m, err := loadModel(c.File)
	if err != nil {
		return err
	}
	info := describe(m)
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	return printInfo(os.Stdout, &info)
}

func printInfo(w io.Writer, info *modelInfo) error {
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

type modelExportCmd struct{}

func (c *modelExportCmd) Run() error {
	_, err := os.Stdout.Write(models.BuiltinMJCF())
	return err
}

type modelFdCmd struct {
	File  string  `arg:"" optional:"" help:"MJCF or URDF file; the built-in robot when omitted."`
	Check bool    `help:"The input also has the reference columns qacc…,bias… (as ../shared/peer/fdref writes): print the largest differences instead of rows, and fail beyond --rtol/--atol."`
	Rtol  float64 `default:"1e-8" help:"Relative tolerance for --check."`
	Atol  float64 `default:"1e-9" help:"Absolute tolerance for --check."`
}

// Run reads states in the column layout of fdref.c: qpos (nq), qvel (nv),
// tau (nv) — and with --check also qacc (nv), bias (nv) — one row per line,
// comma-separated, with an optional header line. For each row it writes qacc
// (forward dynamics with passive forces and without constraints: M·qacc = tau
// + passive − bias) and bias (inverse dynamics at zero acceleration).
func (c *modelFdCmd) Run() error {
	m, err := loadModel(c.File)
	if err != nil {
		return err
	}
	return runFD(m, os.Stdin, os.Stdout, c.Check, c.Rtol, c.Atol)
}

func runFD(m *rbd.Model, in io.Reader, out io.Writer, check bool, rtol, atol float64) error {
	nq, nv := m.Nq, m.Nv
	want := nq + 2*nv
	if check {
		want += 2 * nv
	}
	d := rbd.NewData(m)
	qacc := make([]float64, nv)
	bias := make([]float64, nv)
	tau := make([]float64, nv)
	w := bufio.NewWriter(out)
	defer w.Flush()
	if !check {
		for i := 0; i < nv; i++ {
			fmt.Fprintf(w, "%sqacc%d", sep(i), i)
		}
		for i := 0; i < nv; i++ {
			fmt.Fprintf(w, ",bias%d", i)
		}
		fmt.Fprintln(w)
	}
	var worstAcc, worstBias float64
	var worstAccRow, worstBiasRow, rows int
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	vals := make([]float64, 0, want)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		if line == 1 && len(fields) > 0 {
			if _, err := strconv.ParseFloat(strings.TrimSpace(fields[0]), 64); err != nil {
				continue // header
			}
		}
		if len(fields) < want {
			return fmt.Errorf("stdin:%d: %d columns, want at least %d (nq %d + nv %d qvel + nv %d tau%s)",
				line, len(fields), want, nq, nv, nv, map[bool]string{true: " + nv qacc + nv bias", false: ""}[check])
		}
		vals = vals[:0]
		for i := 0; i < want; i++ {
			x, err := strconv.ParseFloat(strings.TrimSpace(fields[i]), 64)
			if err != nil {
				return fmt.Errorf("stdin:%d: column %d: %v", line, i+1, err)
			}
			vals = append(vals, x)
		}
		q, v := vals[:nq], vals[nq:nq+nv]
		rbd.Passive(m, q, v, tau)
		for i := range tau {
			tau[i] += vals[nq+nv+i]
		}
		rbd.Kinematics(m, d, q)
		rbd.Velocities(m, d, v)
		rbd.ABA(m, d, tau, qacc)
		rbd.Bias(m, d, bias)
		rows++
		if check {
			refAcc, refBias := vals[nq+2*nv:nq+3*nv], vals[nq+3*nv:]
			for i := 0; i < nv; i++ {
				if e := relErr(qacc[i], refAcc[i], rtol, atol); e > worstAcc {
					worstAcc, worstAccRow = e, rows
				}
				if e := relErr(bias[i], refBias[i], rtol, atol); e > worstBias {
					worstBias, worstBiasRow = e, rows
				}
			}
			continue
		}
		for i := 0; i < nv; i++ {
			fmt.Fprintf(w, "%s%.17g", sep(i), qacc[i])
		}
		for i := 0; i < nv; i++ {
			fmt.Fprintf(w, ",%.17g", bias[i])
		}
		fmt.Fprintln(w)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("stdin: %v", err)
	}
	if check {
		fmt.Fprintf(w, "rows %d: worst qacc error %.3g (row %d), worst bias error %.3g (row %d) (|a−b| / max(|b|, atol/rtol); tolerance rtol %g, atol %g)\n",
			rows, worstAcc, worstAccRow, worstBias, worstBiasRow, rtol, atol)
		if worstAcc > rtol || worstBias > rtol {
			w.Flush()
			return fmt.Errorf("dynamics differ from the reference by more than %g", rtol)
		}
	}
	return nil
}

// relErr is |a−b| / max(|b|, atol/rtol): at most rtol exactly when the
// difference is within rtol relative or atol absolute.
func relErr(a, b, rtol, atol float64) float64 {
	d := math.Abs(a - b)
	if math.IsNaN(d) {
		return math.Inf(1)
	}
	return d / math.Max(math.Abs(b), atol/rtol)
}

func sep(i int) string {
	if i == 0 {
		return ""
	}
	return ","
}
