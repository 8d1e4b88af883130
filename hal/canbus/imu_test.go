package canbus

import (
	"math"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/hal/imu"
)

// The IMU's readings come through the mounting rotation, and an IMU that
// goes quiet is a bus fault (imu) after its timeout.
func TestIMUMountAndSilence(t *testing.T) {
	src := testFile + "imu: {port: /dev/null, mount_rpy_deg: [0, 0, 90], timeout: 30ms}\n"
	f, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	srv, err := ServeDrives(f, dir, newPlant(3, 0.5), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ln, err := net.Listen("unix", filepath.Join(dir, "imu"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	stop := make(chan struct{})
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		s := hal.IMU{Quat: [4]float64{1, 0, 0, 0}, Gyro: [3]float64{1, 0, 0}, Accel: [3]float64{0, 0, 9.81}}
		var b [imu.SampleSize]byte
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			imu.Encode(b[:], &s)
			if _, err := c.Write(b[:]); err != nil {
				return
			}
		}
	}()
	r, err := Open(f, Options{BusDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	g := &rig{t: t, file: f, srv: srv, robot: r}
	c := hold(3)
	for i := 0; i < 400; i++ {
		g.step(&c)
		if g.s.IMU.Gyro != [3]float64{} && g.s.BusFault == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	// sensor x is model y (yaw 90°): rate about sensor x is rate about model y
	gy := g.s.IMU.Gyro
	if math.Abs(gy[0]) > 1e-3 || math.Abs(gy[1]-1) > 2e-3 || g.s.BusFault != 0 {
		t.Fatalf("gyro %v (want [0 1 0]), bus fault %v", gy, g.s.BusFault)
	}
	// orientation of the model frame: the sensor level, model frame turned −90° about z
	q := g.s.IMU.Quat
	if math.Abs(q[0]-math.Sqrt(0.5)) > 1e-3 || math.Abs(q[3]+math.Sqrt(0.5)) > 1e-3 {
		t.Errorf("quat %v, want (√½, 0, 0, −√½)", q)
	}
	close(stop)
	if !g.stepUntil(-1, hal.FaultIMU) {
		t.Fatalf("silent IMU not reported: bus fault %v", g.s.BusFault)
	}
}
