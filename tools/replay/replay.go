package replay

import (
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"sync"
	"time"

	"github.com/stride-robotics/stride/hal/fileio"
	"github.com/stride-robotics/stride/runtime/telemetry"
	"github.com/stride-robotics/stride/runtime/telemetry/export"
	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/rbd"
	"github.com/stride-robotics/stride/sim/scene"
	"github.com/stride-robotics/stride/sim/spatial"
	"github.com/stride-robotics/stride/sim/viewer"
	"github.com/stride-robotics/stride/sim/viewer/xvfb"
)

// Scene loads the model at path ("" for the built-in robot) and the terrain
// (as stride sim --terrain; "" for the log's sim.terrain metadata, else
// flat) to draw the log on. A model whose hash is not the log's is drawn,
// with a warning on warn.
func Scene(h *telemetry.Header, path, terrain string, warn io.Writer) (*rbd.Model, *sim.Terrain, error) {
	if path == "" && h.Robot != models.BuiltinName {
		return nil, nil, fmt.Errorf("the log is of robot %q, not the built-in %s: give its model with --model FILE", h.Robot, models.BuiltinName)
	}
	m, err := models.Load(path)
	if err != nil {
		return nil, nil, err
	}
	for _, w := range m.Warnings {
		fmt.Fprintf(warn, "stride: model warning: %s\n", w)
	}
	def := models.BuiltinMJCF()
	if path != "" {
		if def, err = fileio.ReadFile(path, fileio.LimitModel); err != nil {
			return nil, nil, err
		}
	}
	if h.ModelHash != "" && telemetry.HashModel(def) != h.ModelHash {
		fmt.Fprintf(warn, "stride: warning: the model's hash differs from the log's (%s): it may not be the model that was logged\n", h.ModelHash)
	}
	ter := terrain
	if ter == "" {
		ter = h.Meta["sim.terrain"]
	}
	if ter == "" {
		ter = "flat"
	}
	t, err := scene.ParseTerrain(ter, m)
	if err != nil {
		return nil, nil, err
	}
	return m, t, nil
}

// PoseMap turns a replayed state into the model's configuration.
type PoseMap struct {
	m      *rbd.Model
	qpos   []float64
	root   int           // qpos address of the free joint, −1 if none
	joints *rbd.JointMap // the logged joints in the model
}

// NewPoseMap maps the log's joints onto the model by name.
func NewPoseMap(m *rbd.Model, h *telemetry.Header) (*PoseMap, error) {
	p := &PoseMap{m: m, qpos: append([]float64(nil), m.Qpos0...), root: -1}
	for i := range m.Joints {
		if m.Joints[i].Type == rbd.JointFree {
			p.root = m.Joints[i].QAdr
			break
		}
	}
	if len(h.Joints) != m.Nu {
		return nil, fmt.Errorf("the log has %d joints, model %q has %d actuators: not the same robot", len(h.Joints), m.Name, m.Nu)
	}
	jm, err := rbd.NewJointMap(m, h.Joints)
	if err != nil {
		return nil, fmt.Errorf("the log's joints are not the model's: not the same robot: %w", err)
	}
	p.joints = jm
	return p, nil
}

// Set returns the model's configuration for a replayed state (the
// returned slice is reused).
func (p *PoseMap) Set(s *telemetry.State) []float64 {
	if p.root >= 0 {
		copy(p.qpos[p.root:p.root+3], s.Base.Pos[:])
		q := s.Base.Quat
		if n := math.Sqrt(q[0]*q[0] + q[1]*q[1] + q[2]*q[2] + q[3]*q[3]); n > 0 {
			for k := range q {
				p.qpos[p.root+3+k] = q[k] / n
			}
		}
	}
	p.joints.SetPositions(p.qpos, s.Q[:p.joints.Len()])
	return p.qpos
}

// Player drives a telemetry.Replay for the viewer: it publishes the
// state at the replay clock to the window, and takes the window's keys as
// viewer.Actions (pause, step, speed, restart; the velocity keys scrub).
type Player struct {
	mu    sync.Mutex
	rp    *telemetry.Replay
	r     *telemetry.Reader
	pose  *PoseMap
	d     *rbd.Data
	st    telemetry.State
	err   string
	lastV viewer.Velocity
}

var _ viewer.Actions = (*Player)(nil)

// NewPlayer plays rp (of the log r) on the model through pose.
func NewPlayer(rp *telemetry.Replay, r *telemetry.Reader, pose *PoseMap) *Player {
	return &Player{rp: rp, r: r, pose: pose, d: rbd.NewData(pose.m)}
}

func (p *Player) TogglePause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rp.Paused() {
		p.rp.Play()
	} else {
		p.rp.Pause()
	}
}

func (p *Player) StepOnce() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rp.Pause()
	p.rp.Step(1)
}

func (p *Player) SetSlow(f float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rp.SetSpeed(f)
}

func (p *Player) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rp.Seek(p.rp.Start())
}

func (p *Player) Push(spatial.Vec3) {}

// SetCommand scrubs: each step of the forward-speed keys moves 10 s, each
// step of the yaw keys 1 s (left: back).
func (p *Player) SetCommand(v viewer.Velocity) {
	p.mu.Lock()
	defer p.mu.Unlock()
	dt := 100*(v.Vx-p.lastV.Vx) - 10*(v.YawRate-p.lastV.YawRate)
	zeroed := v == viewer.Velocity{} && math.Abs(dt) > 10.5 // X zeroes the keys' sum: not a scrub
	p.lastV = v
	if zeroed {
		return
	}
	p.rp.Seek(p.rp.Time() + math.Round(dt))
}

// fill advances the clock by dt and fills s with the state there.
func (p *Player) fill(s *viewer.Snapshot, dt time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rp.Advance(dt)
	if err := p.rp.Current(&p.st); err != nil {
		p.err = err.Error()
	}
	s.SetState(p.pose.m, p.d, p.pose.Set(&p.st), nil)
	s.Time = p.st.Time
	s.BaseVel = p.st.Base.LinVel
	s.Contacts = s.Contacts[:0]
	s.Status = viewer.Status{Paused: p.rp.Paused(), Slow: 1, RealTimeFactor: 1,
		Mode: "replay " + export.NameOf(p.r.Header.ModeNames, int(p.st.Mode)), CommandUnused: true, Err: p.err}
}

// Publish feeds the window at 60 frames per second until done.
func (p *Player) Publish(ex *viewer.Exchange, done <-chan struct{}) {
	tick := time.NewTicker(time.Second / 60)
	defer tick.Stop()
	s := new(viewer.Snapshot)
	last := time.Now()
	for {
		now := time.Now()
		p.fill(s, now.Sub(last))
		last = now
		s = ex.Publish(s)
		select {
		case <-done:
			return
		case <-tick.C:
		}
	}
}

// Screenshot renders the state at the clock's time into a new PNG file at
// path (never replacing one; see Render) and returns that state.
func (p *Player) Screenshot(path string, m *rbd.Model, t *sim.Terrain, opt viewer.Options) (*telemetry.State, error) {
	img, st, err := p.Render(m, t, opt)
	if err != nil {
		return nil, err
	}
	if err := viewer.SavePNG(path, img); err != nil {
		return nil, err
	}
	return st, nil
}

// Render renders the state at the clock's time off-screen (through a
// private Xvfb when there is no display) and returns the image and that
// state.
func (p *Player) Render(m *rbd.Model, t *sim.Terrain, opt viewer.Options) (*image.RGBA, *telemetry.State, error) {
	if err := viewer.CheckDisplay(); err != nil {
		if !xvfb.Available() {
			return nil, nil, fmt.Errorf("--screenshot renders off-screen through an X server: %v, and Xvfb is not installed (apt-get install xvfb)", err)
		}
		srv, err := xvfb.Start(opt.Width, opt.Height)
		if err != nil {
			return nil, nil, err
		}
		defer srv.Close()
		os.Setenv("DISPLAY", srv.Display)
	}
	o, err := viewer.NewOffscreen(m, t, opt)
	if err != nil {
		return nil, nil, err
	}
	defer o.Close()
	s := new(viewer.Snapshot)
	p.fill(s, 0)
	if p.err != "" {
		return nil, nil, errors.New(p.err)
	}
	img, err := o.Render(s)
	if err != nil {
		return nil, nil, err
	}
	return img, &p.st, nil
}
