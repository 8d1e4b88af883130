package viewer

import (
	"errors"
	"image"
	"math"
	"os"
	"testing"

	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/mjcf"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// These tests render with OpenGL under a private Xvfb (Mesa's software
// renderer) and check the pictures: where the robot is, that the picture is
// not blank, and that each overlay changes the pixels where its geometry
// projects and nowhere else.

const imgW, imgH = 1280, 720

// standing returns a world whose robot has stood for 0.5 s, and its
// snapshot.
func standing(t *testing.T, ter *sim.Terrain) (*sim.World, *Snapshot) {
	t.Helper()
	w, tick := standingWorld(t, ter)
	r := NewRunner(w, tick, 0.001)
	if err := r.Advance(0.5); err != nil {
		t.Fatal(err)
	}
	s := new(Snapshot)
	s.CopyFrom(r.Capture())
	return w, s
}

// box is a pixel rectangle [x0, x1) × [y0, y1).
type box struct{ x0, y0, x1, y1 float64 }

func emptyBox() box { return box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)} }

func (b *box) add(x, y float64) {
	b.x0, b.y0 = math.Min(b.x0, x), math.Min(b.y0, y)
	b.x1, b.y1 = math.Max(b.x1, x), math.Max(b.y1, y)
}

func (b box) grow(px float64) box { return box{b.x0 - px, b.y0 - px, b.x1 + px, b.y1 + px} }

func (b box) has(x, y int) bool {
	return float64(x) >= b.x0 && float64(x) <= b.x1 && float64(y) >= b.y0 && float64(y) <= b.y1
}

// project returns the pixel box of the cubes of half-size margin (m)
// around the points, as the view's camera sees them.
func project(t *testing.T, v *View, margin float64, pts ...spatial.Vec3) box {
	t.Helper()
	b := emptyBox()
	for _, p := range pts {
		for k := 0; k < 8; k++ {
			q := p.Add(spatial.Vec3{sgn(k&1) * margin, sgn(k&2) * margin, sgn(k&4) * margin})
			x, y, ok := v.Camera.ToPixel(q, imgW, imgH)
			if !ok {
				t.Fatalf("point %v behind the camera", q)
			}
			b.add(x, y)
		}
	}
	return b.grow(2)
}

func sgn(bit int) float64 {
	if bit != 0 {
		return 1
	}
	return -1
}

// geomPoints returns points whose cubes of the returned half-size cover
// geom i (its bounding sphere).
func geomPoints(m *rbd.Model, s *Snapshot, i int) (spatial.Vec3, float64) {
	g := &m.Geoms[i]
	sz := g.Size
	var r float64
	switch g.Type {
	case rbd.GeomSphere:
		r = sz[0]
	case rbd.GeomCapsule:
		r = sz[0] + sz[1]
	case rbd.GeomCylinder:
		r = math.Hypot(sz[0], sz[1])
	default:
		r = sz.Norm()
	}
	return s.Geoms[i].P, r
}

// robotBox returns the pixel box of the robot's drawn geoms of the given
// bodies (all when nil).
func robotBox(t *testing.T, v *View, m *rbd.Model, s *Snapshot, bodies map[int]bool) box {
	b := emptyBox()
	for i := range m.Geoms {
		g := &m.Geoms[i]
		if g.Body == 0 || (bodies != nil && !bodies[g.Body]) {
			continue
		}
		p, r := geomPoints(m, s, i)
		gb := project(t, v, r, p)
		b.add(gb.x0, gb.y0)
		b.add(gb.x1, gb.y1)
	}
	return b
}

// outside counts the mask's pixels outside b.
func outside(mask []bool, b box) int {
	n := 0
	for i, on := range mask {
		if on && !b.has(i%imgW, i/imgW) {
			n++
		}
	}
	return n
}

func TestRendersStandingRobot(t *testing.T) {
	w, s := standing(t, nil)
	o := offscreen(t, w, Options{NoShadows: true, HideHUD: true})
	img := render(t, o, s)
	savePNGFor(t, "robot", img)
	o.View.hideRobot = true
	empty := render(t, o, s)
	o.View.hideRobot = false

	// Not blank: the picture varies, with many colours.
	var sum, sum2 float64
	colours := map[[3]uint8]bool{}
	for i := 0; i < len(img.Pix); i += 4 {
		l := 0.3*float64(img.Pix[i]) + 0.59*float64(img.Pix[i+1]) + 0.11*float64(img.Pix[i+2])
		sum += l
		sum2 += l * l
		colours[[3]uint8{img.Pix[i], img.Pix[i+1], img.Pix[i+2]}] = true
	}
	n := float64(imgW * imgH)
	if sd := math.Sqrt(sum2/n - (sum/n)*(sum/n)); sd < 15 {
		t.Errorf("luminance standard deviation %.1f: the picture is nearly blank", sd)
	}
	if len(colours) < 200 {
		t.Errorf("%d distinct colours: the picture is nearly blank", len(colours))
	}
	// Sky above (blue), ground below (grey).
	mean := func(y0, y1 int) (r, g, b float64) {
		for y := y0; y < y1; y++ {
			for x := 0; x < imgW; x++ {
				c := img.RGBAAt(x, y)
				r, g, b = r+float64(c.R), g+float64(c.G), b+float64(c.B)
			}
		}
		k := float64((y1 - y0) * imgW)
		return r / k, g / k, b / k
	}
	if r, _, b := mean(0, 30); !(b > r+25) {
		t.Errorf("top rows average r %.0f b %.0f: not sky blue", r, b)
	}
	if r, g, b := mean(imgH-30, imgH); !(math.Abs(b-r) < 25 && math.Abs(g-r) < 25 && r > 60) {
		t.Errorf("bottom rows average %.0f %.0f %.0f: not the grey ground", r, g, b)
	}

	// The robot: the pixels it changes lie where its geometry projects,
	// and there are many of them, in the middle of the picture.
	mask, changed := pixelDiff(img, empty, 8)
	rb := robotBox(t, o.View, w.Model, s, nil)
	if frac := float64(changed) / n; frac < 0.015 {
		t.Errorf("the robot covers %.2f%% of the picture, want ≥ 1.5%%", 100*frac)
	}
	if out := outside(mask, rb); out > changed/200 {
		t.Errorf("%d of %d changed pixels lie outside the robot's projected box %+v", out, changed, rb)
	}
	if cx := (rb.x0 + rb.x1) / 2; cx < 0.35*imgW || cx > 0.65*imgW || rb.y0 < 0 || rb.y1 > imgH {
		t.Errorf("the robot's box %+v is not in the middle of the frame", rb)
	}
	// Inside its box the robot fills a good part of the pixels.
	inBox := 0
	for y := int(rb.y0); y < int(rb.y1); y++ {
		for x := int(rb.x0); x < int(rb.x1); x++ {
			if x >= 0 && y >= 0 && x < imgW && y < imgH && mask[y*imgW+x] {
				inBox++
			}
		}
	}
	if frac := float64(inBox) / ((rb.x1 - rb.x0) * (rb.y1 - rb.y0)); frac < 0.2 {
		t.Errorf("the robot fills %.0f%% of its box, want ≥ 20%%", 100*frac)
	}
}

func TestOverlaysDrawWhereTheyShould(t *testing.T) {
	w, s := standing(t, nil)
	m := w.Model
	// A plan, as a gait controller would give it.
	s.Plan.Footsteps = []Footstep{{Pos: spatial.Vec3{0.35, 0.09, 0}, Foot: 0}, {Pos: spatial.Vec3{0.6, -0.09, 0}, Yaw: 0.3, Foot: 1}}
	s.Plan.AddSwing([]spatial.Vec3{{0.03, -0.09, 0}, {0.2, -0.09, 0.08}, {0.35, -0.09, 0.1}, {0.6, -0.09, 0}})
	s.Plan.CapturePoint, s.Plan.HasCapturePoint = spatial.Vec3{0.25, 0.2, 0}, true
	o := offscreen(t, w, Options{HideHUD: true})
	base := render(t, o, s)
	savePNGFor(t, "overlay-none", base)

	var loaded []spatial.Vec3
	var tips []spatial.Vec3
	for _, c := range s.Contacts {
		tips = append(tips, c.Pos, c.Pos.Add(c.Force.Scale(DefaultForceScale)))
		if c.Force.Dot(c.Normal) >= SupportMinForce {
			loaded = append(loaded, c.Pos)
		}
	}
	var origins []spatial.Vec3
	for b := 1; b < len(s.Bodies); b++ {
		origins = append(origins, s.Bodies[b].P)
	}
	ground := s.COM
	ground[2] = 0
	icp, _ := s.CapturePoint(0)
	var plan []spatial.Vec3
	for _, f := range s.Plan.Footsteps {
		plan = append(plan, f.Pos)
	}
	for _, c := range []struct {
		name      string
		o         Overlay
		region    box
		minPixels int
		colour    func(img *image.RGBA) bool // a check of the overlay's colour, or nil
	}{
		{"com", OverlayCOM, project(t, o.View, 0.04, s.COM, ground), 200, func(img *image.RGBA) bool {
			x, y, _ := o.View.Camera.ToPixel(s.COM, imgW, imgH)
			c := img.RGBAAt(int(x), int(y))
			return c.R > 170 && c.G > 130 && c.B < 80 // yellow, seen through the body
		}},
		{"forces", OverlayContacts, project(t, o.View, 0.03, tips...), 100, nil},
		{"support", OverlaySupport, project(t, o.View, 0.01, loaded...), 300, nil},
		{"frames", OverlayFrames, project(t, o.View, 0.1, origins...), 500, nil},
		{"plan", OverlayPlan, project(t, o.View, 0.13, append(plan, s.Plan.Swing[0]...)...), 300, nil},
		{"capture", OverlayCapture, project(t, o.View, 0.13, icp, s.Plan.CapturePoint), 100, nil},
		{"collision", OverlayCollision, robotBox(t, o.View, m, s, nil), 500, nil},
	} {
		o.View.Overlays = c.o
		img := render(t, o, s)
		o.View.Overlays = 0
		savePNGFor(t, "overlay-"+c.name, img)
		mask, changed := pixelDiff(img, base, 12)
		if changed < c.minPixels {
			t.Errorf("%s: the overlay changed %d pixels, want ≥ %d", c.name, changed, c.minPixels)
		}
		if out := outside(mask, c.region); out > changed/100 {
			t.Errorf("%s: %d of %d changed pixels lie outside the overlay's projected box %+v", c.name, out, changed, c.region)
		}
		if c.colour != nil && !c.colour(img) {
			t.Errorf("%s: the overlay's colour is not where it projects", c.name)
		}
	}
}

// TestLimitOverlayColoursTheJoint puts the left knee near its limit: with
// the overlay on, the shank changes colour (and a marker appears at the
// knee), and nothing else does.
func TestLimitOverlayColoursTheJoint(t *testing.T) {
	w, s := standing(t, nil)
	m := w.Model
	k := m.JointIndex("left_knee_pitch")
	q := append([]float64(nil), w.Qpos...)
	q[m.Joints[k].QAdr] = m.Joints[k].Range[1] - 0.005 // under 1% of the range from the limit: red
	s.SetState(m, rbd.NewData(m), q, nil)
	o := offscreen(t, w, Options{HideHUD: true, NoShadows: true})
	off := render(t, o, s)
	o.View.Overlays = OverlayLimits
	on := render(t, o, s)
	savePNGFor(t, "overlay-limits", on)
	mask, changed := pixelDiff(on, off, 12)
	shank := robotBox(t, o.View, m, s, map[int]bool{m.Joints[k].Body: true})
	if changed < 300 {
		t.Errorf("the limit overlay changed %d pixels, want ≥ 300", changed)
	}
	if out := outside(mask, shank); out > changed/100 {
		t.Errorf("%d of %d changed pixels lie outside the shank's box %+v", out, changed, shank)
	}
	x, y, _ := o.View.Camera.ToPixel(s.JointAnchor[k], imgW, imgH)
	if c := on.RGBAAt(int(x), int(y)); !(c.R > 180 && c.G < 80 && c.B < 80) {
		t.Errorf("the knee marker is %v, want red", c)
	}
}

// TestTerrainIsDrawn: steps and rough ground appear where they are
// simulated.
func TestTerrainIsDrawn(t *testing.T) {
	w, s := standing(t, nil)
	o := offscreen(t, w, Options{HideHUD: true, NoShadows: true})
	o.View.hideRobot = true
	o.View.Camera.SetPreset(Side)
	flat := render(t, o, s)

	stairs := sim.Stairs(0.5, 0.1, 0.3, 2, 3, 1)
	ws, _ := standingWorld(t, stairs)
	os := offscreen(t, ws, Options{HideHUD: true, NoShadows: true})
	os.View.hideRobot = true
	os.View.Camera.SetPreset(Side)
	img := render(t, os, s)
	savePNGFor(t, "terrain-stairs", img)
	mask, changed := pixelDiff(img, flat, 8)
	var corners []spatial.Vec3
	for _, b := range stairs.Boxes {
		for k := 0; k < 8; k++ {
			corners = append(corners, b.X.Point(spatial.Vec3{sgn(k&1) * b.Half[0], sgn(k&2) * b.Half[1], sgn(k&4) * b.Half[2]}))
		}
	}
	region := project(t, os.View, 0.01, corners...)
	if changed < 5000 {
		t.Errorf("the stairs changed %d pixels, want ≥ 5000", changed)
	}
	if out := outside(mask, region); out > changed/100 {
		t.Errorf("%d of %d changed pixels lie outside the stairs' box %+v", out, changed, region)
	}

	rough := sim.RoughGround(41, 41, 0.1, 0.03, 1, 1)
	wr, _ := standingWorld(t, rough)
	or := offscreen(t, wr, Options{HideHUD: true, NoShadows: true})
	or.View.hideRobot = true
	or.View.Camera.SetPreset(Side)
	img = render(t, or, s)
	savePNGFor(t, "terrain-rough", img)
	if _, changed := pixelDiff(img, flat, 8); changed < 20000 {
		t.Errorf("the rough ground changed %d pixels, want ≥ 20000", changed)
	}
}

// TestMeshGeomIsDrawn renders a model whose only geom is a triangle mesh.
func TestMeshGeomIsDrawn(t *testing.T) {
	m, err := mjcf.LoadFile("testdata/mesh_robot.xml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := sim.NewWorld(m, nil, sim.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	s := new(Snapshot)
	s.SetState(m, rbd.NewData(m), w.Qpos, nil)
	o := offscreen(t, w, Options{HideHUD: true, NoShadows: true})
	img := render(t, o, s)
	savePNGFor(t, "mesh", img)
	o.View.hideRobot = true
	empty := render(t, o, s)
	mask, changed := pixelDiff(img, empty, 8)
	gi := -1
	for i := range m.Geoms {
		if m.Geoms[i].Type == rbd.GeomMesh {
			gi = i
		}
	}
	if gi < 0 || len(m.Meshes) != 1 {
		t.Fatalf("the model has no mesh geom")
	}
	var pts []spatial.Vec3
	v := m.Meshes[0].Vertices
	for i := 0; i+2 < len(v); i += 3 {
		pts = append(pts, s.Geoms[gi].Point(spatial.Vec3{float64(v[i]), float64(v[i+1]), float64(v[i+2])}))
	}
	region := project(t, o.View, 0.005, pts...)
	if changed < 2000 {
		t.Errorf("the mesh changed %d pixels, want ≥ 2000", changed)
	}
	if out := outside(mask, region); out > changed/200 {
		t.Errorf("%d of %d changed pixels lie outside the mesh's box %+v", out, changed, region)
	}
	// It is drawn in its colour (orange, lit).
	x, y, _ := o.View.Camera.ToPixel(s.Geoms[gi].Point(spatial.Vec3{0, 0, 0.3}), imgW, imgH)
	if c := img.RGBAAt(int(x), int(y)); !(c.R > c.G+40 && c.G > c.B) {
		t.Errorf("the mesh is %v at its middle, want orange", c)
	}
}

// TestHUDShowsStatus renders the HUD and the help panel: text appears in
// the top-left corner and only there.
func TestHUDShowsStatus(t *testing.T) {
	w, s := standing(t, nil)
	s.Status = Status{RealTimeFactor: 0.98, Slow: 0.5, Mode: "stand", Command: Velocity{Vx: 0.3}}
	o := offscreen(t, w, Options{HideHUD: true})
	plain := render(t, o, s)
	o.View.HUD = true
	hud := render(t, o, s)
	o.View.Help = true
	help := render(t, o, s)
	savePNGFor(t, "hud-help", help)
	lines, _ := hudLines(s, o.View, w.Model)
	if len(lines) < 2 || !contains(lines[0], "RTF 0.98x slow x0.5") || !contains(lines[0], "mode stand") || !contains(lines[0], "vx +0.3") {
		t.Errorf("HUD lines %q", lines)
	}
	mask, changed := pixelDiff(hud, plain, 12)
	var tb textBatch
	tb.atlas, tb.scale = newFontAtlas(), 1
	wmax := 0.0
	for _, l := range lines {
		wmax = math.Max(wmax, tb.width(l))
	}
	region := box{0, 0, wmax + 10, float64(len(lines))*tb.lineHeight() + 10}
	if changed < 2000 || outside(mask, region) > 0 {
		t.Errorf("the HUD changed %d pixels, %d outside %+v", changed, outside(mask, region), region)
	}
	if _, n := pixelDiff(help, hud, 12); n < 10000 {
		t.Errorf("the help panel changed %d pixels, want ≥ 10000", n)
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub))
}

// TestWindowRunsTheSimulation opens a real window (under Xvfb), draws 20
// frames while the runner simulates in real time, and closes.
func TestWindowRunsTheSimulation(t *testing.T) {
	needDisplay(t)
	w, tick := standingWorld(t, nil)
	r := NewRunner(w, tick, 0.001)
	r.Fast = true
	var err error
	onMain(func() {
		err = Run(r, Options{Frames: 40, MaxFPS: 1000, Overlays: OverlayCOM | OverlayContacts, Help: true})
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if w.Steps == 0 {
		t.Error("the simulation did not run while the window was open")
	}
}

// TestNoDisplay: without a display, Run says why, as a *DisplayError, and
// does not start the simulation.
func TestNoDisplay(t *testing.T) {
	w, tick := standingWorld(t, nil)
	r := NewRunner(w, tick, 0.001)
	d, wl := os.Getenv("DISPLAY"), os.Getenv("WAYLAND_DISPLAY")
	defer func() { os.Setenv("DISPLAY", d); os.Setenv("WAYLAND_DISPLAY", wl) }()
	os.Unsetenv("WAYLAND_DISPLAY")
	for _, disp := range []string{"", ":987", "nonsense"} {
		os.Setenv("DISPLAY", disp)
		var err error
		onMain(func() { err = Run(r, Options{Frames: 1}) })
		var de *DisplayError
		if !errors.As(err, &de) {
			t.Errorf("DISPLAY=%q: Run returned %v, want a *DisplayError", disp, err)
		}
	}
	if w.Steps != 0 {
		t.Error("the simulation ran without a window")
	}
}

// BenchmarkFrame1280x720 measures the cost of drawing one frame at
// 1280×720 (shadows, HUD, the COM, support and force overlays) on whatever
// renderer the X server gives — Mesa llvmpipe under Xvfb here. fps is
// 1/(time per frame).
func BenchmarkFrame1280x720(b *testing.B) {
	for _, c := range []struct {
		name    string
		shadows bool
		samples int
	}{{"shadows+msaa4", true, 4}, {"noshadows+msaa4", false, 4}, {"shadows+nomsaa", true, -1}} {
		b.Run(c.name, func(b *testing.B) {
			if noDisplay != "" {
				b.Skip(noDisplay)
			}
			w, tick := standingWorld(b, nil)
			r := NewRunner(w, tick, 0.001)
			_ = r.Advance(0.3)
			s := r.Capture()
			var o *Offscreen
			var err error
			onMain(func() {
				o, err = NewOffscreen(w.Model, w.Terrain, Options{Samples: c.samples, NoShadows: !c.shadows,
					Overlays: OverlayCOM | OverlaySupport | OverlayContacts})
			})
			if err != nil {
				b.Fatal(err)
			}
			defer onMain(o.Close)
			onMain(func() { o.draw(s) })
			b.ResetTimer()
			for range b.N {
				onMain(func() { o.draw(s) })
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fps")
		})
	}
}
