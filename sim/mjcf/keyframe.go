package mjcf

import "github.com/stride-robotics/stride/sim/rbd"

// maxNumericSize bounds <numeric size="…"> so that a typo cannot allocate
// gigabytes.
const maxNumericSize = 1 << 20

// readKeyframes reads every <keyframe><key>. Controls of actuators that were
// skipped are dropped from ctrl.
func (l *loader) readKeyframes() error {
	nq, nv := 0, 0
	for i := range l.m.Joints {
		nq += l.m.Joints[i].Type.NQ()
		nv += l.m.Joints[i].Type.NV()
	}
	for _, sec := range l.sections("keyframe") {
		for _, e := range sec.children {
			if e.name != "key" {
				l.warnElement(e, "")
				continue
			}
			k, err := l.keyframe(e, nq, nv)
			if err != nil {
				return err
			}
			if err := l.names.add("keyframe", e, k.Name); err != nil {
				return err
			}
			l.m.Keyframes = append(l.m.Keyframes, k)
		}
	}
	return nil
}

func (l *loader) keyframe(e *element, nq, nv int) (rbd.Keyframe, error) {
	var k rbd.Keyframe
	r := reader(e)
	r.str("name", &k.Name)
	r.float("time", &k.Time)
	k.Qpos, _ = r.list("qpos")
	k.Qvel, _ = r.list("qvel")
	k.Ctrl, _ = r.list("ctrl")
	act, _ := r.list("act")
	mpos, _ := r.list("mpos")
	mquat, _ := r.list("mquat")
	if r.err != nil {
		return k, r.err
	}
	if len(act)+len(mpos)+len(mquat) > 0 {
		l.warn("mjcf: keyframe act, mpos and mquat are not supported and were ignored (first " + e.tag() + " at " + loc(e) + ")")
	}
	k.Qpos, k.Qvel, k.Ctrl = nilIfEmpty(k.Qpos), nilIfEmpty(k.Qvel), l.keptControls(nilIfEmpty(k.Ctrl))
	for _, c := range []struct {
		name string
		n    int
		want int
		what string
	}{{"qpos", len(k.Qpos), nq, "nq"}, {"qvel", len(k.Qvel), nv, "nv"}, {"ctrl", len(k.Ctrl), len(l.m.Actuators), "nu"}} {
		if c.n != 0 && c.n != c.want {
			return k, attrErrorf(e, c.name, "has %d numbers, the model has %s = %d", c.n, c.what, c.want)
		}
	}
	return k, nil
}

// keptControls drops the entries of skipped actuators from a control vector
// written for all of the file's actuators.
func (l *loader) keptControls(ctrl []float64) []float64 {
	if len(ctrl) != len(l.actKept) || len(l.actKept) == len(l.m.Actuators) {
		return ctrl
	}
	out := make([]float64, 0, len(l.m.Actuators))
	for i, keep := range l.actKept {
		if keep {
			out = append(out, ctrl[i])
		}
	}
	return out
}

func nilIfEmpty(x []float64) []float64 {
	if len(x) == 0 {
		return nil
	}
	return x
}

// readCustom reads <custom><numeric> into Model.Numeric; text and tuple
// elements are not used.
func (l *loader) readCustom() error {
	for _, sec := range l.sections("custom") {
		for _, e := range sec.children {
			if e.name != "numeric" {
				l.warnElement(e, "(in <custom>) is not supported and was ignored")
				continue
			}
			if err := l.numeric(e); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *loader) numeric(e *element) error {
	r := reader(e)
	var name string
	size := -1
	r.str("name", &name)
	data, hasData := r.list("data")
	r.integer("size", &size)
	switch {
	case r.err != nil:
		return r.err
	case name == "":
		return attrErrorf(e, "name", "missing (a numeric needs one)")
	case size > maxNumericSize:
		return attrErrorf(e, "size", "%d is larger than %d", size, maxNumericSize)
	case size == -1 && !hasData:
		return errorf(e, "give data or size")
	case size < -1 || size == 0:
		return attrErrorf(e, "size", "%d must be positive", size)
	case size > 0 && len(data) > size:
		return errorf(e, "data has %d numbers, more than size %d", len(data), size)
	}
	if size > len(data) {
		data = append(data, make([]float64, size-len(data))...)
	}
	if err := l.names.add("numeric", e, name); err != nil {
		return err
	}
	if data == nil {
		data = []float64{}
	}
	l.m.Numeric[name] = data
	return nil
}
