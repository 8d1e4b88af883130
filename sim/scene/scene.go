package scene

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
)

// Spec is what a world is built from.
type Spec struct {
	Model      string  // MJCF or URDF file; "" for the built-in robot
	Timestep   float64 // s
	Integrator string  // "euler" (the default) or "rk4"
	Terrain    string  // flat, slope:DEG, stairs:RISE_CM, rough:AMP_CM or model; "" is flat
	// Key is the keyframe to start from; −1 starts from the model's
	// reference pose set on the ground, as does 0 for a model without
	// keyframes.
	Key int
}

// LiftedNote is the note New adds when the start pose went into the terrain
// and the robot was lifted onto it.
const LiftedNote = "the start pose went into the terrain; the robot was lifted onto it"

// New loads the model and builds the world of s, reset to its start pose.
// Notes are what the caller should tell the user: the loader's warnings
// (a mesh file not found, elements ignored), the simulator's warnings about
// the model, and LiftedNote when the start pose was moved.
func New(s Spec) (w *sim.World, notes []string, err error) {
	m, err := models.Load(s.Model)
	if err != nil {
		return nil, nil, err
	}
	return NewWorld(m, s)
}

// NewWorld builds the world of s around a loaded model (s.Model is not
// read).
func NewWorld(m *rbd.Model, s Spec) (w *sim.World, notes []string, err error) {
	opt := sim.DefaultOptions()
	if s.Timestep > 0 {
		opt.Timestep = s.Timestep
	}
	switch s.Integrator {
	case "", "euler":
	case "rk4":
		opt.Integrator = sim.RK4
	default:
		return nil, nil, fmt.Errorf("--integrator %q: want euler or rk4", s.Integrator)
	}
	t, err := ParseTerrain(s.Terrain, m)
	if err != nil {
		return nil, nil, err
	}
	if w, err = sim.NewWorld(m, t, opt); err != nil {
		return nil, nil, err
	}
	notes = append(notes, m.Warnings...)
	notes = append(notes, w.Warnings...)
	key, err := StartKey(m, s.Key)
	if err != nil {
		return nil, nil, err
	}
	if err := w.Reset(key); err != nil {
		return nil, nil, err
	}
	switch {
	case key < 0:
		// no keyframe says where the robot stands: set it on the ground
		w.PlaceOnGround(0.001)
	case w.GroundClearance() < -0.001:
		// the keyframe's stance goes into this terrain (a slope, steps, rough
		// ground): lift the robot out rather than start inside the ground
		w.PlaceOnGround(0.001)
		notes = append(notes, LiftedNote)
	}
	return w, notes, nil
}

// StartKey returns the keyframe sim.World.Reset starts from for the
// requested key: −1 (the reference pose) when key is 0 and the model has no
// keyframes; an error naming --key when the model has no such keyframe.
func StartKey(m *rbd.Model, key int) (int, error) {
	switch {
	case key < -1:
		return 0, fmt.Errorf("--key %d: want a keyframe index 0…%d, or -1 for the model's reference pose", key, len(m.Keyframes)-1)
	case key == 0 && len(m.Keyframes) == 0:
		return -1, nil // the default: the first keyframe, if the model has one
	case key >= len(m.Keyframes):
		return 0, fmt.Errorf("--key %d: model %q has %d keyframes", key, m.Name, len(m.Keyframes))
	}
	return key, nil
}

// ParseTerrain reads a terrain setting: flat (the default for ""),
// slope:DEG (±45°, default 5), stairs:RISE_CM ((0, 40], default 10),
// rough:AMP_CM ([0, 20], default 2) or model (the model's own world geoms).
func ParseTerrain(s string, m *rbd.Model) (*sim.Terrain, error) {
	if s == "" {
		s = "flat"
	}
	kind, arg, hasArg := strings.Cut(s, ":")
	num := func(def float64) (float64, error) {
		if arg == "" {
			if hasArg {
				return 0, fmt.Errorf("--terrain %s: a number must follow the colon", s)
			}
			return def, nil
		}
		v, err := strconv.ParseFloat(arg, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("--terrain %s: %q is not a number", s, arg)
		}
		return v, nil
	}
	switch kind {
	case "flat", "model":
		if hasArg {
			return nil, fmt.Errorf("--terrain %s: %s takes no value (want %q)", s, kind, kind)
		}
		if kind == "model" {
			return sim.TerrainFromModel(m), nil
		}
		return sim.FlatGround(1), nil
	case "slope":
		deg, err := num(5)
		if err != nil || math.Abs(deg) > 45 {
			return nil, fmt.Errorf("--terrain %s: slope must be within ±45 degrees", s)
		}
		return sim.TiltedGround(deg*math.Pi/180, 1), nil
	case "stairs":
		cm, err := num(10)
		if err != nil || cm <= 0 || cm > 40 {
			return nil, fmt.Errorf("--terrain %s: rise must be in (0, 40] cm", s)
		}
		return sim.Stairs(0.5, cm/100, 0.3, 2, 8, 1), nil
	case "rough":
		cm, err := num(2)
		if err != nil || cm < 0 || cm > 20 {
			return nil, fmt.Errorf("--terrain %s: amplitude must be in [0, 20] cm", s)
		}
		return sim.RoughGround(81, 81, 0.1, cm/100, 1, 1), nil
	}
	return nil, fmt.Errorf("--terrain %q: want flat, slope:DEG, stairs:RISE_CM, rough:AMP_CM or model", s)
}
