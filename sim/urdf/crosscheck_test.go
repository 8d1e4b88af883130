package urdf_test

import (
	"math"
	"os"
	"testing"

	"github.com/stride-robotics/stride/sim/mjcf"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
	"github.com/stride-robotics/stride/sim/urdf"
)

// The vendor's PM01 in both formats, outside this repository.
const (
	pm01URDF = "../../../shared/models/pm01/resource/robot/pm_v2/urdf/serial_pm_v2.urdf"
	pm01MJCF = "../../../shared/models/pm01/resource/pm_v2.xml"
)

// Tolerances, from the digits the files are written in. The URDF writes axes
// to 5 significant digits and the MJCF to 6, so unit axes differ by up to
// ~5e-6 per component. The MJCF writes masses, centres of mass and principal
// moments to 6 significant digits (relative rounding ≤ 5e-6) and inertia
// orientations as 6-digit quaternions (~1e-6 rad).
const (
	axisTol    = 1e-5 // per component, unit axes
	posTol     = 1e-12
	rangeTol   = 1e-12
	massRelTol = 5e-6 // + 1e-9 absolute
	comTol     = 1e-6
	inertiaTol = 1e-5 // relative to the body's largest moment
)

// Known differences between the vendor's two files, each checked here:
//
//   - The MJCF places the 1 g marker bodies LINK_FOOT_L/R and
//     LINK_ELBOW_END_L/R at their parent's origin (no pos), with their mass
//     there; the URDF puts those frames (and masses) at the fixed joints'
//     offsets. Masses are compared with the MJCF marker's mass moved to the
//     URDF frame, which the URDF loader keeps as a site.
//   - The MJCF's LINK_ELBOW_YAW_L/R inertials already include their elbow
//     end's 1 g (0.467519 = 0.46651916 + 0.001, and the combined centre of
//     mass), yet the MJCF adds the LINK_ELBOW_END bodies again: the MJCF is
//     2 g heavier in total.
var mjcfAlreadyMerged = map[string]bool{"LINK_ELBOW_YAW_L": true, "LINK_ELBOW_YAW_R": true}

const mjcfDoubleCounted = 0.002 // kg

// TestCrossCheckPM01 loads the vendor's URDF and MJCF of PM01 and compares
// them joint by joint and body by body.
func TestCrossCheckPM01(t *testing.T) {
	for _, p := range []string{pm01URDF, pm01MJCF} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("vendor PM01 file not available (%v); skipping", err)
		}
	}
	u, err := urdf.LoadFile(pm01URDF, urdf.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	mj, err := mjcf.LoadFile(pm01MJCF)
	if err != nil {
		t.Skipf("the mjcf loader cannot load the vendor MJCF yet: %v", err)
	}
	if u.Nq != mj.Nq || u.Nv != mj.Nv || u.Nu != mj.Nu {
		t.Errorf("URDF nq %d nv %d nu %d, MJCF nq %d nv %d nu %d", u.Nq, u.Nv, u.Nu, mj.Nq, mj.Nv, mj.Nu)
	}
	uW, mW := worldPoses(u), worldPoses(mj)

	// Joints, matched by name.
	var maxAxis, maxWorldAxis, maxAnchor, maxRange float64
	hinges := 0
	for ui := range u.Joints {
		uj := &u.Joints[ui]
		if uj.Type == rbd.JointFree {
			continue
		}
		hinges++
		mi := mj.JointIndex(uj.Name)
		if mi < 0 {
			t.Errorf("joint %q: not in the MJCF", uj.Name)
			continue
		}
		mjj := &mj.Joints[mi]
		if uj.Type != mjj.Type {
			t.Errorf("joint %q: type %v in the URDF, %v in the MJCF", uj.Name, uj.Type, mjj.Type)
		}
		// Axes in the body frame, and in the world at the zero configuration.
		d := maxAbs(uj.Axis.Sub(mjj.Axis))
		maxAxis = math.Max(maxAxis, d)
		if d > axisTol {
			t.Errorf("joint %q: body-frame axis %v in the URDF, %v in the MJCF", uj.Name, uj.Axis, mjj.Axis)
		}
		ua, ma := uW[uj.Body].R.MulVec(uj.Axis), mW[mjj.Body].R.MulVec(mjj.Axis)
		d = maxAbs(ua.Sub(ma))
		maxWorldAxis = math.Max(maxWorldAxis, d)
		if d > axisTol {
			t.Errorf("joint %q: world axis %v in the URDF, %v in the MJCF", uj.Name, ua, ma)
		}
		// Anchors in the world, relative to the root body (the MJCF's
		// stands at 0.82 m, the URDF's at the origin).
		up, mp := relToRoot(uW, uj.Body, uj.Pos), relToRoot(mW, mjj.Body, mjj.Pos)
		d = maxAbs(up.Sub(mp))
		maxAnchor = math.Max(maxAnchor, d)
		if d > posTol {
			t.Errorf("joint %q: anchor %v (from the root) in the URDF, %v in the MJCF", uj.Name, up, mp)
		}
		// Limits and effort.
		d = math.Max(math.Abs(uj.Range[0]-mjj.Range[0]), math.Abs(uj.Range[1]-mjj.Range[1]))
		maxRange = math.Max(maxRange, d)
		if uj.Limited != mjj.Limited || d > rangeTol {
			t.Errorf("joint %q: range %v (limited %v) in the URDF, %v (%v) in the MJCF", uj.Name, uj.Range, uj.Limited, mjj.Range, mjj.Limited)
		}
		if uj.EffortLimited != mjj.EffortLimited || uj.EffortRange != mjj.EffortRange {
			t.Errorf("joint %q: effort %v in the URDF, %v in the MJCF", uj.Name, uj.EffortRange, mjj.EffortRange)
		}
		// Same tree: the joint of the nearest moving ancestor.
		if up, mp := parentJoint(u, uj), parentJoint(mj, mjj); up != mp {
			t.Errorf("joint %q: parent joint %q in the URDF, %q in the MJCF", uj.Name, up, mp)
		}
		// The MJCF's motor on this joint has the control range of ours.
		for ai := range mj.Actuators {
			if a := &mj.Actuators[ai]; a.Joint == mi {
				ua := &u.Actuators[u.ActuatorIndex(uj.Name)]
				if ua.CtrlLimited != a.CtrlLimited || ua.CtrlRange != a.CtrlRange || ua.Gear != a.Gear {
					t.Errorf("joint %q: actuator ctrl %v gear %g in the URDF, %q ctrl %v gear %g in the MJCF",
						uj.Name, ua.CtrlRange, ua.Gear, a.Name, a.CtrlRange, a.Gear)
				}
			}
		}
	}
	if hinges != 24 {
		t.Errorf("%d hinge joints in the URDF, want 24", hinges)
	}

	// Bodies, matched by name: the URDF body (fixed links merged) against the
	// MJCF body plus its welded marker bodies moved to the URDF frames.
	var maxMassRel, maxCOM, maxInertiaRel float64
	for ub := 1; ub < len(u.Bodies); ub++ {
		b := &u.Bodies[ub]
		mb := mj.BodyIndex(b.Name)
		if mb < 0 {
			t.Errorf("body %q: not in the MJCF", b.Name)
			continue
		}
		bm := &mj.Bodies[mb]
		group := spatial.InertiaFromCOM(bm.Mass, bm.COM, bm.Inertia)
		for si := range u.Sites {
			s := &u.Sites[si]
			if s.Body != ub {
				continue
			}
			k := mj.BodyIndex(s.Name)
			if k < 0 || mj.Bodies[k].Parent != mb || mj.Bodies[k].JntNum != 0 {
				t.Errorf("merged link %q: no welded child body of that name under %q in the MJCF", s.Name, b.Name)
				continue
			}
			if mjcfAlreadyMerged[b.Name] {
				continue
			}
			c := &mj.Bodies[k]
			x := spatial.TransformFromQuat(s.Quat, s.Pos)
			in := spatial.InertiaFromCOM(c.Mass, c.COM, c.Inertia)
			group = group.Add(in.Transform(&x))
		}
		com := group.COM()
		Ic := group.I.Sub(parallelAxis(group.M, com))

		dm := math.Abs(b.Mass - group.M)
		maxMassRel = math.Max(maxMassRel, dm/b.Mass)
		if dm > massRelTol*b.Mass+1e-9 {
			t.Errorf("body %q: mass %.9g in the URDF, %.9g in the MJCF", b.Name, b.Mass, group.M)
		}
		dc := maxAbs(b.COM.Sub(com))
		maxCOM = math.Max(maxCOM, dc)
		if dc > comTol {
			t.Errorf("body %q: centre of mass %v in the URDF, %v in the MJCF", b.Name, b.COM, com)
		}
		scale := math.Max(math.Abs(b.Inertia[0]), math.Max(math.Abs(b.Inertia[4]), math.Abs(b.Inertia[8])))
		di := 0.0
		for i := range Ic {
			di = math.Max(di, math.Abs(b.Inertia[i]-Ic[i]))
		}
		maxInertiaRel = math.Max(maxInertiaRel, di/scale)
		if di > inertiaTol*scale {
			t.Errorf("body %q: inertia about the COM\n%v in the URDF,\n%v in the MJCF", b.Name, b.Inertia, Ic)
		}
	}
	// Total mass: the URDF's links sum to the MJCF's bodies less the two
	// double-counted elbow markers, to the rounding of 24 six-digit masses.
	dTotal := mj.TotalMass() - mjcfDoubleCounted - u.TotalMass()
	if math.Abs(dTotal) > 1e-4 {
		t.Errorf("total mass %.9g in the URDF, %.9g in the MJCF (less %g double-counted): differ by %.3g",
			u.TotalMass(), mj.TotalMass(), mjcfDoubleCounted, dTotal)
	}
	t.Logf("24 joints: max axis difference %.2g (body frame), %.2g (world); anchors %.2g m; ranges %.2g",
		maxAxis, maxWorldAxis, maxAnchor, maxRange)
	t.Logf("%d bodies: max relative mass difference %.2g, COM %.2g m, relative inertia %.2g",
		len(u.Bodies)-1, maxMassRel, maxCOM, maxInertiaRel)
	t.Logf("total mass: URDF %.8f kg, MJCF %.8f kg (%.8f less the double-counted 2 g; difference %.2g)",
		u.TotalMass(), mj.TotalMass(), mj.TotalMass()-mjcfDoubleCounted, dTotal)
}

// worldPoses composes the bodies' poses at the reference configuration.
func worldPoses(m *rbd.Model) []spatial.Transform {
	x := make([]spatial.Transform, len(m.Bodies))
	x[0] = spatial.IdentityTransform()
	for b := 1; b < len(m.Bodies); b++ {
		x[b] = x[m.Bodies[b].Parent].Mul(&m.BodyX0[b])
	}
	return x
}

// relToRoot returns the point p of body b in the world frame of the root
// body (body 1) at the reference configuration.
func relToRoot(x []spatial.Transform, b int, p spatial.Vec3) spatial.Vec3 {
	return x[1].InvPoint(x[b].Point(p))
}

// parentJoint names the joint of the nearest moving ancestor of j's body;
// free joints (unnamed in the MJCF) are all "(free)".
func parentJoint(m *rbd.Model, j *rbd.Joint) string {
	d := m.DofParent[j.DofAdr]
	if d < 0 {
		return ""
	}
	if p := &m.Joints[m.DofJoint[d]]; p.Type != rbd.JointFree {
		return p.Name
	}
	return "(free)"
}

func maxAbs(v spatial.Vec3) float64 {
	return math.Max(math.Abs(v[0]), math.Max(math.Abs(v[1]), math.Abs(v[2])))
}

// parallelAxis returns m(|c|²·1 − c cᵀ).
func parallelAxis(m float64, c spatial.Vec3) spatial.Mat3 {
	cc := c.Dot(c)
	return spatial.Mat3{
		m * (cc - c[0]*c[0]), -m * c[0] * c[1], -m * c[0] * c[2],
		-m * c[1] * c[0], m * (cc - c[1]*c[1]), -m * c[1] * c[2],
		-m * c[2] * c[0], -m * c[2] * c[1], m * (cc - c[2]*c[2]),
	}
}
