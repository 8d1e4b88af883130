package viewer

import (
	"fmt"
	"math"

	"github.com/stride-robotics/stride/sim/spatial"
)

// Preset is a named camera view.
type Preset int

// Camera presets. Views are along world axes: the robot's home heading is +x,
// so Side looks at its right side (x to the right on screen), Front at its
// face, Top straight down; ThreeQuarter is the default, from the front right
// and a little above.
const (
	ThreeQuarter Preset = iota
	Side
	Front
	Top
)

var presetNames = [...]string{"follow", "side", "front", "top"}

func (p Preset) String() string {
	if p >= 0 && int(p) < len(presetNames) {
		return presetNames[p]
	}
	return fmt.Sprintf("Preset(%d)", int(p))
}

// ParsePreset reads a preset name: follow (the three-quarter view), side,
// front or top.
func ParsePreset(s string) (Preset, error) {
	for i, n := range presetNames {
		if s == n {
			return Preset(i), nil
		}
	}
	return 0, fmt.Errorf("camera %q: want follow, side, front or top", s)
}

// Camera is an orbit camera: it looks at Target from Distance away, from the
// direction given by Azimuth (about world z, from +x) and Elevation (above the
// horizontal). When Follow is set the target moves with the robot: each frame
// it is the robot's base position plus Offset (what panning adds).
type Camera struct {
	Target    spatial.Vec3 // m, world
	Offset    spatial.Vec3 // m, added to the followed point
	Distance  float64      // m
	Azimuth   float64      // rad
	Elevation float64      // rad
	FovY      float64      // rad, vertical field of view
	Follow    bool
}

// Camera limits.
const (
	minDistance  = 0.3
	maxDistance  = 60
	minElevation = -10 * math.Pi / 180
	maxElevation = 89.5 * math.Pi / 180
)

// NewCamera returns a following camera in preset p.
func NewCamera(p Preset) Camera {
	c := Camera{FovY: 45 * math.Pi / 180, Follow: true}
	c.SetPreset(p)
	return c
}

// SetPreset moves the camera to preset p, clears the pan offset and turns
// following back on.
func (c *Camera) SetPreset(p Preset) {
	c.Follow, c.Offset = true, spatial.Vec3{}
	switch p {
	case Side:
		c.Azimuth, c.Elevation, c.Distance = -math.Pi/2, 4*math.Pi/180, 3.2
	case Front:
		c.Azimuth, c.Elevation, c.Distance = 0, 4*math.Pi/180, 3.2
	case Top:
		c.Azimuth, c.Elevation, c.Distance = -math.Pi/2, maxElevation, 3.6
	default:
		c.Azimuth, c.Elevation, c.Distance = -50*math.Pi/180, 12*math.Pi/180, 2.8
	}
}

// Track moves a following camera's target to p plus the pan offset.
func (c *Camera) Track(p spatial.Vec3) {
	if c.Follow {
		c.Target = p.Add(c.Offset)
	}
}

// ToggleFollow switches between following the robot and a free camera that
// stays where it is.
func (c *Camera) ToggleFollow() {
	c.Follow = !c.Follow
	c.Offset = spatial.Vec3{}
}

// Eye returns the camera position.
func (c *Camera) Eye() spatial.Vec3 {
	ce, se := math.Cos(c.Elevation), math.Sin(c.Elevation)
	ca, sa := math.Cos(c.Azimuth), math.Sin(c.Azimuth)
	return c.Target.Add(spatial.Vec3{ce * ca, ce * sa, se}.Scale(c.Distance))
}

// Orbit turns the camera about the target by the given angles (rad).
func (c *Camera) Orbit(dAzimuth, dElevation float64) {
	c.Azimuth = math.Remainder(c.Azimuth+dAzimuth, 2*math.Pi)
	c.Elevation = math.Max(minElevation, math.Min(maxElevation, c.Elevation+dElevation))
}

// Pan moves the target across the view by (dx, dy) in units of the distance
// to the target (right and up on screen).
func (c *Camera) Pan(dx, dy float64) {
	right, up := c.axes()
	d := right.Scale(dx * c.Distance).Add(up.Scale(dy * c.Distance))
	c.Target = c.Target.Add(d)
	if c.Follow {
		c.Offset = c.Offset.Add(d)
	}
}

// Zoom scales the distance by factor (< 1 moves closer).
func (c *Camera) Zoom(factor float64) {
	if factor > 0 && !math.IsInf(factor, 0) {
		c.Distance = math.Max(minDistance, math.Min(maxDistance, c.Distance*factor))
	}
}

// Forward returns the horizontal unit direction the camera looks along.
func (c *Camera) Forward() spatial.Vec3 {
	return spatial.Vec3{-math.Cos(c.Azimuth), -math.Sin(c.Azimuth), 0}
}

// axes returns the screen's right and up directions in the world.
func (c *Camera) axes() (spatial.Vec3, spatial.Vec3) {
	f := c.Target.Sub(c.Eye()).Normalize()
	right := f.Cross(spatial.Vec3{0, 0, 1}).Normalize()
	return right, right.Cross(f)
}

// View returns the view matrix.
func (c *Camera) View() mat4 { return lookAt(c.Eye(), c.Target, spatial.Vec3{0, 0, 1}) }

// Projection returns the projection matrix for a viewport of the given aspect
// ratio (width/height).
func (c *Camera) Projection(aspect float64) mat4 {
	return perspective(c.FovY, aspect, 0.03*math.Max(1, c.Distance/3), 300)
}

// ViewProjection returns Projection·View.
func (c *Camera) ViewProjection(aspect float64) mat4 {
	p, v := c.Projection(aspect), c.View()
	return p.mul(&v)
}

// ToPixel maps a world point to pixel coordinates (x right, y down, origin at
// the top-left corner) in a w×h image, and reports whether it is in front of
// the camera.
func (c *Camera) ToPixel(p spatial.Vec3, w, h int) (x, y float64, ok bool) {
	vp := c.ViewProjection(float64(w) / float64(h))
	n, cw := vp.project(p)
	if cw <= 0 {
		return 0, 0, false
	}
	return (n[0] + 1) / 2 * float64(w), (1 - n[1]) / 2 * float64(h), true
}
