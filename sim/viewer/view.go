package viewer

import (
	"fmt"
	"math"
	"strings"

	"github.com/go-gl/glfw/v3.3/glfw"

	"github.com/stride-robotics/stride/sim/spatial"
)

// Overlay is a set of overlays, each drawn when its bit is set.
type Overlay uint32

// Overlays.
const (
	OverlayCOM       Overlay = 1 << iota // centre of mass and its ground projection
	OverlaySupport                       // support polygon of the loaded contacts
	OverlayContacts                      // contact points and force arrows
	OverlayFrames                        // link frames (x red, y green, z blue)
	OverlayLimits                        // joints near a limit change colour
	OverlayPlan                          // planned footsteps and swing trajectories
	OverlayCapture                       // capture point (measured, and planned when given)
	OverlayCollision                     // collision geoms, translucent
)

var overlayNames = []struct {
	bit  Overlay
	name string
}{
	{OverlayCOM, "com"}, {OverlaySupport, "support"}, {OverlayContacts, "forces"},
	{OverlayFrames, "frames"}, {OverlayLimits, "limits"}, {OverlayPlan, "plan"},
	{OverlayCapture, "capture"}, {OverlayCollision, "collision"},
}

// ParseOverlays reads a comma-separated list of overlay names (com, support,
// forces, frames, limits, plan, capture, collision; "all" for every one).
func ParseOverlays(s string) (Overlay, error) {
	var o Overlay
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if f == "all" {
			o |= OverlayCOM | OverlaySupport | OverlayContacts | OverlayFrames | OverlayLimits | OverlayPlan | OverlayCapture
			continue
		}
		found := false
		for _, n := range overlayNames {
			if n.name == f {
				o |= n.bit
				found = true
			}
		}
		if !found {
			names := make([]string, len(overlayNames))
			for i, n := range overlayNames {
				names[i] = n.name
			}
			return 0, fmt.Errorf("overlay %q: want one of %s, or all", f, strings.Join(names, ", "))
		}
	}
	return o, nil
}

// Actions is what the window asks of the simulation. Runner implements it;
// a viewer of a finished run (log replay, screenshots) may pass nil.
type Actions interface {
	TogglePause()
	StepOnce()
	SetSlow(factor float64)
	Reset()
	Push(dir spatial.Vec3) // push the torso horizontally along dir (unit)
	SetCommand(v Velocity)
}

// Slow-motion factors the [ and ] keys step through.
var slowSteps = []float64{0.1, 0.2, 0.25, 0.5, 1}

// Velocity command steps and limits of the keyboard.
const (
	cmdStepV   = 0.1 // m/s per key press
	cmdStepYaw = 0.1 // rad/s per key press
	cmdMaxV    = 4.0 // m/s
	cmdMaxYaw  = 2.0 // rad/s
)

// View is the window's state apart from GL: camera, overlays, panels and the
// keyboard's velocity command, with the key and mouse handling. It is used
// from the drawing goroutine only.
type View struct {
	Camera     Camera
	Overlays   Overlay
	Help       bool    // the key help panel
	HUD        bool    // the status line
	Shadows    bool    // directional-light shadows
	ForceScale float64 // m of arrow per N of contact force
	FPS        float64 // frames per second, shown in the HUD when > 0

	Command Velocity // the keyboard's velocity command
	Slow    float64  // the slow-motion factor last asked for

	Actions    Actions // nil: control keys do nothing
	Screenshot bool    // a screenshot was asked for (the window clears it)
	Quit       bool    // the window should close

	hideRobot bool // tests: draw the scene without the robot

	dragging     glfw.MouseButton
	drag         bool
	panDrag      bool
	lastX, lastY float64
}

// DefaultForceScale is the length of a contact-force arrow per newton.
const DefaultForceScale = 0.002

// NewView returns a view with the given camera preset and overlays, HUD and
// shadows on.
func NewView(p Preset, o Overlay) *View {
	return &View{Camera: NewCamera(p), Overlays: o, HUD: true, Shadows: true,
		ForceScale: DefaultForceScale, Slow: 1}
}

// Toggle flips overlay o.
func (v *View) Toggle(o Overlay) { v.Overlays ^= o }

// On reports whether overlay o is shown.
func (v *View) On(o Overlay) bool { return v.Overlays&o != 0 }

// keyBinding is one entry of the key table: the keys, what they do, and the
// handler.
type keyBinding struct {
	keys   []glfw.Key
	mods   glfw.ModifierKey // required modifiers (Control); Shift is free
	repeat bool             // a held key repeats the action
	label  string           // keys as shown in the help
	action string
	run    func(v *View)
	state  func(v *View) string // current state for the help, or nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func overlayBinding(k glfw.Key, label, action string, o Overlay) keyBinding {
	return keyBinding{keys: []glfw.Key{k}, label: label, action: action,
		run:   func(v *View) { v.Toggle(o) },
		state: func(v *View) string { return onOff(v.On(o)) }}
}

// bindings is the key table: the one source for the handler, the on-screen
// help and the documentation.
var bindings = []keyBinding{
	{keys: []glfw.Key{glfw.KeyH, glfw.KeyF1}, label: "H, F1", action: "show or hide this help", run: func(v *View) { v.Help = !v.Help }},
	{keys: []glfw.Key{glfw.KeySpace}, label: "Space", action: "pause / run", run: func(v *View) { v.act(func(a Actions) { a.TogglePause() }) }},
	{keys: []glfw.Key{glfw.KeyN, glfw.KeyPeriod}, label: "N, .", repeat: true, action: "single step (one control tick) while paused", run: func(v *View) { v.act(func(a Actions) { a.StepOnce() }) }},
	{keys: []glfw.Key{glfw.KeyLeftBracket}, label: "[", repeat: true, action: "slower (x0.1 ... x1)", run: func(v *View) { v.slower(-1) },
		state: func(v *View) string { return fmt.Sprintf("x%g", v.Slow) }},
	{keys: []glfw.Key{glfw.KeyRightBracket}, label: "]", repeat: true, action: "faster", run: func(v *View) { v.slower(+1) }},
	{keys: []glfw.Key{glfw.KeyBackspace, glfw.KeyR}, label: "Backspace, R", action: "reset to the start pose", run: func(v *View) {
		v.Command = Velocity{}
		v.act(func(a Actions) { a.SetCommand(v.Command); a.Reset() })
	}},
	{keys: []glfw.Key{glfw.KeyP}, label: "P", action: "push the torso away from the camera", run: func(v *View) {
		v.act(func(a Actions) { a.Push(v.Camera.Forward()) })
	}},
	{keys: []glfw.Key{glfw.KeyW, glfw.KeyUp}, label: "W, Up", repeat: true, action: "forward speed +0.1 m/s", run: func(v *View) { v.command(cmdStepV, 0, 0) },
		state: func(v *View) string { return fmt.Sprintf("%+.1f", v.Command.Vx) }},
	{keys: []glfw.Key{glfw.KeyS, glfw.KeyDown}, label: "S, Down", repeat: true, action: "forward speed -0.1 m/s", run: func(v *View) { v.command(-cmdStepV, 0, 0) }},
	{keys: []glfw.Key{glfw.KeyA}, label: "A", repeat: true, action: "sideways speed +0.1 m/s (left)", run: func(v *View) { v.command(0, cmdStepV, 0) },
		state: func(v *View) string { return fmt.Sprintf("%+.1f", v.Command.Vy) }},
	{keys: []glfw.Key{glfw.KeyD}, label: "D", repeat: true, action: "sideways speed -0.1 m/s (right)", run: func(v *View) { v.command(0, -cmdStepV, 0) }},
	{keys: []glfw.Key{glfw.KeyQ, glfw.KeyLeft}, label: "Q, Left", repeat: true, action: "yaw rate +0.1 rad/s (turn left)", run: func(v *View) { v.command(0, 0, cmdStepYaw) },
		state: func(v *View) string { return fmt.Sprintf("%+.1f", v.Command.YawRate) }},
	{keys: []glfw.Key{glfw.KeyE, glfw.KeyRight}, label: "E, Right", repeat: true, action: "yaw rate -0.1 rad/s (turn right)", run: func(v *View) { v.command(0, 0, -cmdStepYaw) }},
	{keys: []glfw.Key{glfw.KeyX}, label: "X", action: "zero the velocity command", run: func(v *View) {
		v.Command = Velocity{}
		v.act(func(a Actions) { a.SetCommand(v.Command) })
	}},
	overlayBinding(glfw.KeyC, "C", "centre of mass and its ground projection", OverlayCOM),
	overlayBinding(glfw.KeyG, "G", "support polygon (red: CoM outside)", OverlaySupport),
	overlayBinding(glfw.KeyF, "F", "contact points and force arrows", OverlayContacts),
	overlayBinding(glfw.KeyL, "L", "link frames (x red, y green, z blue)", OverlayFrames),
	overlayBinding(glfw.KeyJ, "J", "joint-limit warnings (orange near, red at)", OverlayLimits),
	overlayBinding(glfw.KeyT, "T", "planned footsteps and swing trajectories", OverlayPlan),
	overlayBinding(glfw.KeyI, "I", "capture point (magenta: measured; violet: planned)", OverlayCapture),
	overlayBinding(glfw.KeyK, "K", "collision geoms", OverlayCollision),
	{keys: []glfw.Key{glfw.KeyMinus, glfw.KeyKPSubtract}, label: "-", repeat: true, action: "shorter force arrows", run: func(v *View) { v.ForceScale /= 2 },
		state: func(v *View) string { return fmt.Sprintf("%g mm/N", v.ForceScale*1000) }},
	{keys: []glfw.Key{glfw.KeyEqual, glfw.KeyKPAdd}, label: "=, +", repeat: true, action: "longer force arrows", run: func(v *View) { v.ForceScale *= 2 }},
	{keys: []glfw.Key{glfw.Key1}, label: "1", action: "camera: follow (three-quarter view)", run: func(v *View) { v.Camera.SetPreset(ThreeQuarter) }},
	{keys: []glfw.Key{glfw.Key2}, label: "2", action: "camera: side", run: func(v *View) { v.Camera.SetPreset(Side) }},
	{keys: []glfw.Key{glfw.Key3}, label: "3", action: "camera: front", run: func(v *View) { v.Camera.SetPreset(Front) }},
	{keys: []glfw.Key{glfw.Key4}, label: "4", action: "camera: top", run: func(v *View) { v.Camera.SetPreset(Top) }},
	{keys: []glfw.Key{glfw.KeyTab}, label: "Tab", action: "free camera / follow the robot", run: func(v *View) { v.Camera.ToggleFollow() },
		state: func(v *View) string {
			if v.Camera.Follow {
				return "follow"
			}
			return "free"
		}},
	{keys: []glfw.Key{glfw.KeyO}, label: "O", action: "shadows", run: func(v *View) { v.Shadows = !v.Shadows },
		state: func(v *View) string { return onOff(v.Shadows) }},
	{keys: []glfw.Key{glfw.KeyB}, label: "B", action: "status line (HUD)", run: func(v *View) { v.HUD = !v.HUD }},
	{keys: []glfw.Key{glfw.KeyF12}, label: "F12, Ctrl+S", action: "save a screenshot (PNG)", run: func(v *View) { v.Screenshot = true }},
	{keys: []glfw.Key{glfw.KeyS}, mods: glfw.ModControl, label: "", action: "", run: func(v *View) { v.Screenshot = true }},
	{keys: []glfw.Key{glfw.KeyEscape}, label: "Esc", action: "close the window", run: func(v *View) { v.Quit = true }},
}

// mouseHelp lists the mouse controls for the help panel.
var mouseHelp = [][2]string{
	{"left drag", "orbit the camera"},
	{"right drag, Shift+left", "pan (the camera keeps following)"},
	{"wheel, middle drag", "zoom"},
}

// KeyHelp is one line of the key table.
type KeyHelp struct{ Keys, Action string }

// Help returns the key and mouse table, as the help panel shows it.
func Help() []KeyHelp {
	var h []KeyHelp
	for _, b := range bindings {
		if b.label != "" {
			h = append(h, KeyHelp{b.label, b.action})
		}
	}
	for _, m := range mouseHelp {
		h = append(h, KeyHelp{m[0], m[1]})
	}
	return h
}

// helpLines returns the help panel's text with the current states.
func (v *View) helpLines() []string {
	var lines []string
	for _, b := range bindings {
		if b.label == "" {
			continue
		}
		s := fmt.Sprintf("%-13s %s", b.label, b.action)
		if b.state != nil {
			s += " [" + b.state(v) + "]"
		}
		lines = append(lines, s)
	}
	for _, m := range mouseHelp {
		lines = append(lines, fmt.Sprintf("%-13s %s", m[0], m[1]))
	}
	return lines
}

// Key handles a key press with modifiers mods.
func (v *View) Key(k glfw.Key, mods glfw.ModifierKey) { v.key(k, mods, false) }

// KeyRepeat handles a held key's repeat: only stepping keys (velocity,
// single step, slow motion, arrow scale) act on it.
func (v *View) KeyRepeat(k glfw.Key, mods glfw.ModifierKey) { v.key(k, mods, true) }

func (v *View) key(k glfw.Key, mods glfw.ModifierKey, repeat bool) {
	ctrl := mods & glfw.ModControl
	for i := range bindings {
		b := &bindings[i]
		if b.mods != ctrl || (repeat && !b.repeat) {
			continue
		}
		for _, bk := range b.keys {
			if bk == k {
				b.run(v)
				return
			}
		}
	}
}

func (v *View) act(f func(a Actions)) {
	if v.Actions != nil {
		f(v.Actions)
	}
}

func (v *View) slower(dir int) {
	i := 0
	for j, s := range slowSteps {
		if math.Abs(s-v.Slow) < 1e-9 {
			i = j
		}
	}
	i = max(0, min(len(slowSteps)-1, i+dir))
	v.Slow = slowSteps[i]
	v.act(func(a Actions) { a.SetSlow(v.Slow) })
}

func (v *View) command(dvx, dvy, dyaw float64) {
	c := &v.Command
	round := func(x float64) float64 { return math.Round(x*10) / 10 }
	c.Vx = round(math.Max(-cmdMaxV, math.Min(cmdMaxV, c.Vx+dvx)))
	c.Vy = round(math.Max(-cmdMaxV, math.Min(cmdMaxV, c.Vy+dvy)))
	c.YawRate = round(math.Max(-cmdMaxYaw, math.Min(cmdMaxYaw, c.YawRate+dyaw)))
	v.act(func(a Actions) { a.SetCommand(*c) })
}

// MouseButton handles a button press or release at the cursor position.
func (v *View) MouseButton(b glfw.MouseButton, press bool, mods glfw.ModifierKey) {
	if !press {
		if b == v.dragging {
			v.drag = false
		}
		return
	}
	v.drag, v.dragging = true, b
	v.panDrag = b == glfw.MouseButtonRight || (b == glfw.MouseButtonLeft && mods&glfw.ModShift != 0)
}

// CursorMove handles the cursor moving to (x, y) window pixels in a window
// of the given height.
func (v *View) CursorMove(x, y, height float64) {
	dx, dy := x-v.lastX, y-v.lastY
	v.lastX, v.lastY = x, y
	if !v.drag || height <= 0 {
		return
	}
	switch {
	case v.panDrag:
		k := 2 * math.Tan(v.Camera.FovY/2) / height // distance units per pixel at the target
		v.Camera.Pan(-dx*k, dy*k)
	case v.dragging == glfw.MouseButtonMiddle:
		v.Camera.Zoom(math.Exp(dy * 0.005))
	default:
		v.Camera.Orbit(-dx*0.006, dy*0.006)
	}
}

// Scroll handles the wheel: positive dy zooms in.
func (v *View) Scroll(dy float64) { v.Camera.Zoom(math.Exp(-dy * 0.12)) }
