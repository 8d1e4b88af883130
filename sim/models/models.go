package models

import (
	"bytes"
	"embed"
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/stride-robotics/stride/sim/mjcf"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/urdf"
)

// BuiltinName is the name of the built-in robot: its MJCF model name, and a
// name Load accepts besides "" and "builtin".
const BuiltinName = "stride-pm01"

// builtinFile is the embedded MJCF file's name (errors and exports use it).
const builtinFile = "stride_pm01.xml"

// VelocityLimitNumeric is the MJCF <custom><numeric> name whose data give
// each actuator's joint velocity limit (rad/s or m/s, 0 for none) in actuator
// order. MuJoCo ignores it; Load applies it.
const VelocityLimitNumeric = "stride_velocity_limit"

//go:embed stride_pm01.xml
var files embed.FS

// BuiltinMJCF returns a copy of the built-in robot's MJCF text, as embedded.
// It loads unchanged in MuJoCo 2.2.2 and later.
func BuiltinMJCF() []byte {
	b, err := files.ReadFile(builtinFile)
	if err != nil {
		panic("models: embedded " + builtinFile + " missing: " + err.Error())
	}
	return bytes.Clone(b)
}

// Builtin returns a fresh copy of the built-in PM01-class robot: the embedded
// MJCF parsed by sim/mjcf, with Stride's limits applied as Load applies them
// to any MJCF file. Callers own the result and may change it.
func Builtin() (*rbd.Model, error) {
	m, err := mjcf.Load(files, builtinFile)
	if err != nil {
		return nil, fmt.Errorf("models: built-in robot: %w", err)
	}
	if err := ApplyLimits(m); err != nil {
		return nil, fmt.Errorf("models: built-in robot: %s: %w", builtinFile, err)
	}
	return m, nil
}

// Load loads a robot model by file name:
//
//   - "", "builtin" or BuiltinName: the built-in robot (Builtin);
//   - *.xml or *.mjcf: an MJCF file (sim/mjcf.LoadFile), then ApplyLimits;
//   - *.urdf: a URDF file with a floating base at the world origin
//     (sim/urdf.LoadFile with urdf.DefaultOptions()).
//
// Extensions are matched without regard to case. Any other name is an error
// that lists what is accepted.
func Load(path string) (*rbd.Model, error) {
	switch path {
	case "", "builtin", BuiltinName:
		return Builtin()
	}
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".xml", ".mjcf":
		m, err := mjcf.LoadFile(path)
		if err != nil {
			return nil, err
		}
		if err := ApplyLimits(m); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return m, nil
	case ".urdf":
		return urdf.LoadFile(path, urdf.DefaultOptions())
	case "":
		return nil, fmt.Errorf("models: %q has no file extension: want an MJCF (.xml) or URDF (.urdf) file, or %q for the built-in robot", path, "builtin")
	default:
		return nil, fmt.Errorf("models: %q: unknown model file type %q: want an MJCF (.xml) or URDF (.urdf) file, or %q for the built-in robot", path, ext, "builtin")
	}
}

// ApplyLimits applies to a model loaded from MJCF the joint limits that MJCF
// (as read by MuJoCo 2.2.2) has no attribute for:
//
//   - velocity: when m.Numeric[VelocityLimitNumeric] exists it must hold one
//     non-negative value per actuator, and each actuator's joint gets that
//     VelocityLimit (0 means none);
//   - effort: a joint without an effort limit of its own (MJCF
//     actuatorfrcrange) that is driven by exactly one actuator, and that
//     actuator force-limited, gets the actuator's force range times its gear
//     as its EffortRange: the torque MuJoCo can apply to the joint.
//
// It changes only Joint.VelocityLimit, EffortLimited and EffortRange, which
// no table of a finalized model depends on.
func ApplyLimits(m *rbd.Model) error {
	if v, ok := m.Numeric[VelocityLimitNumeric]; ok {
		if len(v) != len(m.Actuators) {
			return fmt.Errorf("custom numeric %q has %d values; it needs one per actuator (%d)", VelocityLimitNumeric, len(v), len(m.Actuators))
		}
		for i, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
				return fmt.Errorf("custom numeric %q: value %d (actuator %q) is %g; velocity limits must be finite and non-negative", VelocityLimitNumeric, i+1, m.Actuators[i].Name, x)
			}
		}
		for i, x := range v {
			m.Joints[m.Actuators[i].Joint].VelocityLimit = x
		}
	}
	drivers := make([]int, len(m.Joints)) // actuators per joint
	for i := range m.Actuators {
		drivers[m.Actuators[i].Joint]++
	}
	for i := range m.Actuators {
		a := &m.Actuators[i]
		j := &m.Joints[a.Joint]
		if j.EffortLimited || drivers[a.Joint] != 1 || !a.ForceLimited {
			continue
		}
		lo, hi := a.Gear*a.ForceRange[0], a.Gear*a.ForceRange[1]
		if lo > hi {
			lo, hi = hi, lo
		}
		j.EffortLimited, j.EffortRange = true, [2]float64{lo, hi}
	}
	return nil
}
