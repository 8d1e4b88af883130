package viewer

import (
	"fmt"
	"math"
	"strings"

	"github.com/go-gl/gl/v3.3-core/gl"

	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/spatial"
)

// Scene colours (linear RGB, as written to the framebuffer).
var (
	skyZenith    = [3]float32{0.30, 0.50, 0.80}
	skyHorizon   = [3]float32{0.80, 0.86, 0.92}
	skyGround    = [3]float32{0.50, 0.52, 0.55}
	groundColor  = [4]float32{0.60, 0.62, 0.64, 1}
	terrainColor = [4]float32{0.72, 0.66, 0.56, 1}
	defaultGeom  = [4]float32{0.6, 0.6, 0.62, 1}

	colCOM      = [4]float32{1.0, 0.82, 0.05, 1}
	colSupport  = [4]float32{0.15, 0.80, 0.30, 0.38}
	colOutside  = [4]float32{0.95, 0.20, 0.15, 0.38}
	colContact  = [4]float32{0.75, 0.05, 0.05, 1}
	colForce    = [4]float32{1.0, 0.35, 0.10, 1}
	colWarn     = [4]float32{1.0, 0.55, 0.0, 1}
	colLimit    = [4]float32{0.95, 0.05, 0.05, 1}
	colLeft     = [4]float32{0.20, 0.45, 1.0, 0.55}
	colRight    = [4]float32{1.0, 0.30, 0.30, 0.55}
	colSwing    = [4]float32{0.0, 0.85, 0.95, 1}
	colCapture  = [4]float32{0.95, 0.10, 0.85, 1}
	colCaptureP = [4]float32{0.55, 0.25, 1.0, 1}
	axisColors  = [3][4]float32{{0.9, 0.1, 0.1, 1}, {0.1, 0.8, 0.1, 1}, {0.15, 0.3, 1.0, 1}}
)

// lightDir is the unit direction towards the sun: 50° high, from the
// robot's front and a little to its right, so that the default view sees
// the lit side and the shadow falls back and to the left.
var lightDir = spatial.Vec3{0.60, -0.22, 0.77}.Normalize()

const (
	shadowSize   = 1024 // shadow map texels a side (7 mm each)
	shadowExtent = 3.5  // m, half-width of the shadow map's square around the target
	groundHalf   = 150  // m, half-size of the drawn ground quad
	fogStart     = 30   // m
	fogEnd       = 140  // m
)

type glMesh struct {
	vao, vbo, ebo uint32
	n             int32
}

func newGLMesh(m meshData) glMesh {
	var g glMesh
	if len(m.idx) == 0 {
		return g
	}
	gl.GenVertexArrays(1, &g.vao)
	gl.BindVertexArray(g.vao)
	gl.GenBuffers(1, &g.vbo)
	gl.BindBuffer(gl.ARRAY_BUFFER, g.vbo)
	gl.BufferData(gl.ARRAY_BUFFER, len(m.verts)*4, gl.Ptr(m.verts), gl.STATIC_DRAW)
	gl.GenBuffers(1, &g.ebo)
	gl.BindBuffer(gl.ELEMENT_ARRAY_BUFFER, g.ebo)
	gl.BufferData(gl.ELEMENT_ARRAY_BUFFER, len(m.idx)*4, gl.Ptr(m.idx), gl.STATIC_DRAW)
	gl.EnableVertexAttribArray(0)
	gl.VertexAttribPointerWithOffset(0, 3, gl.FLOAT, false, 24, 0)
	gl.EnableVertexAttribArray(1)
	gl.VertexAttribPointerWithOffset(1, 3, gl.FLOAT, false, 24, 12)
	gl.BindVertexArray(0)
	g.n = int32(len(m.idx))
	return g
}

func (g *glMesh) draw() {
	if g.n > 0 {
		gl.BindVertexArray(g.vao)
		gl.DrawElementsWithOffset(gl.TRIANGLES, g.n, gl.UNSIGNED_INT, 0)
	}
}

func (g *glMesh) delete() {
	if g.n > 0 {
		gl.DeleteVertexArrays(1, &g.vao)
		gl.DeleteBuffers(1, &g.vbo)
		gl.DeleteBuffers(1, &g.ebo)
	}
	*g = glMesh{}
}

// streamBuf is a vertex buffer refilled every frame.
type streamBuf struct {
	vao, vbo uint32
}

func newStreamBuf(attribs ...int32) streamBuf {
	var s streamBuf
	gl.GenVertexArrays(1, &s.vao)
	gl.BindVertexArray(s.vao)
	gl.GenBuffers(1, &s.vbo)
	gl.BindBuffer(gl.ARRAY_BUFFER, s.vbo)
	var stride int32
	for _, a := range attribs {
		stride += a * 4
	}
	var off uintptr
	for i, a := range attribs {
		gl.EnableVertexAttribArray(uint32(i))
		gl.VertexAttribPointerWithOffset(uint32(i), a, gl.FLOAT, false, stride, off)
		off += uintptr(a * 4)
	}
	gl.BindVertexArray(0)
	return s
}

func (s *streamBuf) draw(v []float32, floatsPerVertex int) {
	if len(v) == 0 {
		return
	}
	gl.BindVertexArray(s.vao)
	gl.BindBuffer(gl.ARRAY_BUFFER, s.vbo)
	gl.BufferData(gl.ARRAY_BUFFER, len(v)*4, gl.Ptr(v), gl.STREAM_DRAW)
	gl.DrawArrays(gl.TRIANGLES, 0, int32(len(v)/floatsPerVertex))
}

func (s *streamBuf) delete() {
	gl.DeleteVertexArrays(1, &s.vao)
	gl.DeleteBuffers(1, &s.vbo)
}

func compileShader(src string, kind uint32) (uint32, error) {
	sh := gl.CreateShader(kind)
	cs, free := gl.Strs(src + "\x00")
	gl.ShaderSource(sh, 1, cs, nil)
	free()
	gl.CompileShader(sh)
	var ok int32
	gl.GetShaderiv(sh, gl.COMPILE_STATUS, &ok)
	if ok == gl.FALSE {
		var n int32
		gl.GetShaderiv(sh, gl.INFO_LOG_LENGTH, &n)
		log := strings.Repeat("\x00", int(n+1))
		gl.GetShaderInfoLog(sh, n, nil, gl.Str(log))
		gl.DeleteShader(sh)
		return 0, fmt.Errorf("viewer: shader does not compile: %s", strings.TrimRight(log, "\x00"))
	}
	return sh, nil
}

func linkProgram(vs, fs string) (uint32, error) {
	v, err := compileShader(vs, gl.VERTEX_SHADER)
	if err != nil {
		return 0, err
	}
	f, err := compileShader(fs, gl.FRAGMENT_SHADER)
	if err != nil {
		return 0, err
	}
	p := gl.CreateProgram()
	gl.AttachShader(p, v)
	gl.AttachShader(p, f)
	gl.LinkProgram(p)
	gl.DeleteShader(v)
	gl.DeleteShader(f)
	var ok int32
	gl.GetProgramiv(p, gl.LINK_STATUS, &ok)
	if ok == gl.FALSE {
		var n int32
		gl.GetProgramiv(p, gl.INFO_LOG_LENGTH, &n)
		log := strings.Repeat("\x00", int(n+1))
		gl.GetProgramInfoLog(p, n, nil, gl.Str(log))
		return 0, fmt.Errorf("viewer: shader program does not link: %s", strings.TrimRight(log, "\x00"))
	}
	return p, nil
}

func uniform(p uint32, name string) int32 { return gl.GetUniformLocation(p, gl.Str(name+"\x00")) }

// renderer draws snapshots of one model on one terrain with the current GL
// context.
type renderer struct {
	model   *rbd.Model
	terrain *sim.Terrain

	lit struct {
		id                                             uint32
		model, normal, viewProj, lightVP, color, light int32
		eye, checker, emissive, shadows, shadowMap     int32
		fogColor, fog                                  int32
	}
	depth struct {
		id             uint32
		model, lightVP int32
	}
	sky struct {
		id                             uint32
		invVP, zenith, horizon, ground int32
	}
	text struct {
		id            uint32
		screen, atlas int32
	}

	emptyVAO                          uint32
	sphere, cylinder, cone, box, quad glMesh
	assets                            []glMesh // per model mesh
	fields                            []glMesh // per terrain height field
	poly, textBuf                     streamBuf
	shadowFBO, shadowTex, fontTex     uint32
	atlas                             *fontAtlas
	batch                             textBatch
	polyVerts                         []float32
	pts                               []spatial.Vec3
	bodyTint                          [][4]float32 // per body: limit warning colour (alpha 0: none)
	vp, lightVP                       mat4
	shadowPass                        bool
	drawCalls                         int
}

func newRenderer(m *rbd.Model, t *sim.Terrain) (*renderer, error) {
	r := &renderer{model: m, terrain: t}
	var err error
	if r.lit.id, err = linkProgram(litVS, litFS); err != nil {
		return nil, err
	}
	p := r.lit.id
	r.lit.model, r.lit.normal, r.lit.viewProj = uniform(p, "uModel"), uniform(p, "uNormalMat"), uniform(p, "uViewProj")
	r.lit.lightVP, r.lit.color, r.lit.light = uniform(p, "uLightVP"), uniform(p, "uColor"), uniform(p, "uLightDir")
	r.lit.eye, r.lit.checker, r.lit.emissive = uniform(p, "uEye"), uniform(p, "uChecker"), uniform(p, "uEmissive")
	r.lit.shadows, r.lit.shadowMap = uniform(p, "uShadows"), uniform(p, "uShadowMap")
	r.lit.fogColor, r.lit.fog = uniform(p, "uFogColor"), uniform(p, "uFog")

	id, err := linkProgram(depthVS, depthFS)
	if err != nil {
		return nil, err
	}
	r.depth.id = id
	r.depth.model, r.depth.lightVP = uniform(id, "uModel"), uniform(id, "uLightVP")

	if r.sky.id, err = linkProgram(skyVS, skyFS); err != nil {
		return nil, err
	}
	p = r.sky.id
	r.sky.invVP, r.sky.zenith = uniform(p, "uInvViewProj"), uniform(p, "uZenith")
	r.sky.horizon, r.sky.ground = uniform(p, "uHorizon"), uniform(p, "uGround")

	if r.text.id, err = linkProgram(textVS, textFS); err != nil {
		return nil, err
	}
	r.text.screen, r.text.atlas = uniform(r.text.id, "uScreen"), uniform(r.text.id, "uAtlas")

	gl.GenVertexArrays(1, &r.emptyVAO)
	r.sphere = newGLMesh(unitSphere(16, 24))
	r.cylinder = newGLMesh(unitCylinder(24))
	r.cone = newGLMesh(unitCone(16))
	r.box = newGLMesh(unitBox())
	r.quad = newGLMesh(unitQuad())
	for i := range m.Meshes {
		r.assets = append(r.assets, newGLMesh(meshAsset(&m.Meshes[i])))
	}
	for i := range t.Fields {
		r.fields = append(r.fields, newGLMesh(heightFieldMesh(&t.Fields[i])))
	}
	r.poly = newStreamBuf(3, 3)
	r.textBuf = newStreamBuf(2, 2, 4)
	r.bodyTint = make([][4]float32, len(m.Bodies))

	// Shadow map: a depth texture compared in the shader (sampler2DShadow).
	gl.GenTextures(1, &r.shadowTex)
	gl.BindTexture(gl.TEXTURE_2D, r.shadowTex)
	gl.TexImage2D(gl.TEXTURE_2D, 0, gl.DEPTH_COMPONENT24, shadowSize, shadowSize, 0, gl.DEPTH_COMPONENT, gl.FLOAT, nil)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_COMPARE_MODE, gl.COMPARE_REF_TO_TEXTURE)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_COMPARE_FUNC, gl.LEQUAL)
	gl.GenFramebuffers(1, &r.shadowFBO)
	gl.BindFramebuffer(gl.FRAMEBUFFER, r.shadowFBO)
	gl.FramebufferTexture2D(gl.FRAMEBUFFER, gl.DEPTH_ATTACHMENT, gl.TEXTURE_2D, r.shadowTex, 0)
	gl.DrawBuffer(gl.NONE)
	gl.ReadBuffer(gl.NONE)
	if s := gl.CheckFramebufferStatus(gl.FRAMEBUFFER); s != gl.FRAMEBUFFER_COMPLETE {
		return nil, fmt.Errorf("viewer: shadow framebuffer incomplete (status 0x%x)", s)
	}
	gl.BindFramebuffer(gl.FRAMEBUFFER, 0)

	// Font atlas.
	r.atlas = newFontAtlas()
	r.batch.atlas = r.atlas
	gl.GenTextures(1, &r.fontTex)
	gl.BindTexture(gl.TEXTURE_2D, r.fontTex)
	gl.PixelStorei(gl.UNPACK_ALIGNMENT, 1)
	b := r.atlas.img.Bounds()
	gl.TexImage2D(gl.TEXTURE_2D, 0, gl.R8, int32(b.Dx()), int32(b.Dy()), 0, gl.RED, gl.UNSIGNED_BYTE, gl.Ptr(r.atlas.img.Pix))
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE)
	gl.BindTexture(gl.TEXTURE_2D, 0)
	if e := gl.GetError(); e != gl.NO_ERROR {
		return nil, fmt.Errorf("viewer: GL error 0x%x while setting up the renderer", e)
	}
	return r, nil
}

func (r *renderer) delete() {
	for _, m := range []*glMesh{&r.sphere, &r.cylinder, &r.cone, &r.box, &r.quad} {
		m.delete()
	}
	for i := range r.assets {
		r.assets[i].delete()
	}
	for i := range r.fields {
		r.fields[i].delete()
	}
	r.poly.delete()
	r.textBuf.delete()
	gl.DeleteVertexArrays(1, &r.emptyVAO)
	gl.DeleteFramebuffers(1, &r.shadowFBO)
	gl.DeleteTextures(1, &r.shadowTex)
	gl.DeleteTextures(1, &r.fontTex)
	for _, p := range []uint32{r.lit.id, r.depth.id, r.sky.id, r.text.id} {
		gl.DeleteProgram(p)
	}
}

// prim draws mesh g scaled by s then placed at x, in colour c (colour pass)
// or into the shadow map (shadow pass).
func (r *renderer) prim(g *glMesh, x *spatial.Transform, s spatial.Vec3, c [4]float32) {
	m := modelMatrix(x, s)
	mf := m.f32()
	r.drawCalls++
	if r.shadowPass {
		gl.UniformMatrix4fv(r.depth.model, 1, false, &mf[0])
		g.draw()
		return
	}
	n := normalMatrix(x, s)
	gl.UniformMatrix4fv(r.lit.model, 1, false, &mf[0])
	gl.UniformMatrix3fv(r.lit.normal, 1, false, &n[0])
	gl.Uniform4f(r.lit.color, c[0], c[1], c[2], c[3])
	g.draw()
}

func (r *renderer) setEmissive(e float32) {
	if !r.shadowPass {
		gl.Uniform1f(r.lit.emissive, e)
	}
}

func (r *renderer) setChecker(on bool) {
	if !r.shadowPass {
		v := int32(0)
		if on {
			v = 1
		}
		gl.Uniform1i(r.lit.checker, v)
	}
}

var identityX = spatial.IdentityTransform()

// geomColor returns the colour geom i is drawn in.
func (r *renderer) geomColor(i int, v *View) [4]float32 {
	g := &r.model.Geoms[i]
	c := g.RGBA
	if c == ([4]float32{}) {
		c = defaultGeom
	}
	if v.On(OverlayLimits) {
		if t := r.bodyTint[g.Body]; t[3] > 0 {
			c = [4]float32{t[0], t[1], t[2], c[3]}
		}
	}
	return c
}

// visible reports whether geom i is drawn: robot geoms of groups 0–2 (the
// convention MuJoCo's viewer follows), and collision geoms (group 3 and up)
// when that overlay is on. World geoms are drawn as terrain instead.
func (r *renderer) visible(i int, v *View, translucent bool) bool {
	g := &r.model.Geoms[i]
	if g.Body == 0 || g.Type == rbd.GeomHField {
		return false
	}
	if g.Group >= 3 {
		return translucent && v.On(OverlayCollision)
	}
	c := g.RGBA
	return (c[3] < 1 && c != [4]float32{}) == translucent
}

// geom draws geom i at its pose in s.
func (r *renderer) geom(i int, s *Snapshot, c [4]float32) {
	g := &r.model.Geoms[i]
	x := &s.Geoms[i]
	sz := g.Size
	switch g.Type {
	case rbd.GeomSphere:
		r.prim(&r.sphere, x, spatial.Vec3{sz[0], sz[0], sz[0]}, c)
	case rbd.GeomEllipsoid:
		r.prim(&r.sphere, x, sz, c)
	case rbd.GeomBox:
		r.prim(&r.box, x, sz, c)
	case rbd.GeomCylinder:
		r.prim(&r.cylinder, x, spatial.Vec3{sz[0], sz[0], sz[1]}, c)
	case rbd.GeomCapsule:
		r.prim(&r.cylinder, x, spatial.Vec3{sz[0], sz[0], sz[1]}, c)
		for _, z := range []float64{-sz[1], sz[1]} {
			e := spatial.Transform{R: x.R, P: x.Point(spatial.Vec3{0, 0, z})}
			r.prim(&r.sphere, &e, spatial.Vec3{sz[0], sz[0], sz[0]}, c)
		}
	case rbd.GeomPlane:
		hx, hy := sz[0], sz[1]
		if hx <= 0 {
			hx = 5
		}
		if hy <= 0 {
			hy = 5
		}
		r.prim(&r.quad, x, spatial.Vec3{hx, hy, 1}, c)
	case rbd.GeomMesh:
		if g.Mesh >= 0 && g.Mesh < len(r.assets) {
			r.prim(&r.assets[g.Mesh], x, spatial.Vec3{1, 1, 1}, c)
		}
	}
}

// drawRobot draws the robot's opaque (or translucent) geoms.
func (r *renderer) drawRobot(s *Snapshot, v *View, translucent bool) {
	if v.hideRobot {
		return
	}
	for i := range r.model.Geoms {
		if r.visible(i, v, translucent) {
			r.geom(i, s, r.geomColor(i, v))
		}
	}
}

// drawTerrain draws the simulated terrain around the camera target.
func (r *renderer) drawTerrain(target spatial.Vec3) {
	t := r.terrain
	r.setChecker(true)
	for _, p := range t.Planes {
		// A large square of the plane, centred under the target.
		c := target.Sub(p.Normal.Scale(p.Normal.Dot(target) - p.Offset))
		x := spatial.Transform{R: alignZ(p.Normal), P: c}
		r.prim(&r.quad, &x, spatial.Vec3{groundHalf, groundHalf, 1}, groundColor)
	}
	for i := range t.Boxes {
		b := &t.Boxes[i]
		r.prim(&r.box, &b.X, b.Half, terrainColor)
	}
	for i := range r.fields {
		r.prim(&r.fields[i], &identityX, spatial.Vec3{1, 1, 1}, terrainColor)
	}
	r.setChecker(false)
}

// groundBelow returns the terrain height under (x, y), or 0 where there is
// none.
func (r *renderer) groundBelow(p spatial.Vec3) float64 {
	if z, ok := r.terrain.HeightAt(p[0], p[1]); ok && !math.IsInf(z, 0) {
		return z
	}
	return 0
}

// arrow draws an arrow from p along d (its length is |d|) of shaft radius
// rad.
func (r *renderer) arrow(p, d spatial.Vec3, rad float64, c [4]float32) {
	l := d.Norm()
	if !(l > 1e-6) || math.IsInf(l, 0) {
		return
	}
	u := d.Scale(1 / l)
	head := math.Min(0.35*l, 5*rad)
	shaft := l - head
	R := alignZ(u)
	x := spatial.Transform{R: R, P: p.AddScaled(shaft/2, u)}
	r.prim(&r.cylinder, &x, spatial.Vec3{rad, rad, shaft / 2}, c)
	x.P = p.AddScaled(shaft, u)
	r.prim(&r.cone, &x, spatial.Vec3{2.2 * rad, 2.2 * rad, head}, c)
}

// segment draws a thin cylinder from a to b.
func (r *renderer) segment(a, b spatial.Vec3, rad float64, c [4]float32) {
	d := b.Sub(a)
	l := d.Norm()
	if !(l > 1e-9) {
		return
	}
	x := spatial.Transform{R: alignZ(d), P: a.AddScaled(0.5, d)}
	r.prim(&r.cylinder, &x, spatial.Vec3{rad, rad, l / 2}, c)
}

// ball draws a sphere of radius rad at p.
func (r *renderer) ball(p spatial.Vec3, rad float64, c [4]float32) {
	x := spatial.Transform{R: spatial.Identity3(), P: p}
	r.prim(&r.sphere, &x, spatial.Vec3{rad, rad, rad}, c)
}

// disc draws a flat disc of radius rad lying on the ground at p.
func (r *renderer) disc(p spatial.Vec3, rad float64, c [4]float32) {
	x := spatial.Transform{R: spatial.Identity3(), P: p}
	r.prim(&r.cylinder, &x, spatial.Vec3{rad, rad, 0.002}, c)
}

// updateTints sets the per-body joint-limit colours from s.
func (r *renderer) updateTints(s *Snapshot) {
	m := r.model
	for b := range r.bodyTint {
		r.bodyTint[b] = [4]float32{}
	}
	for j := range m.Joints {
		if j >= len(s.LimitMargin) {
			break
		}
		mg := s.LimitMargin[j]
		if math.IsNaN(mg) || mg >= LimitWarn {
			continue
		}
		b := m.Joints[j].Body
		c := colWarn
		if mg <= 0.01 {
			c = colLimit
		}
		if cur := r.bodyTint[b]; cur[3] == 0 || c == colLimit {
			r.bodyTint[b] = c
		}
	}
}

// drawSupport draws the support polygon of s's loaded contacts: green when
// the centre of mass is over it, red when not.
func (r *renderer) drawSupport(s *Snapshot) {
	r.pts = supportPoints(r.pts[:0], s.Contacts)
	hull := convexHull(r.pts)
	if len(hull) == 0 {
		return
	}
	c := colSupport
	if !insideHull(hull, s.COM) {
		c = colOutside
	}
	const lift = 0.003
	if len(hull) >= 3 {
		v := r.polyVerts[:0]
		up := [3]float32{0, 0, 1}
		add := func(p spatial.Vec3) {
			v = append(v, float32(p[0]), float32(p[1]), float32(p[2]+lift), up[0], up[1], up[2])
		}
		for i := 1; i+1 < len(hull); i++ {
			add(hull[0])
			add(hull[i])
			add(hull[i+1])
		}
		r.polyVerts = v
		id4 := identity4()
		mf := id4.f32()
		n := normalMatrix(&identityX, spatial.Vec3{1, 1, 1})
		gl.UniformMatrix4fv(r.lit.model, 1, false, &mf[0])
		gl.UniformMatrix3fv(r.lit.normal, 1, false, &n[0])
		gl.Uniform4f(r.lit.color, c[0], c[1], c[2], c[3])
		r.poly.draw(v, 6)
		r.drawCalls++
	}
	edge := [4]float32{c[0] * 0.7, c[1] * 0.7, c[2] * 0.7, 1}
	for i := range hull {
		a, b := hull[i], hull[(i+1)%len(hull)]
		a[2] += lift
		b[2] += lift
		r.segment(a, b, 0.004, edge)
	}
}

// drawPlan draws planned footsteps (translucent) and swing trajectories.
func (r *renderer) drawPlanSolid(s *Snapshot) {
	for _, sw := range s.Plan.Swing {
		for i := 0; i+1 < len(sw); i++ {
			r.segment(sw[i], sw[i+1], 0.005, colSwing)
		}
	}
}

func (r *renderer) drawFootsteps(s *Snapshot) {
	for _, f := range s.Plan.Footsteps {
		c := colLeft
		if f.Foot == 1 {
			c = colRight
		}
		sn, cs := math.Sincos(f.Yaw)
		x := spatial.Transform{R: spatial.Mat3{cs, -sn, 0, sn, cs, 0, 0, 0, 1}, P: f.Pos.Add(spatial.Vec3{0, 0, 0.004})}
		r.prim(&r.box, &x, spatial.Vec3{0.11, 0.05, 0.003}, c)
	}
}

// frame draws snapshot s with view v into framebuffer fb of w×h pixels.
func (r *renderer) frame(s *Snapshot, v *View, fb uint32, w, h int) {
	r.drawCalls = 0
	if len(s.Geoms) != len(r.model.Geoms) {
		s = &Snapshot{} // nothing captured yet: draw the empty scene
		s.SetState(r.model, rbd.NewData(r.model), r.model.Qpos0, nil)
	}
	aspect := float64(w) / float64(max(h, 1))
	cam := &v.Camera
	r.vp = cam.ViewProjection(aspect)
	eye := cam.Eye()
	centre := cam.Target
	centre[2] = r.groundBelow(centre)
	lv := lookAt(centre.AddScaled(15, lightDir), centre, spatial.Vec3{0, 0, 1})
	lp := ortho(-shadowExtent, shadowExtent, -shadowExtent, shadowExtent, 1, 30)
	r.lightVP = lp.mul(&lv)
	if v.On(OverlayLimits) {
		r.updateTints(s)
	}

	gl.Enable(gl.DEPTH_TEST)
	gl.DepthFunc(gl.LEQUAL)
	gl.Disable(gl.CULL_FACE)
	if v.Shadows {
		r.shadowPass = true
		gl.BindFramebuffer(gl.FRAMEBUFFER, r.shadowFBO)
		gl.Viewport(0, 0, shadowSize, shadowSize)
		gl.Clear(gl.DEPTH_BUFFER_BIT)
		gl.UseProgram(r.depth.id)
		lf := r.lightVP.f32()
		gl.UniformMatrix4fv(r.depth.lightVP, 1, false, &lf[0])
		gl.Enable(gl.POLYGON_OFFSET_FILL)
		gl.PolygonOffset(2, 4)
		r.drawRobot(s, v, false)
		for i := range r.terrain.Boxes {
			b := &r.terrain.Boxes[i]
			r.prim(&r.box, &b.X, b.Half, terrainColor)
		}
		gl.Disable(gl.POLYGON_OFFSET_FILL)
		r.shadowPass = false
	}

	gl.BindFramebuffer(gl.FRAMEBUFFER, fb)
	gl.Viewport(0, 0, int32(w), int32(h))
	gl.ClearColor(skyHorizon[0], skyHorizon[1], skyHorizon[2], 1)
	gl.Clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT)

	// Sky.
	gl.Disable(gl.DEPTH_TEST)
	gl.DepthMask(false)
	gl.UseProgram(r.sky.id)
	inv, ok := r.vp.inverse()
	if !ok {
		inv = identity4()
	}
	invf := inv.f32()
	gl.UniformMatrix4fv(r.sky.invVP, 1, false, &invf[0])
	gl.Uniform3f(r.sky.zenith, skyZenith[0], skyZenith[1], skyZenith[2])
	gl.Uniform3f(r.sky.horizon, skyHorizon[0], skyHorizon[1], skyHorizon[2])
	gl.Uniform3f(r.sky.ground, skyGround[0], skyGround[1], skyGround[2])
	gl.BindVertexArray(r.emptyVAO)
	gl.DrawArrays(gl.TRIANGLES, 0, 3)
	gl.DepthMask(true)
	gl.Enable(gl.DEPTH_TEST)

	// Lit scene.
	gl.UseProgram(r.lit.id)
	vpf, lf := r.vp.f32(), r.lightVP.f32()
	gl.UniformMatrix4fv(r.lit.viewProj, 1, false, &vpf[0])
	gl.UniformMatrix4fv(r.lit.lightVP, 1, false, &lf[0])
	gl.Uniform3f(r.lit.light, float32(lightDir[0]), float32(lightDir[1]), float32(lightDir[2]))
	gl.Uniform3f(r.lit.eye, float32(eye[0]), float32(eye[1]), float32(eye[2]))
	gl.Uniform3f(r.lit.fogColor, skyHorizon[0], skyHorizon[1], skyHorizon[2])
	gl.Uniform2f(r.lit.fog, fogStart, fogEnd)
	shadows := int32(0)
	if v.Shadows {
		shadows = 1
	}
	gl.Uniform1i(r.lit.shadows, shadows)
	gl.ActiveTexture(gl.TEXTURE0)
	gl.BindTexture(gl.TEXTURE_2D, r.shadowTex)
	gl.Uniform1i(r.lit.shadowMap, 0)
	r.setEmissive(0)
	r.drawTerrain(cam.Target)
	r.drawRobot(s, v, false)

	// Opaque overlays.
	r.setEmissive(0.35)
	if v.On(OverlayContacts) {
		for i := range s.Contacts {
			c := &s.Contacts[i]
			r.ball(c.Pos, 0.009, colContact)
			r.arrow(c.Pos, c.Force.Scale(v.ForceScale), 0.006, colForce)
		}
	}
	if v.On(OverlayFrames) {
		for b := 1; b < len(s.Bodies); b++ {
			x := &s.Bodies[b]
			for k := 0; k < 3; k++ {
				r.arrow(x.P, x.R.Col(k).Scale(0.09), 0.004, axisColors[k])
			}
		}
	}
	if v.On(OverlayCOM) {
		g := s.COM
		g[2] = r.groundBelow(s.COM)
		r.segment(g, s.COM, 0.003, colCOM)
		r.disc(g.Add(spatial.Vec3{0, 0, 0.002}), 0.035, colCOM)
	}
	if v.On(OverlayCapture) {
		if p, ok := s.CapturePoint(r.groundBelow(s.COM)); ok {
			p[2] = r.groundBelow(p) + 0.004
			r.disc(p, 0.03, colCapture)
		}
		if s.Plan.HasCapturePoint {
			p := s.Plan.CapturePoint
			r.disc(p.Add(spatial.Vec3{0, 0, 0.006}), 0.022, colCaptureP)
			r.segment(p, p.Add(spatial.Vec3{0, 0, 0.12}), 0.004, colCaptureP)
		}
	}
	if v.On(OverlayPlan) {
		r.drawPlanSolid(s)
	}

	// Translucent: collision geoms, support polygon, footsteps.
	gl.Enable(gl.BLEND)
	gl.BlendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA)
	gl.DepthMask(false)
	r.setEmissive(0)
	r.drawRobot(s, v, true)
	r.setEmissive(0.6)
	if v.On(OverlaySupport) {
		r.drawSupport(s)
	}
	if v.On(OverlayPlan) {
		r.drawFootsteps(s)
	}
	gl.DepthMask(true)

	// Markers seen through the body.
	gl.Disable(gl.DEPTH_TEST)
	r.setEmissive(0.7)
	if v.On(OverlayCOM) {
		r.ball(s.COM, 0.03, colCOM)
	}
	if v.On(OverlayLimits) {
		for j := range r.model.Joints {
			if j < len(s.LimitMargin) && s.LimitMargin[j] < LimitWarn {
				c := colWarn
				if s.LimitMargin[j] <= 0.01 {
					c = colLimit
				}
				r.ball(s.JointAnchor[j], 0.022, c)
			}
		}
	}
	r.setEmissive(0)

	r.drawText(s, v, w, h)
	gl.Disable(gl.BLEND)
	gl.Enable(gl.DEPTH_TEST)
	gl.BindVertexArray(0)
}

var (
	textWhite = [4]float32{1, 1, 1, 1}
	textDim   = [4]float32{0.85, 0.9, 1, 1}
	textRed   = [4]float32{1, 0.45, 0.4, 1}
	panel     = [4]float32{0.05, 0.07, 0.1, 0.62}
)

// hudLines returns the status lines: time, real-time factor, base speed,
// mode, the velocity command, and the overlays on.
func hudLines(s *Snapshot, v *View, model *rbd.Model) (lines []string, errLine string) {
	st := &s.Status
	parts := []string{fmt.Sprintf("t %.3f s", s.Time)}
	var run string
	switch {
	case st.Paused:
		run = "PAUSED"
	case !math.IsNaN(st.RealTimeFactor) && st.RealTimeFactor > 0:
		run = fmt.Sprintf("RTF %.2fx", st.RealTimeFactor)
	}
	if st.Fast {
		run += " fast"
	} else if st.Slow > 0 && st.Slow < 1 {
		run += fmt.Sprintf(" slow x%g", st.Slow)
	}
	if run = strings.TrimSpace(run); run != "" {
		parts = append(parts, run)
	}
	parts = append(parts, fmt.Sprintf("base %.2f m/s", math.Hypot(s.BaseVel[0], s.BaseVel[1])))
	mode := st.Mode
	if mode == "" {
		mode = "-"
	}
	parts = append(parts, "mode "+mode)
	cmd := fmt.Sprintf("cmd vx %+.1f vy %+.1f wz %+.1f", st.Command.Vx, st.Command.Vy, st.Command.YawRate)
	if st.CommandUnused {
		cmd += " (unused)"
	}
	if st.CommandErr != "" {
		cmd += " (refused)"
	}
	parts = append(parts, cmd)
	if st.Pushing {
		parts = append(parts, "PUSH")
	}
	if v.FPS > 0 {
		parts = append(parts, fmt.Sprintf("%.0f fps", v.FPS))
	}
	l1 := strings.Join(parts, " | ")
	lines = append(lines, l1)
	var on []string
	for _, n := range overlayNames {
		if v.On(n.bit) {
			name := n.name
			if n.bit == OverlayContacts {
				name += fmt.Sprintf(" (%g mm/N)", v.ForceScale*1000)
			}
			on = append(on, name)
		}
	}
	l2 := "overlays: none"
	if len(on) > 0 {
		l2 = "overlays: " + strings.Join(on, ", ")
	}
	if !v.Help {
		l2 += " | H: help"
	}
	lines = append(lines, l2)
	if v.On(OverlayLimits) {
		var near []string
		for j := range model.Joints {
			if j < len(s.LimitMargin) && s.LimitMargin[j] < LimitWarn {
				near = append(near, fmt.Sprintf("%s %.0f%%", model.Joints[j].Name, 100*math.Max(0, s.LimitMargin[j])))
			}
		}
		if len(near) > 0 {
			if len(near) > 4 {
				near = append(near[:4], fmt.Sprintf("+%d more", len(near)-4))
			}
			lines = append(lines, "near a limit: "+strings.Join(near, ", "))
		}
	}
	if st.CommandErr != "" {
		lines = append(lines, st.CommandErr)
	}
	if st.Err != "" {
		errLine = "stopped: " + st.Err + " (R: reset)"
	}
	return lines, errLine
}

// drawText draws the HUD and the help panel.
func (r *renderer) drawText(s *Snapshot, v *View, w, h int) {
	t := &r.batch
	t.reset()
	t.scale = math.Max(1, math.Floor(float64(h)/900+0.5))
	lh := t.lineHeight()
	pad := 4 * t.scale
	y := pad
	if v.HUD {
		lines, errLine := hudLines(s, v, r.model)
		if errLine != "" {
			lines = append(lines, errLine)
		}
		wmax := 0.0
		for _, l := range lines {
			wmax = math.Max(wmax, t.width(l))
		}
		t.rect(0, 0, wmax+2*pad, float64(len(lines))*lh+2*pad, panel)
		for i, l := range lines {
			c := textWhite
			if i > 0 {
				c = textDim
			}
			if l == errLine && errLine != "" {
				c = textRed
			}
			t.text(pad, y, l, c)
			y += lh
		}
		y += 2 * pad
	}
	if v.Help {
		lines := append([]string{"keys and mouse"}, v.helpLines()...)
		wmax := 0.0
		for _, l := range lines {
			wmax = math.Max(wmax, t.width(l))
		}
		t.rect(0, y, wmax+2*pad, y+float64(len(lines))*lh+2*pad, panel)
		y += pad
		for _, l := range lines {
			t.text(pad, y, l, textWhite)
			y += lh
		}
	}
	if len(t.verts) == 0 {
		return
	}
	gl.Disable(gl.DEPTH_TEST)
	gl.Enable(gl.BLEND)
	gl.BlendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA)
	gl.UseProgram(r.text.id)
	gl.Uniform2f(r.text.screen, float32(w), float32(h))
	gl.ActiveTexture(gl.TEXTURE0)
	gl.BindTexture(gl.TEXTURE_2D, r.fontTex)
	gl.Uniform1i(r.text.atlas, 0)
	r.textBuf.draw(t.verts, 8)
	r.drawCalls++
}
