package viewer

import (
	"math"
	"testing"

	"github.com/stride-robotics/stride/sim/spatial"
)

func TestCameraPresets(t *testing.T) {
	for _, c := range []struct {
		p    Preset
		want spatial.Vec3 // direction from the target to the eye, roughly
	}{
		{Side, spatial.Vec3{0, -1, 0}},
		{Front, spatial.Vec3{1, 0, 0}},
		{Top, spatial.Vec3{0, 0, 1}},
		{ThreeQuarter, spatial.Vec3{0.64, -0.77, 0.2}},
	} {
		cam := NewCamera(c.p)
		cam.Track(spatial.Vec3{1, 2, 0.7})
		d := cam.Eye().Sub(cam.Target).Normalize()
		if d.Dot(c.want.Normalize()) < 0.97 {
			t.Errorf("%v: eye direction %v, want about %v", c.p, d, c.want.Normalize())
		}
		nearVec(t, c.p.String()+" target", cam.Target, spatial.Vec3{1, 2, 0.7}, 0)
		p, err := ParsePreset(c.p.String())
		if err != nil || p != c.p {
			t.Errorf("ParsePreset(%q) = %v, %v", c.p.String(), p, err)
		}
	}
	if _, err := ParsePreset("diagonal"); err == nil {
		t.Error(`ParsePreset("diagonal") did not fail`)
	}
}

func TestCameraOrbitPanZoomFollow(t *testing.T) {
	c := NewCamera(ThreeQuarter)
	c.Track(spatial.Vec3{0, 0, 0.7})
	d0 := c.Eye().Sub(c.Target).Norm()
	c.Orbit(0.3, 0)
	approx(t, "distance after orbit", c.Eye().Sub(c.Target).Norm(), d0, 1e-12)
	c.Orbit(0, 10)
	approx(t, "elevation clamped", c.Elevation, maxElevation, 0)
	c.Orbit(0, -10)
	approx(t, "elevation clamped", c.Elevation, minElevation, 0)

	c.Zoom(0.5)
	approx(t, "zoomed distance", c.Distance, d0/2, 1e-12)
	c.Zoom(1e-9)
	approx(t, "distance clamped", c.Distance, minDistance, 0)
	c.Zoom(1e12)
	approx(t, "distance clamped", c.Distance, maxDistance, 0)
	c.Zoom(math.NaN())
	approx(t, "distance after NaN zoom", c.Distance, maxDistance, 0)

	// Panning moves the target across the view and, when following, keeps
	// the offset from the robot.
	c = NewCamera(Front) // looks along −x: screen right is +y
	c.Track(spatial.Vec3{0, 0, 1})
	right, _ := c.axes()
	nearVec(t, "front view: right", right, spatial.Vec3{0, 1, 0}.Scale(right.Norm()), 0.1)
	c.Pan(0.1, 0)
	moved := c.Target.Sub(spatial.Vec3{0, 0, 1})
	approx(t, "pan distance", moved.Norm(), 0.1*c.Distance, 1e-9)
	if moved.Dot(right) <= 0 {
		t.Errorf("pan right moved the target by %v", moved)
	}
	c.Track(spatial.Vec3{5, 0, 1})
	nearVec(t, "followed target keeps the pan offset", c.Target, spatial.Vec3{5, 0, 1}.Add(moved), 1e-12)

	// A free camera stays put.
	c.ToggleFollow()
	before := c.Target
	c.Track(spatial.Vec3{9, 9, 9})
	nearVec(t, "free camera target", c.Target, before, 0)
	c.SetPreset(Side)
	if !c.Follow || c.Offset != (spatial.Vec3{}) {
		t.Error("a preset does not restore following without offset")
	}
}

func TestCameraToPixelAndForward(t *testing.T) {
	c := NewCamera(ThreeQuarter)
	c.Track(spatial.Vec3{0.3, -0.2, 0.7})
	x, y, ok := c.ToPixel(c.Target, 1280, 720)
	if !ok {
		t.Fatal("target behind the camera")
	}
	approx(t, "target pixel x", x, 640, 1e-9)
	approx(t, "target pixel y", y, 360, 1e-9)
	// A point above the target is higher on screen (smaller y).
	_, y2, _ := c.ToPixel(c.Target.Add(spatial.Vec3{0, 0, 0.5}), 1280, 720)
	if !(y2 < y) {
		t.Errorf("a point above the target at pixel y %g, target at %g", y2, y)
	}
	// Behind the eye is not on screen.
	if _, _, ok := c.ToPixel(c.Eye().Add(c.Eye().Sub(c.Target)), 1280, 720); ok {
		t.Error("a point behind the eye reported on screen")
	}
	// Forward is horizontal and points from the eye towards the target.
	f := c.Forward()
	approx(t, "forward z", f[2], 0, 0)
	approx(t, "|forward|", f.Norm(), 1, 1e-12)
	g := c.Target.Sub(c.Eye())
	g[2] = 0
	if f.Dot(g.Normalize()) < 0.999 {
		t.Errorf("forward %v, eye→target %v", f, g.Normalize())
	}
}
