package mjcf

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/stride-robotics/stride/sim/spatial"
)

// compilerOpts holds the <compiler> settings that affect loading.
type compilerOpts struct {
	degree          bool   // angles in degrees (MJCF's default)
	eulerseq        string // Euler sequence, e.g. "xyz"
	meshdir         string
	autolimits      bool
	inertiaFromGeom tristate // triAuto: only for bodies without <inertial>
	groupRange      [2]int   // geom groups used for inertia inference
	boundMass       float64
	boundInertia    float64
	balanceInertia  bool
	setTotalMass    float64
	stripPath       bool
}

func defaultCompiler() compilerOpts {
	return compilerOpts{degree: true, eulerseq: "xyz", autolimits: true, groupRange: [2]int{0, 5}, setTotalMass: -1}
}

// angle converts an angle from the file's unit to radians.
func (c *compilerOpts) angle(x float64) float64 {
	if c.degree {
		return x * math.Pi / 180
	}
	return x
}

// applyCompiler reads one <compiler> element; later elements override earlier
// ones attribute by attribute.
func (l *loader) applyCompiler(e *element) error {
	c := &l.opts
	r := reader(e)
	var angle string
	if r.keyword("angle", &angle, "radian", "degree") {
		c.degree = angle == "degree"
	}
	if r.str("eulerseq", &c.eulerseq) && !validEulerSeq(c.eulerseq) {
		return attrErrorf(e, "eulerseq", "%q must be 3 letters from x, y, z (intrinsic) or X, Y, Z (extrinsic)", c.eulerseq)
	}
	var assetdir string
	if r.str("assetdir", &assetdir) && !e.has("meshdir") {
		c.meshdir = assetdir
	}
	r.str("meshdir", &c.meshdir)
	r.boolean("autolimits", &c.autolimits)
	r.tri("inertiafromgeom", &c.inertiaFromGeom)
	var gr [2]int
	if r.ints("inertiagrouprange", gr[:]) {
		c.groupRange = gr
	}
	r.float("boundmass", &c.boundMass)
	r.float("boundinertia", &c.boundInertia)
	r.boolean("balanceinertia", &c.balanceInertia)
	r.float("settotalmass", &c.setTotalMass)
	r.boolean("strippath", &c.stripPath)
	var ignored, alignfree bool
	r.boolean("discardvisual", &ignored)
	if r.boolean("alignfree", &alignfree) && alignfree {
		l.warn("mjcf: compiler alignfree is not supported; free bodies keep the frames the file gives them")
	}
	var coord string
	if r.keyword("coordinate", &coord, "local", "global") && coord == "global" {
		return attrErrorf(e, "coordinate", `"global" is not supported (MuJoCo dropped it too); use local coordinates`)
	}
	return r.err
}

func validEulerSeq(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if !strings.ContainsRune("xyzXYZ", rune(s[i])) {
			return false
		}
	}
	return true
}

// applyOption reads one <option> element: the timestep and gravity; a
// <flag gravity="disable"/> zeroes gravity. The solver settings have no
// counterpart in Stride and are ignored.
func (l *loader) applyOption(e *element) error {
	r := reader(e)
	if r.float("timestep", &l.m.Timestep) && !(l.m.Timestep > 0) {
		return attrErrorf(e, "timestep", "%g must be positive", l.m.Timestep)
	}
	var g spatial.Vec3
	if r.vec3("gravity", &g) {
		l.gravity = g
	}
	if r.err != nil {
		return r.err
	}
	for _, c := range e.children {
		if c.name != "flag" {
			l.warnElement(c, "")
			continue
		}
		if err := l.applyFlag(c); err != nil {
			return err
		}
	}
	return nil
}

// flagsOffByDefault lists the <option><flag> attributes whose default is
// "disable"; all others default to "enable".
var flagsOffByDefault = map[string]bool{
	"override": true, "energy": true, "fwdinv": true, "invdiscrete": true,
	"multiccd": true, "sleep": true, "diagexact": true, "ipc": true,
}

// applyFlag honours flag gravity and warns about the other flags that differ
// from their defaults.
func (l *loader) applyFlag(e *element) error {
	var unsupported []string
	for _, a := range e.attrs {
		v := strings.TrimSpace(a.value)
		if v != "enable" && v != "disable" {
			return attrErrorf(e, a.name, "unknown value %q (want enable or disable)", v)
		}
		if a.name == "gravity" {
			l.gravityOff = v == "disable"
			continue
		}
		if (v == "enable") != flagsOffByDefault[a.name] {
			continue // the default; nothing changes
		}
		unsupported = append(unsupported, a.name+"="+v)
	}
	if len(unsupported) > 0 {
		sort.Strings(unsupported)
		l.warn(fmt.Sprintf("mjcf: %s:%d: <option><flag> %s: not supported and ignored", e.file, e.line, strings.Join(unsupported, " ")))
	}
	return nil
}
