package mjcf

import (
	"fmt"

	"github.com/stride-robotics/stride/sim/rbd"
)

// actuatorSpec is MJCF's general actuator, which the motor, position and
// velocity shortcuts configure. A default class has a single one: each
// shortcut in a class resets the gain and bias it implies, as in MuJoCo.
type actuatorSpec struct {
	gain, bias                  [10]float64
	gaintype, biastype, dyntype string
	ctrlRange, forceRange       [2]float64
	ctrlLimited, forceLimited   tristate
	gear                        [6]float64
	inheritRange                float64
	dampratio                   bool // biasprm[2] holds a damping ratio (not supported)
}

func defaultActuatorSpec() actuatorSpec {
	s := actuatorSpec{gaintype: "fixed", biastype: "none", dyntype: "none"}
	s.gain[0] = 1
	s.gear[0] = 1
	return s
}

var actuatorKinds = map[string]rbd.ActuatorKind{
	"motor": rbd.ActMotor, "position": rbd.ActPosition, "velocity": rbd.ActVelocity, "general": rbd.ActGeneral,
}

// applyActuator reads a motor, position, velocity or general element into s.
func applyActuator(s *actuatorSpec, e *element) error {
	r := reader(e)
	r.pair("ctrlrange", &s.ctrlRange)
	r.pair("forcerange", &s.forceRange)
	r.tri("ctrllimited", &s.ctrlLimited)
	r.tri("forcelimited", &s.forceLimited)
	r.floats("gear", s.gear[:], 1)
	switch e.name {
	case "general":
		r.floats("gainprm", s.gain[:], 1)
		r.floats("biasprm", s.bias[:], 1)
		r.keyword("gaintype", &s.gaintype, "fixed", "affine", "muscle", "user")
		r.keyword("biastype", &s.biastype, "none", "affine", "muscle", "user")
		r.keyword("dyntype", &s.dyntype, "none", "integrator", "filter", "filterexact", "muscle", "user")
	case "motor":
		s.gain[0] = 1
		s.gaintype, s.biastype, s.dyntype = "fixed", "none", "none"
	case "position":
		return applyPosition(s, r)
	case "velocity":
		kv := s.gain[0]
		r.float("kv", &kv)
		s.bias = [10]float64{}
		s.gain[0], s.bias[2] = kv, -kv
		s.gaintype, s.biastype, s.dyntype, s.dampratio = "fixed", "affine", "none", false
	}
	return r.err
}

// applyPosition reads the position servo's kp, kv, dampratio, timeconst and
// inheritrange; kp defaults to the class's gain, kv to its bias.
func applyPosition(s *actuatorSpec, r *attrReader) error {
	kp := s.gain[0]
	r.float("kp", &kp)
	var kv, dr, tc float64
	hasKV := r.float("kv", &kv)
	hasDR := r.float("dampratio", &dr)
	hasTC := r.float("timeconst", &tc)
	r.float("inheritrange", &s.inheritRange)
	if r.err != nil {
		return r.err
	}
	switch {
	case hasKV && hasDR:
		return errorf(r.e, "kv and dampratio cannot both be given")
	case hasKV && kv < 0:
		return attrErrorf(r.e, "kv", "%g must be non-negative", kv)
	case hasDR && dr < 0:
		return attrErrorf(r.e, "dampratio", "%g must be non-negative", dr)
	case hasTC && tc < 0:
		return attrErrorf(r.e, "timeconst", "%g must be non-negative", tc)
	}
	if hasKV {
		s.bias[2], s.dampratio = -kv, false
	}
	if hasDR {
		s.bias[2], s.dampratio = dr, true
	}
	if hasTC {
		s.dyntype = "none"
		if tc > 0 {
			s.dyntype = "filterexact"
		}
	}
	s.gain[0], s.bias[1] = kp, -kp
	s.gaintype, s.biastype = "fixed", "affine"
	return nil
}

// buildActuators reads an <actuator> section.
func (l *loader) buildActuators(sec *element) error {
	for _, e := range sec.children {
		if _, ok := actuatorKinds[e.name]; !ok {
			l.skipActuator(e, fmt.Sprintf("<%s> actuators are not supported", e.name))
			continue
		}
		if err := l.addActuator(e); err != nil {
			return err
		}
	}
	return nil
}

// skipActuator records an actuator that is left out, for the warning and for
// trimming keyframe controls.
func (l *loader) skipActuator(e *element, reason string) {
	l.actKept = append(l.actKept, false)
	if n, ok := l.skipped[reason]; ok {
		n.count++
		return
	}
	l.skipped[reason] = &skipNote{count: 1, first: e}
	l.skipOrder = append(l.skipOrder, reason)
}

type skipNote struct {
	count int
	first *element
}

// addActuator builds one motor, position, velocity or general actuator.
func (l *loader) addActuator(e *element) error {
	cls, err := l.defs.active(e, l.defs.main)
	if err != nil {
		return err
	}
	s := cls.actuator
	if err := applyActuator(&s, e); err != nil {
		return err
	}
	for _, t := range []string{"tendon", "site", "body", "cranksite", "slidersite"} {
		if e.has(t) {
			l.skipActuator(e, t+" transmissions are not supported")
			return nil
		}
	}
	jname, ok := e.attr("joint")
	if !ok {
		jname, ok = e.attr("jointinparent")
	}
	if !ok {
		return errorf(e, "no transmission: give joint=\"…\"")
	}
	ji, ok := l.jointIndex[jname]
	if !ok {
		return attrErrorf(e, "joint", "unknown joint %q", jname)
	}
	j := &l.m.Joints[ji]
	if j.Type != rbd.JointHinge && j.Type != rbd.JointSlide {
		l.skipActuator(e, "actuators on ball and free joints are not supported")
		return nil
	}
	a, err := l.actuator(e, &s, j)
	if err != nil {
		return err
	}
	a.Joint = ji
	if err := l.names.add("actuator", e, a.Name); err != nil {
		return err
	}
	l.m.Actuators = append(l.m.Actuators, a)
	l.actKept = append(l.actKept, true)
	return nil
}

// actuator checks the spec and converts it to Stride's affine actuator.
func (l *loader) actuator(e *element, s *actuatorSpec, j *rbd.Joint) (rbd.Actuator, error) {
	a := rbd.Actuator{Kind: actuatorKinds[e.name], Gear: s.gear[0], Gain: s.gain[0]}
	a.Name, _ = e.attr("name")
	switch {
	case s.gaintype != "fixed":
		return a, errorf(e, "gaintype %q is not supported (only fixed)", s.gaintype)
	case s.biastype != "none" && s.biastype != "affine":
		return a, errorf(e, "biastype %q is not supported (only none or affine)", s.biastype)
	case s.dyntype != "none":
		return a, errorf(e, "dyntype %q is not supported (only none; a position timeconst implies filterexact)", s.dyntype)
	case s.dampratio:
		return a, errorf(e, "dampratio is not supported (it needs the joint-space inertia); give kv")
	}
	if s.biastype == "affine" {
		a.Bias = [3]float64{s.bias[0], s.bias[1], s.bias[2]}
	}
	var err error
	if a.CtrlLimited, err = l.limited(e, s.ctrlLimited, s.ctrlRange, "ctrl"); err != nil {
		return a, err
	}
	if a.ForceLimited, err = l.limited(e, s.forceLimited, s.forceRange, "force"); err != nil {
		return a, err
	}
	a.CtrlRange, a.ForceRange = s.ctrlRange, s.forceRange
	if s.inheritRange > 0 {
		if err := inheritRange(e, &a, s, j); err != nil {
			return a, err
		}
	}
	if a.CtrlLimited && !(a.CtrlRange[0] < a.CtrlRange[1]) {
		return a, attrErrorf(e, "ctrlrange", "[%g, %g] must have lo < hi", a.CtrlRange[0], a.CtrlRange[1])
	}
	if a.ForceLimited && !(a.ForceRange[0] <= a.ForceRange[1]) {
		return a, attrErrorf(e, "forcerange", "[%g, %g] must have lo <= hi", a.ForceRange[0], a.ForceRange[1])
	}
	return a, nil
}

// inheritRange sets a position servo's control range from its joint's range,
// scaled about its centre.
func inheritRange(e *element, a *rbd.Actuator, s *actuatorSpec, j *rbd.Joint) error {
	if e.name != "position" {
		return nil
	}
	if s.ctrlRange != [2]float64{} {
		return errorf(e, "ctrlrange and inheritrange cannot both be given")
	}
	if !j.Limited {
		return errorf(e, "inheritrange needs a limited joint; %q has no range", j.Name)
	}
	mid, half := (j.Range[0]+j.Range[1])/2, (j.Range[1]-j.Range[0])/2*s.inheritRange
	a.CtrlLimited, a.CtrlRange = true, [2]float64{mid - half, mid + half}
	return nil
}

// limited resolves a [false, true, auto] *limited attribute against its
// range: auto means "limited when a range is given" under autolimits, and a
// range without limited is an error otherwise (MuJoCo's rule). kind names
// the pair in messages: "ctrl" for ctrllimited and ctrlrange.
func (l *loader) limited(e *element, t tristate, rng [2]float64, kind string) (bool, error) {
	hasRange := rng[0] != 0 || rng[1] != 0
	switch t {
	case triTrue:
		return true, nil
	case triFalse:
		return false, nil
	}
	if hasRange && !l.opts.autolimits {
		return false, errorf(e, "%srange is given but %slimited is not, and compiler autolimits is false", kind, kind)
	}
	return hasRange, nil
}
