package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"sync"
	"time"

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

type logReplayCmd struct {
	File       string        `arg:"" help:"Telemetry log (.tlm)." type:"existingfile"`
	Source     string        `default:"truth" enum:"truth,estimate" help:"Base pose to show: truth (simulator logs) or estimate."`
	From       float64       `default:"-Inf" help:"Time to start at, s of log time (default: the first tick)."`
	Speed      float64       `default:"1" help:"Playback speed (1: real time)."`
	Model      string        `help:"Model file, when the log is not of the built-in robot." type:"path"`
	Terrain    string        `help:"Terrain to draw (as stride sim --terrain); default: the log's sim.terrain metadata, else flat."`
	Text       bool          `help:"Print the replayed states as text instead of opening the viewer."`
	Every      time.Duration `default:"100ms" help:"--text: log time between printed states."`
	Screenshot string        `help:"Render the state at --from off-screen into this PNG and exit (starts a private Xvfb when DISPLAY is unset)." type:"path" placeholder:"FILE.png"`
	Size       string        `default:"1280x720" help:"Window or image size, WIDTHxHEIGHT pixels."`
	Camera     string        `default:"follow" enum:"follow,side,front,top" help:"Initial camera view."`
	Paused     bool          `help:"Start paused."`
}

// Keys of the replay window (the viewer's keys, read for a replay).
const replayKeys = `replay keys: Space play/pause, N or . one tick forward, [ ] slower/faster (x0.1 … x1),
  R back to the start, Left/Right (Q/E) scrub -/+1 s, Up/Down (W/S) scrub +/-10 s, Esc close`

func (c *logReplayCmd) Run() error {
	if math.IsNaN(c.Speed) || c.Speed <= 0 || c.Speed > 100 {
		return fmt.Errorf("--speed %g: want (0, 100]", c.Speed)
	}
	r, err := telemetry.Open(c.File)
	if err != nil {
		return err
	}
	defer r.Close()
	src := telemetry.SourceTruth
	if c.Source == "estimate" {
		src = telemetry.SourceEstimate
	}
	rp, err := telemetry.NewReplay(r, src)
	if err != nil {
		return fmt.Errorf("%w (--source estimate shows the estimator's base pose)", err)
	}
	rp.Seek(c.From)
	rp.SetSpeed(c.Speed)
	if c.Text {
		return c.printText(rp, r)
	}
	m, terrain, err := c.replayScene(r)
	if err != nil {
		return err
	}
	pose, err := newPoseMap(m, &r.Header)
	if err != nil {
		return err
	}
	opt, err := (&viewFlags{Size: c.Size, Camera: c.Camera, Slow: 1, PushImpulse: 1}).viewOptions()
	if err != nil {
		return err
	}
	pl := &replayPlayer{rp: rp, r: r, pose: pose, d: rbd.NewData(m)}
	if c.Screenshot != "" {
		return pl.screenshot(c.Screenshot, m, terrain, opt)
	}
	if err := viewer.CheckDisplay(); err != nil {
		return fmt.Errorf("%v: no window for the replay; --text prints it, --screenshot FILE.png renders a frame", err)
	}
	opt.Title = fmt.Sprintf("Stride replay — %s (%s)", c.File, src)
	fmt.Fprintln(os.Stderr, replayKeys)
	if !c.Paused {
		rp.Play()
	}
	ex := viewer.NewExchange()
	done := make(chan struct{})
	var wg sync.WaitGroup
	start := func() {
		wg.Add(1)
		go func() { defer wg.Done(); pl.publish(ex, done) }()
	}
	stop := func() error { close(done); wg.Wait(); return nil }
	err = viewer.Watch(m, terrain, ex, pl, opt, start, stop)
	reportDamage(r)
	return err
}

// replayScene loads the model and terrain to draw the log on.
func (c *logReplayCmd) replayScene(r *telemetry.Reader) (*rbd.Model, *sim.Terrain, error) {
	h := &r.Header
	path := c.Model
	if path == "" && h.Robot != models.BuiltinName {
		return nil, nil, fmt.Errorf("the log is of robot %q, not the built-in %s: give its model with --model FILE", h.Robot, models.BuiltinName)
	}
	m, err := loadModel(path)
	if err != nil {
		return nil, nil, err
	}
	def := models.BuiltinMJCF()
	if path != "" {
		if def, err = os.ReadFile(path); err != nil {
			return nil, nil, err
		}
	}
	if h.ModelHash != "" && telemetry.HashModel(def) != h.ModelHash {
		fmt.Fprintf(os.Stderr, "stride: warning: the model's hash differs from the log's (%s): it may not be the model that was logged\n", h.ModelHash)
	}
	ter := c.Terrain
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

// poseMap turns a replayed state into the model's configuration.
type poseMap struct {
	m      *rbd.Model
	qpos   []float64
	root   int           // qpos address of the free joint, −1 if none
	joints *rbd.JointMap // the logged joints in the model
}

func newPoseMap(m *rbd.Model, h *telemetry.Header) (*poseMap, error) {
	p := &poseMap{m: m, qpos: append([]float64(nil), m.Qpos0...), root: -1}
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

func (p *poseMap) set(s *telemetry.State) []float64 {
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

// replayPlayer drives a telemetry.Replay for the viewer: it publishes the
// state at the replay clock to the window, and takes the window's keys as
// viewer.Actions (pause, step, speed, restart; the velocity keys scrub).
type replayPlayer struct {
	mu    sync.Mutex
	rp    *telemetry.Replay
	r     *telemetry.Reader
	pose  *poseMap
	d     *rbd.Data
	st    telemetry.State
	err   string
	lastV viewer.Velocity
}

var _ viewer.Actions = (*replayPlayer)(nil)

func (p *replayPlayer) TogglePause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rp.Paused() {
		p.rp.Play()
	} else {
		p.rp.Pause()
	}
}

func (p *replayPlayer) StepOnce() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rp.Pause()
	p.rp.Step(1)
}

func (p *replayPlayer) SetSlow(f float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rp.SetSpeed(f)
}

func (p *replayPlayer) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rp.Seek(p.rp.Start())
}

func (p *replayPlayer) Push(spatial.Vec3) {}

// SetCommand scrubs: each step of the forward-speed keys moves 10 s, each
// step of the yaw keys 1 s (left: back).
func (p *replayPlayer) SetCommand(v viewer.Velocity) {
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
func (p *replayPlayer) fill(s *viewer.Snapshot, dt time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rp.Advance(dt)
	if err := p.rp.Current(&p.st); err != nil {
		p.err = err.Error()
	}
	s.SetState(p.pose.m, p.d, p.pose.set(&p.st), nil)
	s.Time = p.st.Time
	s.BaseVel = p.st.Base.LinVel
	s.Contacts = s.Contacts[:0]
	s.Status = viewer.Status{Paused: p.rp.Paused(), Slow: 1, RealTimeFactor: 1,
		Mode: "replay " + export.NameOf(p.r.Header.ModeNames, int(p.st.Mode)), CommandUnused: true, Err: p.err}
}

// publish feeds the window at 60 frames per second until done.
func (p *replayPlayer) publish(ex *viewer.Exchange, done <-chan struct{}) {
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

// screenshot renders the state at the clock's time into a PNG.
func (p *replayPlayer) screenshot(path string, m *rbd.Model, t *sim.Terrain, opt viewer.Options) error {
	if err := viewer.CheckDisplay(); err != nil {
		if !xvfb.Available() {
			return fmt.Errorf("--screenshot renders off-screen through an X server: %v, and Xvfb is not installed (apt-get install xvfb)", err)
		}
		srv, err := xvfb.Start(opt.Width, opt.Height)
		if err != nil {
			return err
		}
		defer srv.Close()
		os.Setenv("DISPLAY", srv.Display)
	}
	o, err := viewer.NewOffscreen(m, t, opt)
	if err != nil {
		return err
	}
	defer o.Close()
	s := new(viewer.Snapshot)
	p.fill(s, 0)
	if p.err != "" {
		return errors.New(p.err)
	}
	img, err := o.Render(s)
	if err != nil {
		return err
	}
	if err := viewer.SavePNG(path, img); err != nil {
		return err
	}
	fmt.Printf("wrote %s (%dx%d): tick %d at t = %.3f s\n", path, opt.Width, opt.Height, p.st.Tick, p.st.Time)
	return nil
}

// printText prints the state every --every of log time.
func (c *logReplayCmd) printText(rp *telemetry.Replay, r *telemetry.Reader) error {
	if c.Every <= 0 {
		return fmt.Errorf("--every %v: want a positive interval", c.Every)
	}
	var s telemetry.State
	fmt.Printf("# %s: %s base pose, joints %s…\n", c.File, c.Source, export.FirstJoint(&r.Header))
	fmt.Printf("%9s %9s %-10s %8s %8s %8s %7s %7s %7s %7s %7s\n", "t", "tick", "mode", "x", "y", "z", "qw", "qx", "qy", "qz", "speed")
	for t := rp.Time(); t <= rp.End()+1e-9; t += c.Every.Seconds() {
		if err := rp.At(t, &s); err != nil {
			return err
		}
		b := &s.Base
		fmt.Printf("%9.3f %9d %-10s %8.4f %8.4f %8.4f %7.4f %7.4f %7.4f %7.4f %7.3f\n", s.Time, s.Tick, export.NameOf(r.Header.ModeNames, int(s.Mode)),
			b.Pos[0], b.Pos[1], b.Pos[2], b.Quat[0], b.Quat[1], b.Quat[2], b.Quat[3], math.Hypot(b.LinVel[0], b.LinVel[1]))
	}
	reportDamage(r)
	return nil
}
