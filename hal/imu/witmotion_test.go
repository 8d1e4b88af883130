package imu

import (
	"math"
	"net"
	"testing"
	"time"

	"github.com/stride-robotics/stride/hal"
)

func sample() hal.IMU {
	s, c := math.Sin(0.2), math.Cos(0.2)
	return hal.IMU{Quat: [4]float64{c, s * 0.6, 0, s * 0.8}, Gyro: [3]float64{0.5, -1.25, 3}, Accel: [3]float64{0.3, -0.2, 9.81}}
}

// A sample round-trips within the protocol's resolution.
func TestRoundTrip(t *testing.T) {
	in := sample()
	var b [SampleSize]byte
	Encode(b[:], &in)
	var p Parser
	var got []hal.IMU
	p.Feed(b[:], func(s *hal.IMU) { got = append(got, *s) })
	if len(got) != 1 {
		t.Fatalf("%d samples from one", len(got))
	}
	g := got[0]
	for i := 0; i < 3; i++ {
		if math.Abs(g.Gyro[i]-in.Gyro[i]) > gyrScale || math.Abs(g.Accel[i]-in.Accel[i]) > accScale {
			t.Errorf("axis %d: gyro %g→%g, accel %g→%g", i, in.Gyro[i], g.Gyro[i], in.Accel[i], g.Accel[i])
		}
	}
	for i := 0; i < 4; i++ {
		if math.Abs(g.Quat[i]-in.Quat[i]) > 1e-4 {
			t.Errorf("quat %d: %g→%g", i, in.Quat[i], g.Quat[i])
		}
	}
}

// A corrupted byte costs the packet it is in, not the stream.
func TestResync(t *testing.T) {
	in := sample()
	var b [3 * SampleSize]byte
	for k := 0; k < 3; k++ {
		Encode(b[k*SampleSize:], &in)
	}
	b[SampleSize+5] ^= 0x40 // inside the second sample's accel packet
	var p Parser
	n := 0
	p.Feed(b[:], func(*hal.IMU) { n++ })
	if n != 3 || p.Bad != 1 { // the second sample still completes with the first's accel
		t.Errorf("%d samples, %d bad packets; want 3 and 1", n, p.Bad)
	}
	// garbage between samples is skipped
	p = Parser{}
	n = 0
	p.Feed(append([]byte{1, 2, 3}, b[:SampleSize]...), func(*hal.IMU) { n++ })
	if n != 1 || p.Skipped != 3 {
		t.Errorf("%d samples, %d skipped", n, p.Skipped)
	}
}

// Over a socket pair, the Reader keeps the newest sample; when the other
// end goes quiet the sample's time stops; closing reports an error.
func TestReader(t *testing.T) {
	a, b := net.Pipe()
	r := NewReader(b)
	defer r.Close()
	in := sample()
	var buf [SampleSize]byte
	for k := 0; k < 5; k++ {
		in.Gyro[0] = float64(k)
		Encode(buf[:], &in)
		if _, err := a.Write(buf[:]); err != nil {
			t.Fatal(err)
		}
	}
	var got hal.IMU
	deadline := time.Now().Add(2 * time.Second)
	for {
		n, _, _ := r.Latest(&got)
		if n == 5 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if n, _, err := r.Latest(&got); n != 5 || math.Abs(got.Gyro[0]-4) > gyrScale || err != nil {
		t.Fatalf("%d samples, newest gyro x %g, err %v", n, got.Gyro[0], err)
	}
	a.Close()
	for i := 0; i < 2000; i++ {
		if _, _, err := r.Latest(&got); err != nil {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Error("closed stream not reported")
}

func FuzzParser(f *testing.F) {
	in := sample()
	var b [SampleSize]byte
	Encode(b[:], &in)
	f.Add(b[:])
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Parser
		p.Feed(data, func(s *hal.IMU) {
			n := 0.0
			for _, q := range s.Quat {
				n += q * q
			}
			if math.Abs(n-1) > 1e-9 {
				t.Fatalf("non-unit quaternion %v", s.Quat)
			}
			for i := 0; i < 3; i++ {
				if math.Abs(s.Gyro[i]) > 2000*math.Pi/180+1e-9 || math.Abs(s.Accel[i]) > 16*gravity+1e-9 {
					t.Fatalf("beyond full scale: %+v", s)
				}
			}
		})
	})
}
