package busemu

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/hal/canbus"
	"github.com/stride-robotics/stride/hal/imu"
	"github.com/stride-robotics/stride/hal/simhal"
)

// Options are the emulator's settings.
type Options struct {
	Latency  time.Duration // each drive reply this long after its request
	DropRate float64       // share of replies dropped
	Seed     uint64        // for the drops
}

// MaxBacklog is how many physics steps the emulator may run late before
// it drops the backlog.
const MaxBacklog = 20

// Emulator serves a robot file's buses and IMU from a simulated robot.
type Emulator struct {
	robot *simhal.Robot
	file  *canbus.File
	dir   string
	drv   *canbus.DriveServer
	idx   []int // robot file joint → simulated joint

	mu      sync.Mutex // guards everything below and the world
	cmd     hal.Commands
	sens    hal.Sensors
	started bool

	imuLn     net.Listener
	imuConn   net.Conn
	imuSilent bool
	imuRot    [3][3]float64 // model IMU frame from sensor frame
	imuQ      [4]float64    // its quaternion

	Steps, Slips uint64
}

// New checks that the file describes the simulated robot (the same joint
// names) and starts serving on dir. The physics does not run until Run.
func New(robot *simhal.Robot, f *canbus.File, dir string, o Options) (*Emulator, error) {
	info := robot.Info()
	e := &Emulator{robot: robot, file: f, dir: dir, imuRot: [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, imuQ: [4]float64{1, 0, 0, 0}}
	for _, j := range f.Joints {
		k := -1
		for i, ji := range info.Joints {
			if ji.Name == j.Name {
				k = i
			}
		}
		if k < 0 {
			return nil, fmt.Errorf("busemu: %s:%d: joint %s is not a joint of the simulated robot %q", f.Path, j.Line, j.Name, info.Name)
		}
		e.idx = append(e.idx, k)
	}
	if len(f.Joints) != len(info.Joints) {
		return nil, fmt.Errorf("busemu: %s names %d joints, the simulated robot %q has %d", f.Path, len(f.Joints), info.Name, len(info.Joints))
	}
	// Until a drive is enabled the drives are limp; the physics waits.
	e.cmd = hal.Commands{N: len(info.Joints)}
	if err := robot.Read(&e.sens); err != nil {
		return nil, err
	}
	drv, err := canbus.ServeDrives(f, dir, e, o.Seed)
	if err != nil {
		return nil, err
	}
	drv.Update(func(df *canbus.DriveFaults) { df.Latency, df.DropRate = o.Latency, o.DropRate })
	e.drv = drv
	if f.IMU != nil {
		e.imuRot, e.imuQ = f.IMU.Mount(), f.IMU.MountQuat()
		path := filepath.Join(dir, "imu")
		if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
			_ = os.Remove(path)
		}
		ln, err := net.Listen("unix", path)
		if err != nil {
			drv.Close()
			return nil, fmt.Errorf("busemu: imu: %w", err)
		}
		e.imuLn = ln
		go e.acceptIMU()
	}
	return e, nil
}

// Drives returns the drive server, for fault injection.
func (e *Emulator) Drives() *canbus.DriveServer { return e.drv }

// SetIMUSilent stops (or resumes) the IMU's stream.
func (e *Emulator) SetIMUSilent(s bool) {
	e.mu.Lock()
	e.imuSilent = s
	e.mu.Unlock()
}

// Started reports whether the physics has started (a drive was enabled).
func (e *Emulator) Started() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.started
}

func (e *Emulator) acceptIMU() {
	for {
		c, err := e.imuLn.Accept()
		if err != nil {
			return
		}
		e.mu.Lock()
		if e.imuConn != nil {
			e.imuConn.Close()
		}
		e.imuConn = c
		e.mu.Unlock()
	}
}

// Apply is the drives' set-point, motor side, turned into the joint's
// command in the simulator (canbus.Plant).
func (e *Emulator) Apply(joint int, op canbus.Op, c *canbus.MotorCommand) {
	j := &e.file.Joints[joint]
	e.mu.Lock()
	defer e.mu.Unlock()
	switch op {
	case canbus.OpEnable:
		e.started = true
		return
	case canbus.OpDisable:
		e.cmd.Joint[e.idx[joint]] = hal.JointCommand{} // a disabled drive is limp
		return
	case canbus.OpCommand:
	default:
		return
	}
	g2 := j.Gear * j.Gear
	e.cmd.Joint[e.idx[joint]] = hal.JointCommand{Q: j.Direction * (c.P - j.Zero) / j.Gear, Qd: j.Direction * c.V / j.Gear,
		Kp: c.Kp * g2, Kd: c.Kd * g2, Tau: j.Direction * c.T * j.Gear}
}

// Measure is the drive's encoder and torque, motor side (canbus.Plant).
func (e *Emulator) Measure(joint int) (p, v, t float64) {
	j := &e.file.Joints[joint]
	k := e.idx[joint]
	e.mu.Lock()
	defer e.mu.Unlock()
	q, qd, tau := e.sens.Q[k], e.sens.Qd[k], e.sens.Tau[k]
	return j.Direction*q*j.Gear + j.Zero, j.Direction * qd * j.Gear, j.Direction * tau / j.Gear
}

// Run steps the physics in real time from the first enable until ctx is
// done or, when d > 0, d of simulated time has run.
func (e *Emulator) Run(ctx context.Context, d time.Duration) error {
	dt := time.Duration(e.robot.World.Opt.Timestep * 1e9)
	var buf [imu.SampleSize]byte
	for !e.Started() { // the IMU streams while the robot hangs
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Millisecond):
		}
		e.mu.Lock()
		e.sendIMU(buf[:])
		e.mu.Unlock()
	}
	start := time.Now()
	next := start
	for k := uint64(0); d <= 0 || time.Duration(k)*dt < d; k++ {
		select {
		case <-ctx.Done():
			return nil
		default:
		}
		next = next.Add(dt)
		if w := time.Until(next); w > 0 {
			time.Sleep(w)
		} else if -w > MaxBacklog*dt {
			e.Slips++
			next = time.Now()
		}
		if err := e.step(buf[:]); err != nil {
			return err
		}
		e.Steps++
	}
	return nil
}

func (e *Emulator) step(buf []byte) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.robot.Write(&e.cmd); err != nil {
		return fmt.Errorf("busemu: %w", err)
	}
	if err := e.robot.Advance(e.robot.World.Opt.Timestep); err != nil {
		return fmt.Errorf("busemu: the simulation: %w", err)
	}
	if err := e.robot.Read(&e.sens); err != nil {
		return err
	}
	e.sendIMU(buf)
	return nil
}

// sendIMU streams the current IMU reading; e.mu is held.
func (e *Emulator) sendIMU(buf []byte) {
	if e.imuConn != nil && !e.imuSilent {
		var s hal.IMU
		e.toSensor(&e.sens.IMU, &s)
		imu.Encode(buf, &s)
		// A reader that stops reading must not stall the physics: the
		// write gives up after 20 ms (the sample is lost, the parser
		// resynchronises); any other error ends the stream.
		_ = e.imuConn.SetWriteDeadline(time.Now().Add(20 * time.Millisecond))
		if _, err := e.imuConn.Write(buf); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			e.imuConn.Close()
			e.imuConn = nil
		}
	}
}

// toSensor turns the model-frame IMU reading into the sensor's frame:
// v_imu = Rᵀ v_model, q_world_imu = q_world_model ⊗ q(R).
func (e *Emulator) toSensor(in, out *hal.IMU) {
	R := &e.imuRot
	rot := func(v [3]float64) (w [3]float64) {
		for i := 0; i < 3; i++ {
			w[i] = R[0][i]*v[0] + R[1][i]*v[1] + R[2][i]*v[2]
		}
		return w
	}
	out.Gyro, out.Accel = rot(in.Gyro), rot(in.Accel)
	out.Quat = canbus.QuatMul(in.Quat, e.imuQ)
	if out.Quat[0] < 0 {
		for i := range out.Quat {
			out.Quat[i] = -out.Quat[i]
		}
	}
}

// Close stops serving.
func (e *Emulator) Close() error {
	e.drv.Close()
	if e.imuLn != nil {
		e.imuLn.Close()
		_ = os.Remove(filepath.Join(e.dir, "imu"))
	}
	e.mu.Lock()
	if e.imuConn != nil {
		e.imuConn.Close()
	}
	e.mu.Unlock()
	return nil
}
