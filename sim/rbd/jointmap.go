package rbd

import (
	"fmt"
	"math"
	"strings"
)

// JointMap ties a robot's joints, in the robot's own order (hal's joint
// order), to the model's coordinates: for robot joint i, Joint[i] is the
// model joint, QAdr[i] its index in qpos, DofAdr[i] its index in qvel (and in
// every per-dof vector), Actuator[i] the actuator that drives it (−1: none).
// Every robot joint is a hinge or slide joint: one coordinate, one dof.
//
// It is built once, by name (NewJointMap), or in the model's actuator order
// (ActuatorJointMap), and read by everything that moves values between the
// robot's joint order and the model's: the simulated robot and its sensors,
// log replay, the estimator and the whole-body controller. It is read-only
// once built.
type JointMap struct {
	Model    *Model
	Names    []string // robot joint names, in robot order
	Joint    []int    // model joint index of robot joint i
	QAdr     []int    // qpos index of robot joint i
	DofAdr   []int    // qvel index of robot joint i
	Actuator []int    // model actuator driving robot joint i, or −1
}

// NewJointMap maps the robot joints named by names (in the robot's order)
// to model m's joints. Every name must be a hinge or slide joint of m, named
// once; every joint of m that an actuator drives must be among names. The
// error names each joint missing from the model, duplicated, of the wrong
// type, or driven in the model but absent from names.
func NewJointMap(m *Model, names []string) (*JointMap, error) {
	if m == nil {
		return nil, fmt.Errorf("rbd: joint map: no model")
	}
	byName := make(map[string]int, len(m.Joints))
	for i := range m.Joints {
		byName[m.Joints[i].Name] = i
	}
	actuator := m.jointActuators()
	jm := &JointMap{Model: m}
	seen := make(map[string]bool, len(names))
	var missing, dup, wrong, extra []string
	for _, name := range names {
		j, ok := byName[name]
		switch {
		case !ok:
			missing = append(missing, fmt.Sprintf("%q", name))
			continue
		case seen[name]:
			dup = append(dup, fmt.Sprintf("%q", name))
			continue
		case m.Joints[j].Type != JointHinge && m.Joints[j].Type != JointSlide:
			wrong = append(wrong, fmt.Sprintf("%q (%s)", name, m.Joints[j].Type))
			continue
		}
		seen[name] = true
		jm.add(m, j, actuator[j])
		jm.Names[len(jm.Names)-1] = name
	}
	for i := range m.Actuators {
		if name := m.Joints[m.Actuators[i].Joint].Name; !seen[name] {
			extra = append(extra, fmt.Sprintf("%q (actuator %q)", name, m.Actuators[i].Name))
			seen[name] = true // name it once
		}
	}
	var errs []string
	if len(missing) > 0 {
		errs = append(errs, "not joints of the model: "+strings.Join(missing, ", "))
	}
	if len(dup) > 0 {
		errs = append(errs, "named twice: "+strings.Join(dup, ", "))
	}
	if len(wrong) > 0 {
		errs = append(errs, "not hinge or slide joints: "+strings.Join(wrong, ", "))
	}
	if len(extra) > 0 {
		errs = append(errs, "driven in the model but not among the robot's joints: "+strings.Join(extra, ", "))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("rbd: joint map of %d joints onto model %q: %s", len(names), m.Name, strings.Join(errs, "; "))
	}
	return jm, nil
}

// ActuatorJointMap maps robot joint i to the joint actuator i of m drives:
// the joint order of a simulated robot, whose joints are the model's
// actuators. It cannot fail: Finalize has checked that every actuator drives
// a hinge or slide joint. (A joint driven by two actuators appears twice.)
func ActuatorJointMap(m *Model) *JointMap {
	jm := &JointMap{Model: m}
	for i := range m.Actuators {
		jm.add(m, m.Actuators[i].Joint, i)
	}
	return jm
}

// ActuatedJointNames returns the names of the joints m's actuators drive, in
// actuator order.
func ActuatedJointNames(m *Model) []string {
	names := make([]string, len(m.Actuators))
	for i := range m.Actuators {
		names[i] = m.Joints[m.Actuators[i].Joint].Name
	}
	return names
}

// jointActuators returns, for each joint of m, the first actuator driving it
// (−1: none).
func (m *Model) jointActuators() []int {
	a := make([]int, len(m.Joints))
	for i := range a {
		a[i] = -1
	}
	for i := len(m.Actuators) - 1; i >= 0; i-- {
		a[m.Actuators[i].Joint] = i
	}
	return a
}

func (jm *JointMap) add(m *Model, joint, actuator int) {
	j := &m.Joints[joint]
	jm.Names = append(jm.Names, j.Name)
	jm.Joint = append(jm.Joint, joint)
	jm.QAdr = append(jm.QAdr, j.QAdr)
	jm.DofAdr = append(jm.DofAdr, j.DofAdr)
	jm.Actuator = append(jm.Actuator, actuator)
}

// Len returns the number of robot joints.
func (jm *JointMap) Len() int { return len(jm.Joint) }

// Positions writes robot joint i's coordinate qpos[QAdr[i]] to dst[i].
func (jm *JointMap) Positions(dst, qpos []float64) {
	for i, a := range jm.QAdr {
		dst[i] = qpos[a]
	}
}

// Velocities writes robot joint i's velocity qvel[DofAdr[i]] to dst[i]; it
// serves every per-dof vector (qacc, forces).
func (jm *JointMap) Velocities(dst, qvel []float64) {
	for i, a := range jm.DofAdr {
		dst[i] = qvel[a]
	}
}

// SetPositions writes robot joint coordinates q (robot order) into qpos,
// leaving every other coordinate as it is.
func (jm *JointMap) SetPositions(qpos, q []float64) {
	for i, a := range jm.QAdr {
		qpos[a] = q[i]
	}
}

// Home returns the pose a robot stands in, in robot joint order: the model's
// keyframe named "home" (else its first keyframe, else its reference pose
// qpos0), each joint clamped to its range.
func (jm *JointMap) Home() []float64 {
	qpos := jm.Model.HomeQpos()
	home := make([]float64, jm.Len())
	for i, ji := range jm.Joint {
		j := &jm.Model.Joints[ji]
		q := qpos[j.QAdr]
		if j.Limited {
			q = math.Min(math.Max(q, j.Range[0]), j.Range[1])
		}
		home[i] = q
	}
	return home
}

// HomeQpos returns the model's home configuration: the qpos of the keyframe
// named "home", else of the first keyframe, else qpos0. The slice is the
// model's own: do not modify it.
func (m *Model) HomeQpos() []float64 {
	for i := range m.Keyframes {
		if m.Keyframes[i].Name == "home" && m.Keyframes[i].Qpos != nil {
			return m.Keyframes[i].Qpos
		}
	}
	if len(m.Keyframes) > 0 && m.Keyframes[0].Qpos != nil {
		return m.Keyframes[0].Qpos
	}
	return m.Qpos0
}
