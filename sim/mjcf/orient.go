package mjcf

import (
	"errors"
	"fmt"
	"math"

	"github.com/stride-robotics/stride/sim/spatial"
)

// orientKind says which MJCF attribute gave a frame orientation.
type orientKind uint8

const (
	orientNone orientKind = iota
	orientQuat
	orientAxisAngle
	orientEuler
	orientXYAxes
	orientZAxis
)

var orientAttrs = [...]struct {
	name string
	kind orientKind
	n    int
}{
	{"quat", orientQuat, 4},
	{"axisangle", orientAxisAngle, 4},
	{"euler", orientEuler, 3},
	{"xyaxes", orientXYAxes, 6},
	{"zaxis", orientZAxis, 3},
}

// orientation is a frame orientation as written, converted once the compiler
// settings (angle unit, Euler sequence) are known.
type orientation struct {
	kind orientKind
	attr string
	v    [6]float64
}

// orientation reads at most one of quat, axisangle, euler, xyaxes and zaxis.
// An orientation on the element replaces one inherited from a default class.
func (r *attrReader) orientation(o *orientation) {
	found := ""
	for _, a := range orientAttrs {
		if !r.e.has(a.name) {
			continue
		}
		if found != "" {
			r.fail(a.name, "the frame orientation is already given by %s; use one of quat, axisangle, euler, xyaxes, zaxis", found)
			return
		}
		found = a.name
		var v [6]float64
		if r.floats(a.name, v[:a.n], a.n) {
			*o = orientation{kind: a.kind, attr: a.name, v: v}
		}
	}
}

// quat converts the orientation to a unit quaternion.
func (o *orientation) quat(c *compilerOpts) (spatial.Quat, error) {
	v := o.v
	switch o.kind {
	case orientQuat:
		q := spatial.Quat{W: v[0], X: v[1], Y: v[2], Z: v[3]}
		if q.Norm() < 1e-14 {
			return q, errors.New("quat: zero quaternion")
		}
		return q.Normalize(), nil
	case orientAxisAngle:
		a := spatial.Vec3{v[0], v[1], v[2]}
		if a.Norm() < 1e-14 {
			return spatial.Quat{}, errors.New("axisangle: zero rotation axis")
		}
		return spatial.QuatFromAxisAngle(a.Normalize(), c.angle(v[3])), nil
	case orientEuler:
		return eulerQuat([3]float64{c.angle(v[0]), c.angle(v[1]), c.angle(v[2])}, c.eulerseq), nil
	case orientXYAxes:
		q, err := xyAxesQuat(spatial.Vec3{v[0], v[1], v[2]}, spatial.Vec3{v[3], v[4], v[5]})
		if err != nil {
			return q, fmt.Errorf("xyaxes: %w", err)
		}
		return q, nil
	case orientZAxis:
		z := spatial.Vec3{v[0], v[1], v[2]}
		if z.Norm() < 1e-14 {
			return spatial.Quat{}, errors.New("zaxis: zero vector")
		}
		return zAxisQuat(z), nil
	}
	return spatial.IdentityQuat(), nil
}

// eulerQuat composes three axis rotations as MJCF does: a lowercase axis
// letter rotates about the moving (intrinsic) axis, so it multiplies on the
// right; an uppercase letter rotates about the fixed (extrinsic) axis, so it
// multiplies on the left. "xyz" gives Rx·Ry·Rz and "XYZ" gives Rz·Ry·Rx (URDF's
// roll-pitch-yaw).
func eulerQuat(angles [3]float64, seq string) spatial.Quat {
	q := spatial.IdentityQuat()
	for i := 0; i < 3 && i < len(seq); i++ {
		var axis spatial.Vec3
		switch seq[i] {
		case 'x', 'X':
			axis = spatial.Vec3{1, 0, 0}
		case 'y', 'Y':
			axis = spatial.Vec3{0, 1, 0}
		default:
			axis = spatial.Vec3{0, 0, 1}
		}
		r := spatial.QuatFromAxisAngle(axis, angles[i])
		if seq[i] >= 'a' {
			q = q.Mul(r)
		} else {
			q = r.Mul(q)
		}
	}
	return q
}

// xyAxesQuat returns the frame whose x axis is along x and whose y axis is y
// made orthogonal to x.
func xyAxesQuat(x, y spatial.Vec3) (spatial.Quat, error) {
	if x.Norm() < 1e-14 {
		return spatial.Quat{}, errors.New("zero x axis")
	}
	x = x.Normalize()
	y = y.Sub(x.Scale(x.Dot(y)))
	if y.Norm() < 1e-14 {
		return spatial.Quat{}, errors.New("y axis is zero or parallel to x")
	}
	y = y.Normalize()
	z := x.Cross(y)
	m := spatial.Mat3{x[0], y[0], z[0], x[1], y[1], z[1], x[2], y[2], z[2]}
	return spatial.QuatFromMat3(m), nil
}

// zAxisQuat returns the smallest rotation taking (0, 0, 1) onto z (non-zero).
func zAxisQuat(z spatial.Vec3) spatial.Quat {
	z = z.Normalize()
	axis := spatial.Vec3{-z[1], z[0], 0} // (0, 0, 1) × z
	s := axis.Norm()
	if s < 1e-10 {
		if z[2] > 0 {
			return spatial.IdentityQuat()
		}
		return spatial.Quat{X: 1} // half turn about x
	}
	return spatial.QuatFromAxisAngle(axis.Scale(1/s), math.Atan2(s, z[2]))
}

// pose is a frame's placement in its parent: origin and orientation.
type pose struct {
	pos  spatial.Vec3
	quat spatial.Quat
}

func identityPose() pose { return pose{quat: spatial.IdentityQuat()} }

// mul returns the composition a∘b: b's frame, given in a's frame, expressed
// in a's parent.
func (a pose) mul(b pose) pose {
	return pose{pos: a.pos.Add(a.quat.Rotate(b.pos)), quat: a.quat.Mul(b.quat).Normalize()}
}

// fromto returns the frame of a segment from p to q and its half length. The
// origin is the midpoint and the z axis points from q to p: MuJoCo's compiler
// does so (its manual says p to q), and the shapes that accept fromto are
// symmetric, so only the frame's quaternion shows the difference.
func fromto(v [6]float64) (pose, float64, error) {
	p := spatial.Vec3{v[0], v[1], v[2]}
	q := spatial.Vec3{v[3], v[4], v[5]}
	d := p.Sub(q)
	if d.Norm() < 1e-14 {
		return pose{}, 0, errors.New("fromto: the two points coincide")
	}
	return pose{pos: p.Add(q).Scale(0.5), quat: zAxisQuat(d)}, d.Norm() / 2, nil
}
