package urdf

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// Geom defaults, as MJCF's.
var defaultFriction = [3]float64{1, 0.005, 0.0001}

const (
	collisionGroup = 3 // like the MJCF "collision" class of Stride's models
	visualGroup    = 2
	defaultCondim  = 3
)

// contrib is one link's mass in its body: mass, centre of mass and rotational
// inertia about that centre, in body coordinates.
type contrib struct {
	m float64
	c spatial.Vec3
	I spatial.Mat3
}

// build turns the parsed links and joints into a model (not yet finalized).
func (l *loader) build(r *robot) (*rbd.Model, error) {
	root, err := l.findRoot(r)
	if err != nil {
		return nil, err
	}
	m := rbd.NewModel(r.name)
	host := make([]int, len(r.links))   // body holding each link
	frame := make([]pose, len(r.links)) // each link's frame in its body
	var mass [][]contrib                // per body
	newBody := func(name string, parent int, x pose) int {
		m.Bodies = append(m.Bodies, rbd.Body{Name: name, Parent: parent, Pos: x.p, Quat: x.q})
		return len(m.Bodies) - 1
	}
	meshes := newMeshTable(l, m)

	rl := r.links[root]
	if rl.name == "world" {
		host[root], frame[root] = 0, identityPose()
		if l.opt.FloatingBase {
			l.warn.add("root link \"world\" is the world frame; Options.FloatingBase ignored (the file attaches the robot itself)")
		}
		if rl.mass > 0 {
			l.warn.add("mass %g of link \"world\" ignored: the world does not move", rl.mass)
		}
	} else {
		b := newBody(rl.name, 0, pose{p: l.opt.BasePos, q: spatial.IdentityQuat()})
		host[root], frame[root] = b, identityPose()
		if l.opt.FloatingBase {
			name := FreeJointName
			for {
				if _, taken := r.jointIdx[name]; !taken {
					break
				}
				name += "_"
			}
			m.Joints = append(m.Joints, rbd.Joint{Name: name, Type: rbd.JointFree, Body: b})
		}
	}

	// Depth-first, children in the order of their joints in the file.
	stack := []int{root}
	for len(stack) > 0 {
		li := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		lk := r.links[li]
		merged := false
		if li != root {
			j := r.joints[lk.parent]
			ph := host[j.parent]
			x := frame[j.parent].mul(j.origin) // joint frame = child link frame, in the parent's body
			if !finite(x) {
				return nil, l.errLine(j.line, j.ctx, "the pose of link %q overflows (numbers too large)", lk.name)
			}
			switch j.typ {
			case "fixed":
				if ph == 0 {
					host[li], frame[li] = newBody(lk.name, 0, x), identityPose()
				} else {
					host[li], frame[li] = ph, x
					merged = true
				}
			case "floating":
				if ph != 0 {
					return nil, l.errLine(j.line, j.ctx, "floating joint from link %q: only a floating joint from the root link \"world\" is supported (it becomes a free joint); use Options.FloatingBase instead",
						r.links[j.parent].name)
				}
				b := newBody(lk.name, 0, x)
				host[li], frame[li] = b, identityPose()
				m.Joints = append(m.Joints, rbd.Joint{Name: j.name, Type: rbd.JointFree, Body: b})
			default:
				b := newBody(lk.name, ph, x)
				host[li], frame[li] = b, identityPose()
				jt := rbd.JointHinge
				if j.typ == "prismatic" {
					jt = rbd.JointSlide
				}
				rj := rbd.Joint{
					Name: j.name, Type: jt, Body: b, Axis: j.axis,
					Limited: j.limited, Damping: j.damping, FrictionLoss: j.frictionLoss,
					VelocityLimit: j.velocity,
				}
				if j.limited {
					rj.Range = [2]float64{j.lower, j.upper}
				}
				if j.effort > 0 {
					rj.EffortLimited = true
					rj.EffortRange = [2]float64{-j.effort, j.effort}
				}
				m.Joints = append(m.Joints, rj)
			}
		}
		b := host[li]
		x := frame[li]
		for len(mass) < len(m.Bodies) {
			mass = append(mass, nil)
		}
		if b != 0 {
			xi := x.mul(lk.com)
			R := xi.q.Mat3()
			RI := R.Mul(&lk.inertia)
			mass[b] = append(mass[b], contrib{m: lk.mass, c: xi.p, I: RI.MulT(&R).Symmetrize()})
		}
		if merged {
			m.Sites = append(m.Sites, rbd.Site{Name: lk.name, Body: b, Pos: x.p, Quat: x.q})
		}
		for gi := range lk.geoms {
			gs := &lk.geoms[gi]
			gx := x.mul(gs.origin)
			if !finite(gx) {
				return nil, l.errLine(gs.line, lk.ctx, "the pose of geom %q overflows (numbers too large)", gs.name)
			}
			g := rbd.Geom{
				Name: gs.name, Body: b, Type: gs.typ, Size: gs.size, Pos: gx.p, Quat: gx.q, Mesh: -1,
				Condim: defaultCondim, Friction: defaultFriction, RGBA: gs.rgba, Material: gs.material,
			}
			if gs.collision {
				g.Contype, g.Conaffinity, g.Group = 1, 1, collisionGroup
			} else {
				g.Group = visualGroup
			}
			if gs.typ == rbd.GeomMesh {
				if g.Mesh, err = meshes.index(gs, lk.ctx); err != nil {
					return nil, err
				}
			}
			m.Geoms = append(m.Geoms, g)
		}
		for k := len(lk.children) - 1; k >= 0; k-- {
			stack = append(stack, r.joints[lk.children[k]].child)
		}
	}

	for b := 1; b < len(m.Bodies); b++ {
		body := &m.Bodies[b]
		body.Mass, body.COM, body.Inertia = combine(mass[b])
	}
	sort.SliceStable(m.Geoms, func(a, b int) bool { return m.Geoms[a].Body < m.Geoms[b].Body })
	sort.SliceStable(m.Sites, func(a, b int) bool { return m.Sites[a].Body < m.Sites[b].Body })

	// One motor per actuated joint, in joint (= body) order.
	for ji := range m.Joints {
		j := &m.Joints[ji]
		if j.Type != rbd.JointHinge && j.Type != rbd.JointSlide {
			continue
		}
		a := rbd.Actuator{Name: j.Name, Kind: rbd.ActMotor, Joint: ji, Gear: 1, Gain: 1}
		if j.EffortLimited {
			a.ForceLimited, a.ForceRange = true, j.EffortRange
			a.CtrlLimited, a.CtrlRange = true, j.EffortRange
		}
		m.Actuators = append(m.Actuators, a)
	}

	l.warnMassless(m)
	m.Warnings = l.warn.strings()
	return m, nil
}

func finite(x pose) bool { return x.p.IsFinite() && x.q.IsFinite() }

// combine merges the masses of the links welded into one body: total mass,
// combined centre of mass, and inertia about it (parallel-axis theorem).
func combine(cs []contrib) (float64, spatial.Vec3, spatial.Mat3) {
	M := 0.0
	heavy := -1
	for i, c := range cs {
		M += c.m
		if c.m > 0 && (heavy < 0 || c.m > cs[heavy].m) {
			heavy = i
		}
	}
	if heavy < 0 {
		return 0, spatial.Vec3{}, spatial.Mat3{}
	}
	// The centre of mass measured from the heaviest part's, so that a lone
	// link keeps its figures exactly.
	c0 := cs[heavy].c
	var d spatial.Vec3
	for _, c := range cs {
		if c.m > 0 {
			d = d.AddScaled(c.m/M, c.c.Sub(c0))
		}
	}
	com := c0.Add(d)
	var I spatial.Mat3
	for _, c := range cs {
		if c.m == 0 {
			continue
		}
		r := c.c.Sub(com)
		rr := r.Dot(r)
		I = I.Add(c.I).Add(spatial.Mat3{
			c.m * (rr - r[0]*r[0]), -c.m * r[0] * r[1], -c.m * r[0] * r[2],
			-c.m * r[1] * r[0], c.m * (rr - r[1]*r[1]), -c.m * r[1] * r[2],
			-c.m * r[2] * r[0], -c.m * r[2] * r[1], c.m * (rr - r[2]*r[2]),
		})
	}
	return M, com, I.Symmetrize()
}

// findRoot returns the one link that is no joint's child, after checking that
// every link hangs from it.
func (l *loader) findRoot(r *robot) (int, error) {
	var roots []int
	for i, lk := range r.links {
		if lk.parent < 0 {
			roots = append(roots, i)
		}
	}
	if len(roots) > 1 {
		names := make([]string, 0, len(roots))
		for k, i := range roots {
			if k == 10 {
				names = append(names, fmt.Sprintf("and %d more", len(roots)-10))
				break
			}
			names = append(names, fmt.Sprintf("%q (line %d)", r.links[i].name, r.links[i].line))
		}
		return 0, &Error{File: l.file, Line: r.links[roots[1]].line,
			Msg: fmt.Sprintf("%d root links (links that are no joint's child): %s; a URDF tree has exactly one", len(roots), strings.Join(names, ", "))}
	}
	reached := make([]bool, len(r.links))
	n := 0
	if len(roots) == 1 {
		stack := []int{roots[0]}
		for len(stack) > 0 {
			li := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			reached[li] = true
			n++
			for _, ji := range r.links[li].children {
				stack = append(stack, r.joints[ji].child)
			}
		}
	}
	if n == len(r.links) {
		return roots[0], nil
	}
	// The links not reached all have a parent, and following parents from one
	// of them never reaches the root: it runs into a cycle.
	start := 0
	for reached[start] {
		start++
	}
	seen := map[int]bool{}
	li := start
	for !seen[li] {
		seen[li] = true
		li = r.joints[r.links[li].parent].parent
	}
	// Collect the cycle's joints walking up, then list them down the chain
	// starting from the one first in the file.
	var cj []int
	for k := li; ; {
		cj = append(cj, r.links[k].parent)
		k = r.joints[r.links[k].parent].parent
		if k == li {
			break
		}
	}
	slices.Reverse(cj)
	lo := 0
	for i := range cj {
		if cj[i] < cj[lo] {
			lo = i
		}
	}
	cj = append(cj[lo:], cj[:lo]...)
	var cyc []string
	for _, ji := range cj {
		j := r.joints[ji]
		cyc = append(cyc, fmt.Sprintf("%q (%s → %s)", j.name, r.links[j.parent].name, r.links[j.child].name))
	}
	first := r.joints[cj[0]]
	msg := "the joints form a cycle: " + strings.Join(cyc, ", ")
	if len(roots) == 0 {
		msg = "no root link (every link is some joint's child); " + msg
	}
	return 0, &Error{File: l.file, Line: first.line, Element: first.ctx, Msg: msg}
}

// warnMassless warns about moving bodies whose whole subtree is massless:
// their equations of motion are singular.
func (l *loader) warnMassless(m *rbd.Model) {
	sub := make([]float64, len(m.Bodies))
	for b := len(m.Bodies) - 1; b > 0; b-- {
		sub[b] += m.Bodies[b].Mass
		sub[m.Bodies[b].Parent] += sub[b]
	}
	moves := make([]bool, len(m.Bodies))
	for _, j := range m.Joints {
		moves[j.Body] = true
	}
	for b := 1; b < len(m.Bodies); b++ {
		if moves[b] && !(sub[b] > 0) {
			l.warn.addTo("massless", "moving bodies without mass in their subtree (singular dynamics)", fmt.Sprintf("%q", m.Bodies[b].Name))
		}
	}
}
