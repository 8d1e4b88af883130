package canbus

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stride-robotics/stride/hal"
)

// plant is a test stand: each motor's position moves to its set-point
// at once when Kp > 0; torque reports Kp·(P−p)+T.
type plant struct {
	mu  sync.Mutex
	p   []float64
	cmd []MotorCommand
	ops []Op
}

func newPlant(n int, p0 float64) *plant {
	pl := &plant{p: make([]float64, n), cmd: make([]MotorCommand, n), ops: make([]Op, n)}
	for i := range pl.p {
		pl.p[i] = p0
	}
	return pl
}

func (p *plant) Apply(j int, op Op, c *MotorCommand) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ops[j] = op
	if op == OpCommand {
		p.cmd[j] = *c
		if c.Kp > 0 {
			p.p[j] = c.P
		}
	}
}

func (p *plant) Measure(j int) (float64, float64, float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.p[j], 0.5, p.cmd[j].T
}

const testFile = `robot: r
rate: 500
lost_after: 30ms
buses:
  can0: {protocol: mit-cubemars, reply_timeout: 1500us}
  can1: {protocol: mit-damiao, reply_timeout: 1500us, master_id: 0x10}
joints:
  - {name: a, bus: can0, id: 1, drive: cubemars-ak80-9, range: [-1, 1]}
  - {name: b, bus: can0, id: 2, drive: cubemars-ak80-9, direction: -1, zero: 0.5, gear: 2, range: [-2, 3]}
  - {name: c, bus: can1, id: 3, drive: damiao-dm-j4310, range: [-1, 1], max_temp: 70}
`

type rig struct {
	t     *testing.T
	file  *File
	plant *plant
	srv   *DriveServer
	robot *Robot
	s     hal.Sensors
	gap   time.Duration // pause before each step
}

func newRig(t *testing.T, src string) *rig {
	t.Helper()
	f, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pl := newPlant(len(f.Joints), 0.5) // joint b: motor 0.5 is joint 0
	srv, err := ServeDrives(f, dir, pl, 1)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(f, Options{BusDir: dir})
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); srv.Close() })
	return &rig{t: t, file: f, plant: pl, srv: srv, robot: r}
}

// step writes c and waits (up to 2 s of wall time, generous for a loaded
// machine) for every bus to finish a cycle, then reads.
func (g *rig) step(c *hal.Commands) {
	g.t.Helper()
	seq := g.s.Seq
	time.Sleep(g.gap)
	if err := g.robot.Write(c); err != nil {
		g.t.Fatal(err)
	}
	end := time.Now().Add(2 * time.Second)
	// Faults reported once (a garbled frame) are in whichever Read comes
	// next: keep those of the polling Reads too.
	var jf [hal.MaxJoints]hal.Fault
	var bf hal.Fault
	for {
		_ = g.robot.Read(&g.s)
		for i := range jf {
			jf[i] |= g.s.JointFaults[i]
		}
		bf |= g.s.BusFault
		if g.s.Seq > seq || time.Now().After(end) {
			break
		}
		time.Sleep(100 * time.Microsecond)
	}
	g.s.JointFaults, g.s.BusFault = jf, bf
	if g.s.Seq <= seq {
		g.t.Fatal("no bus cycle within 2 s")
	}
}

func hold(n int) hal.Commands {
	c := hal.Commands{N: n}
	for i := 0; i < n; i++ {
		c.Joint[i] = hal.JointCommand{Q: 0.25, Kp: 40, Kd: 1, Tau: 0.5}
	}
	return c
}

func (g *rig) enable() {
	g.t.Helper()
	reps, err := g.robot.Probe(context.Background(), 200*time.Millisecond)
	if err != nil {
		g.t.Fatal(err)
	}
	if err := CheckStart(reps); err != nil {
		g.t.Fatal(err)
	}
	if err := g.robot.Enable(context.Background()); err != nil {
		g.t.Fatal(err)
	}
}

func TestBusRoundTrip(t *testing.T) {
	g := newRig(t, testFile)
	g.enable()
	c := hold(3)
	for i := 0; i < 5; i++ {
		g.step(&c)
	}
	g.step(&c) // the plant has taken the set-point; the reply shows it
	// joint b: motor = −1·0.25·2 + 0.5 = 0; Kp/gear² = 10; torque −0.5/2
	g.plant.mu.Lock()
	mb := g.plant.cmd[1]
	g.plant.mu.Unlock()
	if math.Abs(mb.P-0) > 4e-4 || math.Abs(mb.Kp-10) > 0.13 || math.Abs(mb.T+0.25) > 0.01 {
		t.Errorf("joint b's drive got %+v, want P 0, Kp 10, T −0.25", mb)
	}
	for i := 0; i < 3; i++ {
		if math.Abs(g.s.Q[i]-0.25) > 1e-3 || g.s.JointFaults[i] != 0 {
			t.Errorf("joint %d: q %g (want 0.25), fault %v", i, g.s.Q[i], g.s.JointFaults[i])
		}
	}
	if math.Abs(g.s.Qd[1]+0.25) > 0.02 || math.Abs(g.s.Tau[1]-0.5) > 0.05 {
		t.Errorf("joint b: qd %g (want −0.5/2), tau %g (want 0.5)", g.s.Qd[1], g.s.Tau[1])
	}
	if g.s.BusFault != 0 || !g.srv.Enabled(2) {
		t.Errorf("bus fault %v, drive c enabled %v", g.s.BusFault, g.srv.Enabled(2))
	}
}

// stepUntil steps until the joint's fault (joint −1: the bus's; −2: any
// joint's) has bit f, or 400 cycles pass.
func (g *rig) stepUntil(joint int, f hal.Fault) bool {
	c := hold(3)
	for i := 0; i < 400; i++ {
		g.step(&c)
		if joint >= 0 && g.s.JointFaults[joint]&f != 0 || joint == -1 && g.s.BusFault&f != 0 {
			return true
		}
		if joint == -2 { // any joint
			for j := 0; j < 3; j++ {
				if g.s.JointFaults[j]&f != 0 {
					return true
				}
			}
		}
	}
	return false
}

func TestFaults(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(g *rig)
		joint int
		want  hal.Fault
	}{
		{"silent", func(g *rig) { g.srv.Update(func(f *DriveFaults) { f.Silent = map[int]bool{1: true} }) }, 1, hal.FaultCommLost},
		// replies 2 ms after their request: past the 1.5 ms timeout, before
		// the next cycle (the rig spaces cycles 3 ms apart once gap is set)
		{"late", func(g *rig) {
			g.gap = 3 * time.Millisecond
			g.srv.Update(func(f *DriveFaults) { f.Latency = 2 * time.Millisecond })
		}, 0, hal.FaultLate},
		{"garbled", func(g *rig) { g.srv.Update(func(f *DriveFaults) { f.Garble = 1 }) }, -2, hal.FaultProtocol},
		{"over-temp code", func(g *rig) { g.srv.Update(func(f *DriveFaults) { f.Code = map[int]uint8{0: 1} }) }, 0, hal.FaultOverTemp},
		{"over-temp reading", func(g *rig) { g.srv.Update(func(f *DriveFaults) { f.Temp = map[int]float64{2: 75} }) }, 2, hal.FaultOverTemp},
		{"damiao over-current", func(g *rig) { g.srv.Update(func(f *DriveFaults) { f.Code = map[int]uint8{2: 0xa} }) }, 2, hal.FaultOverCurrent},
		{"bus gone", func(g *rig) { g.srv.CloseBus("can1") }, -1, hal.FaultBusOff},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newRig(t, testFile)
			g.enable()
			h := hold(3)
			g.step(&h)
			for i := 0; i < 3; i++ {
				if g.s.JointFaults[i] != 0 {
					t.Fatalf("fault %v on joint %d before the injection", g.s.JointFaults[i], i)
				}
			}
			c.edit(g)
			if !g.stepUntil(c.joint, c.want) {
				t.Fatalf("no %v after 400 cycles: joints %v bus %v", c.want, g.s.JointFaults[:3], g.s.BusFault)
			}
			if c.want == hal.FaultBusOff && g.s.JointFaults[2] != hal.FaultCommLost {
				t.Errorf("joint c on the gone bus: %v, want comm-lost", g.s.JointFaults[2])
			}
		})
	}
}

// 5 % of replies dropped is tolerated: counted, never a fault.
func TestDropsTolerated(t *testing.T) {
	g := newRig(t, testFile)
	g.enable()
	g.srv.Update(func(f *DriveFaults) { f.DropRate = 0.05 })
	c := hold(3)
	for i := 0; i < 300; i++ {
		g.step(&c)
		for j := 0; j < 3; j++ {
			if g.s.JointFaults[j] != 0 {
				t.Fatalf("cycle %d: joint %d fault %v with 5 %% dropped", i, j, g.s.JointFaults[j])
			}
		}
	}
	var drops uint64
	for _, s := range g.robot.Stats() {
		drops += s.Drops
	}
	if drops < 10 || drops > 100 { // 900 replies, 5 %: 45 expected
		t.Errorf("%d drops counted in 900 replies at 5 %%", drops)
	}
}

func TestStartGuard(t *testing.T) {
	g := newRig(t, testFile)
	g.srv.Update(func(f *DriveFaults) { f.Silent = map[int]bool{2: true} })
	g.plant.mu.Lock()
	g.plant.p[0] = 1.2 // joint a outside [-1, 1]
	g.plant.mu.Unlock()
	reps, err := g.robot.Probe(context.Background(), 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	err = CheckStart(reps)
	if err == nil || !strings.Contains(err.Error(), "a (can0 id 1): at 1.200 rad, outside its range") ||
		!strings.Contains(err.Error(), "c (can1 id 3): the drive does not answer") || strings.Contains(err.Error(), "b (") {
		t.Fatalf("start guard: %v", err)
	}
	if g.srv.Enabled(0) || g.srv.Enabled(1) {
		t.Error("probing enabled a drive")
	}
}

func TestZero(t *testing.T) {
	g := newRig(t, testFile)
	g.plant.mu.Lock()
	g.plant.p[0] = 0.7
	g.plant.mu.Unlock()
	if err := g.robot.Zero(context.Background(), []int{0}); err != nil {
		t.Fatal(err)
	}
	reps, _ := g.robot.Probe(context.Background(), 200*time.Millisecond)
	if math.Abs(reps[0].Q) > 1e-3 || math.Abs(reps[1].Q) > 1e-3 {
		t.Errorf("after zeroing joint a at 0.7: a %g (want 0), b %g (unchanged 0)", reps[0].Q, reps[1].Q)
	}
}

// The tick's share of the bus work — Read and Write — allocates nothing.
func TestTickAllocs(t *testing.T) {
	g := newRig(t, testFile)
	g.enable()
	c := hold(3)
	var s hal.Sensors
	n := testing.AllocsPerRun(500, func() {
		_ = g.robot.Read(&s)
		_ = g.robot.Write(&c)
	})
	if n != 0 {
		t.Errorf("Read+Write allocate %g times per tick", n)
	}
}

func BenchmarkTickBusWork(b *testing.B) {
	f, _ := Parse("t.yaml", []byte(testFile))
	dir := b.TempDir()
	srv, err := ServeDrives(f, dir, newPlant(3, 0.5), 1)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	r, err := Open(f, Options{BusDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	c := hold(3)
	var s hal.Sensors
	b.ReportAllocs()
	for b.Loop() {
		_ = r.Read(&s)
		_ = r.Write(&c)
	}
}

// The tick's bus work for a 24-joint humanoid on 8 buses (Example's layout).
func BenchmarkTickBusWork24(b *testing.B) {
	info := &hal.Info{Name: "x"}
	for i := 0; i < 24; i++ {
		e := 61.0
		if i%4 == 0 {
			e = 164
		}
		info.Joints = append(info.Joints, hal.JointInfo{Name: fmt.Sprintf("j%d", i), PosMin: -1, PosMax: 1, VelocityLimit: 20, EffortLimit: e})
	}
	src, err := Example(info, 1000, "")
	if err != nil {
		b.Fatal(err)
	}
	f, _ := Parse("ex", src)
	dir := b.TempDir()
	srv, err := ServeDrives(f, dir, newPlant(24, 0), 1)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	r, err := Open(f, Options{BusDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	c := hold(24)
	var s hal.Sensors
	b.ReportAllocs()
	for b.Loop() {
		_ = r.Read(&s)
		_ = r.Write(&c)
	}
}
