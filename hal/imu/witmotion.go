package imu

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"path/filepath"
	"sync"
	"time"

	"go.bug.st/serial"

	"github.com/stride-robotics/stride/hal"
)

// WitMotion packet types Stride reads.
const (
	typeAccel = 0x51 // acceleration, g (±16 g full scale), then temperature
	typeGyro  = 0x52 // angular velocity, °/s (±2000 °/s full scale)
	typeAngle = 0x53 // Euler angles (ignored: the quaternion is used)
	typeQuat  = 0x59 // quaternion w, x, y, z (÷32768)
)

// PacketSize is the length of a WitMotion packet.
const PacketSize = 11

// SampleSize is the bytes of one sample as Stride expects it: the
// acceleration, angular velocity and quaternion packets.
const SampleSize = 3 * PacketSize

const (
	gravity  = 9.80665
	accScale = 16 * gravity / 32768
	gyrScale = 2000 * math.Pi / 180 / 32768
)

// Parser decodes a WitMotion byte stream. A sample is complete at a
// quaternion packet, with the newest acceleration and rate packets before
// it. It allocates nothing.
type Parser struct {
	buf     [PacketSize]byte
	n       int
	acc     [3]float64
	gyro    [3]float64
	haveAcc bool
	haveGyr bool
	Bad     uint64 // packets with a wrong checksum or impossible values
	Skipped uint64 // bytes skipped while looking for a header
}

// Feed takes bytes from the stream; on every complete sample it calls
// out. It returns nothing: bad packets are counted in Bad.
func (p *Parser) Feed(b []byte, out func(*hal.IMU)) {
	for _, c := range b {
		if p.n == 0 && c != 0x55 {
			p.Skipped++
			continue
		}
		p.buf[p.n] = c
		p.n++
		if p.n < PacketSize {
			continue
		}
		p.n = 0
		p.packet(out)
	}
}

func (p *Parser) packet(out func(*hal.IMU)) {
	b := &p.buf
	var sum byte
	for _, c := range b[:10] {
		sum += c
	}
	if sum != b[10] {
		p.Bad++
		p.resync()
		return
	}
	v := func(i int) float64 { return float64(int16(binary.LittleEndian.Uint16(b[2+2*i:]))) }
	switch b[1] {
	case typeAccel:
		p.acc = [3]float64{v(0) * accScale, v(1) * accScale, v(2) * accScale}
		p.haveAcc = true
	case typeGyro:
		p.gyro = [3]float64{v(0) * gyrScale, v(1) * gyrScale, v(2) * gyrScale}
		p.haveGyr = true
	case typeQuat:
		q := [4]float64{v(0) / 32768, v(1) / 32768, v(2) / 32768, v(3) / 32768}
		nq := math.Sqrt(q[0]*q[0] + q[1]*q[1] + q[2]*q[2] + q[3]*q[3])
		if nq < 0.9 || nq > 1.1 { // not a rotation: garbage that passed the sum
			p.Bad++
			return
		}
		if !p.haveAcc || !p.haveGyr {
			return
		}
		r := hal.IMU{Gyro: p.gyro, Accel: p.acc}
		for i := range q {
			r.Quat[i] = q[i] / nq
		}
		out(&r)
	case typeAngle:
	default:
		// other packet types (magnetometer, pressure, …): ignored
	}
}

// resync looks for a header inside a bad packet, so one lost byte costs
// one packet, not the stream.
func (p *Parser) resync() {
	for i := 1; i < PacketSize; i++ {
		if p.buf[i] == 0x55 {
			p.n = copy(p.buf[:], p.buf[i:])
			return
		}
	}
}

// Encode writes one sample (acceleration, rate and quaternion packets,
// SampleSize bytes) for r into b: what a WitMotion sensor sends, for the
// emulator and tests. Values beyond full scale are clamped.
func Encode(b []byte, r *hal.IMU) {
	put := func(off int, typ byte, v [4]float64) {
		p := b[off : off+PacketSize]
		p[0], p[1] = 0x55, typ
		for i, x := range v {
			x = math.Round(x)
			x = math.Max(-32768, math.Min(32767, x))
			binary.LittleEndian.PutUint16(p[2+2*i:], uint16(int16(x)))
		}
		var sum byte
		for _, c := range p[:10] {
			sum += c
		}
		p[10] = sum
	}
	a, g, q := r.Accel, r.Gyro, r.Quat
	put(0, typeAccel, [4]float64{a[0] / accScale, a[1] / accScale, a[2] / accScale, 3500}) // 35.00 °C
	put(PacketSize, typeGyro, [4]float64{g[0] / gyrScale, g[1] / gyrScale, g[2] / gyrScale, 0})
	put(2*PacketSize, typeQuat, [4]float64{q[0] * 32768, q[1] * 32768, q[2] * 32768, q[3] * 32768})
}

// Reader reads a WitMotion stream in a goroutine and keeps the newest
// sample: hal/canbus's IMUSource.
type Reader struct {
	rc  io.ReadCloser
	mu  sync.Mutex
	cur hal.IMU
	n   uint64
	at  time.Time
	err error
	p   Parser
	wg  sync.WaitGroup
}

// NewReader starts reading rc.
func NewReader(rc io.ReadCloser) *Reader {
	r := &Reader{rc: rc}
	r.wg.Add(1)
	go r.loop()
	return r
}

func (r *Reader) loop() {
	defer r.wg.Done()
	var buf [256]byte
	emit := func(s *hal.IMU) {
		r.mu.Lock()
		r.cur, r.at = *s, time.Now()
		r.n++
		r.mu.Unlock()
	}
	for {
		n, err := r.rc.Read(buf[:])
		r.p.Feed(buf[:n], emit)
		if err != nil {
			r.mu.Lock()
			r.err = fmt.Errorf("imu: %w", err)
			r.mu.Unlock()
			return
		}
	}
}

// Latest copies the newest sample into dst and says how many have come,
// when the last did, and the error that stopped the stream, if any.
func (r *Reader) Latest(dst *hal.IMU) (uint64, time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	*dst = r.cur
	return r.n, r.at, r.err
}

// Close stops reading.
func (r *Reader) Close() error {
	err := r.rc.Close()
	r.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// Open opens the IMU: the serial device port at baud, or, when busDir is
// set, the Unix stream socket busDir/imu that the bus emulator serves.
func Open(port string, baud int, busDir string) (*Reader, error) {
	if busDir != "" {
		path := filepath.Join(busDir, "imu")
		c, err := net.Dial("unix", path)
		if err != nil {
			return nil, fmt.Errorf("imu: %w", err)
		}
		return NewReader(c), nil
	}
	sp, err := serial.Open(port, &serial.Mode{BaudRate: baud})
	if err != nil {
		return nil, fmt.Errorf("imu: %s at %d baud: %w", port, baud, err)
	}
	return NewReader(sp), nil
}
