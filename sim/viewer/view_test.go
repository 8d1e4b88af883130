package viewer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-gl/glfw/v3.3/glfw"

	"github.com/stride-robotics/stride/sim/spatial"
)

// recorder is an Actions that logs what it is asked.
type recorder struct{ log []string }

func (r *recorder) TogglePause()      { r.log = append(r.log, "pause") }
func (r *recorder) StepOnce()         { r.log = append(r.log, "step") }
func (r *recorder) SetSlow(f float64) { r.log = append(r.log, fmt.Sprintf("slow %g", f)) }
func (r *recorder) Reset()            { r.log = append(r.log, "reset") }
func (r *recorder) Push(d spatial.Vec3) {
	r.log = append(r.log, fmt.Sprintf("push %.2f %.2f %.2f", d[0], d[1], d[2]))
}
func (r *recorder) SetCommand(v Velocity) {
	r.log = append(r.log, fmt.Sprintf("cmd %+.1f %+.1f %+.1f", v.Vx, v.Vy, v.YawRate))
}

// viewState is what a key can change, for comparing before and after.
func viewState(v *View, r *recorder) string {
	return fmt.Sprintf("%v|%x|%v %v %v|%g|%+v|%g|%v %v|%s", v.Camera, v.Overlays, v.Help, v.HUD, v.Shadows,
		v.ForceScale, v.Command, v.Slow, v.Screenshot, v.Quit, strings.Join(r.log, ","))
}

// TestEveryKeyDoesSomething presses every key of the table on a fresh view
// and checks that it changes the view or asks the simulation for something.
func TestEveryKeyDoesSomething(t *testing.T) {
	for _, b := range bindings {
		for _, k := range b.keys {
			rec := &recorder{}
			v := NewView(ThreeQuarter, 0)
			v.Actions = rec
			v.Slow = 0.5 // so that both [ and ] have somewhere to go
			v.Camera.Pan(0.1, 0)
			v.Camera.Track(spatial.Vec3{0, 0, 0.7})
			before := viewState(v, rec)
			v.Key(k, b.mods)
			if viewState(v, rec) == before {
				t.Errorf("key %d (%q: %s) changed nothing", k, b.label, b.action)
			}
		}
	}
}

func TestKeys(t *testing.T) {
	rec := &recorder{}
	v := NewView(ThreeQuarter, 0)
	v.Actions = rec
	press := func(k glfw.Key) { v.Key(k, 0) }

	for _, c := range []struct {
		k glfw.Key
		o Overlay
	}{{glfw.KeyC, OverlayCOM}, {glfw.KeyG, OverlaySupport}, {glfw.KeyF, OverlayContacts}, {glfw.KeyL, OverlayFrames},
		{glfw.KeyJ, OverlayLimits}, {glfw.KeyT, OverlayPlan}, {glfw.KeyI, OverlayCapture}, {glfw.KeyK, OverlayCollision}} {
		press(c.k)
		if v.Overlays != c.o {
			t.Errorf("key %d: overlays %b, want %b", c.k, v.Overlays, c.o)
		}
		press(c.k)
		if v.Overlays != 0 {
			t.Errorf("key %d twice: overlays %b, want none", c.k, v.Overlays)
		}
	}

	for range 3 {
		press(glfw.KeyW)
	}
	press(glfw.KeyA)
	press(glfw.KeyE)
	want := Velocity{Vx: 0.3, Vy: 0.1, YawRate: -0.1}
	if v.Command != want {
		t.Errorf("command %+v, want %+v", v.Command, want)
	}
	if got := rec.log[len(rec.log)-1]; got != "cmd +0.3 +0.1 -0.1" {
		t.Errorf("last action %q", got)
	}
	for range 100 {
		v.KeyRepeat(glfw.KeyUp, 0) // held: repeats, up to the limit
	}
	approx(t, "vx at the limit", v.Command.Vx, cmdMaxV, 0)
	press(glfw.KeyX)
	if v.Command != (Velocity{}) {
		t.Errorf("X left the command at %+v", v.Command)
	}

	rec.log = nil
	v.Slow = 1
	for range 10 {
		v.KeyRepeat(glfw.KeyLeftBracket, 0)
	}
	approx(t, "slowest", v.Slow, 0.1, 0)
	press(glfw.KeyRightBracket)
	approx(t, "one step faster", v.Slow, 0.2, 0)
	if got := rec.log[len(rec.log)-1]; got != "slow 0.2" {
		t.Errorf("last action %q", got)
	}

	// Toggles do not repeat when held.
	v.KeyRepeat(glfw.KeyC, 0)
	if v.Overlays != 0 {
		t.Error("a held C toggled an overlay")
	}
	// Ctrl+S saves a screenshot and does not change the command.
	v.Key(glfw.KeyS, glfw.ModControl)
	if !v.Screenshot || v.Command != (Velocity{}) {
		t.Errorf("Ctrl+S: screenshot %v, command %+v", v.Screenshot, v.Command)
	}

	// Push goes away from the camera, horizontally.
	rec.log = nil
	v.Camera.SetPreset(Side) // the camera at −y looks along +y
	press(glfw.KeyP)
	if len(rec.log) != 1 || rec.log[0] != "push -0.00 1.00 0.00" && rec.log[0] != "push 0.00 1.00 0.00" {
		t.Errorf("push from the side view: %v", rec.log)
	}
	v.Actions = nil
	press(glfw.KeySpace) // no simulation: nothing to do, nothing breaks
}

func TestHelpListsEveryLabelledKey(t *testing.T) {
	h := Help()
	v := NewView(ThreeQuarter, OverlayCOM)
	lines := v.helpLines()
	if len(lines) != len(h) {
		t.Fatalf("help panel has %d lines, key table %d", len(lines), len(h))
	}
	for i, k := range h {
		if !strings.HasPrefix(lines[i], k.Keys) || !strings.Contains(lines[i], k.Action) {
			t.Errorf("help line %q does not show %q: %q", lines[i], k.Keys, k.Action)
		}
	}
	if !strings.Contains(strings.Join(lines, "\n"), "centre of mass and its ground projection [on]") {
		t.Error("the help does not show the COM overlay as on")
	}
}

func TestMouse(t *testing.T) {
	v := NewView(ThreeQuarter, 0)
	v.Camera.Track(spatial.Vec3{0, 0, 0.7})
	az, d := v.Camera.Azimuth, v.Camera.Distance
	v.CursorMove(100, 100, 720)
	v.MouseButton(glfw.MouseButtonLeft, true, 0)
	v.CursorMove(150, 100, 720)
	v.MouseButton(glfw.MouseButtonLeft, false, 0)
	if v.Camera.Azimuth == az {
		t.Error("a left drag did not orbit")
	}
	az = v.Camera.Azimuth
	v.CursorMove(400, 100, 720) // not dragging: nothing
	if v.Camera.Azimuth != az {
		t.Error("moving without a button orbited")
	}
	target := v.Camera.Target
	v.MouseButton(glfw.MouseButtonRight, true, 0)
	v.CursorMove(420, 130, 720)
	v.MouseButton(glfw.MouseButtonRight, false, 0)
	if v.Camera.Target == target || v.Camera.Offset == (spatial.Vec3{}) {
		t.Error("a right drag did not pan")
	}
	v.Scroll(2)
	if !(v.Camera.Distance < d) {
		t.Errorf("scrolling up did not zoom in: %g → %g", d, v.Camera.Distance)
	}
}

func TestParseOverlays(t *testing.T) {
	o, err := ParseOverlays(" com, forces ,support")
	if err != nil || o != OverlayCOM|OverlayContacts|OverlaySupport {
		t.Errorf("ParseOverlays = %b, %v", o, err)
	}
	if o, err := ParseOverlays(""); err != nil || o != 0 {
		t.Errorf(`ParseOverlays("") = %b, %v`, o, err)
	}
	all, _ := ParseOverlays("all")
	if all&OverlayCollision != 0 || all&OverlayCapture == 0 {
		t.Errorf("all = %b: every overlay but collision geoms", all)
	}
	if _, err := ParseOverlays("com,forcez"); err == nil || !strings.Contains(err.Error(), "forcez") {
		t.Errorf("a bad name: %v", err)
	}
}
