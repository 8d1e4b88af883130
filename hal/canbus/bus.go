package canbus

import (
	"math"
	"sync"
	"time"

	"github.com/stride-robotics/stride/hal"
)

// Conn is a bus connection carrying struct can_frame records, one per
// read or write: a SocketCAN raw socket or a Unix SOCK_SEQPACKET socket.
type Conn interface {
	Read(b []byte) (int, error)
	Write(b []byte) (int, error)
	SetReadDeadline(t time.Time) error
	Close() error
}

// motor is the bus goroutine's record of one drive.
type motor struct {
	drive     Drive
	joint     int     // hal joint index
	maxTemp   float64 // °C; 0: unchecked
	want      bool    // this cycle's reply is awaited
	st        MotorState
	have      bool   // a reply has ever come
	miss      int    // consecutive cycles without an in-time reply
	lateRun   bool   // a late reply came during the current miss streak
	garbled   uint64 // replies that could not be decoded
	fault     hal.Fault
	Drops     uint64 // cycles without an in-time reply
	LateCount uint64 // replies that came after their cycle's deadline
}

// MotorReport is one drive's state as the bus last published it.
type MotorReport struct {
	State     MotorState
	Have      bool // the drive ever replied
	Fault     hal.Fault
	Drops     uint64
	Late      uint64
	Garbled   uint64
	LastReply time.Time
}

// bus runs one CAN bus: its goroutine sends the frame set handed over by
// the robot and collects the replies.
type bus struct {
	spec   BusSpec
	proto  Protocol
	conn   Conn
	period time.Duration
	lostN  int // cycles without a reply before a drive is lost

	wake chan struct{}
	quit chan struct{}
	done chan struct{}

	mu       sync.Mutex
	pendCmd  []MotorCommand // handed over by Write
	pendOp   Op
	pendMask uint64    // which motors the op is for (control ops); all for commands
	handAt   time.Time // when the pending set was handed over
	sendSum  time.Duration
	sendMax  time.Duration
	sendN    uint64
	replySum time.Duration // from sending a frame set to its last in-time reply
	replyMax time.Duration
	replyN   uint64
	pub      []MotorReport
	pubFault hal.Fault   // bus-wide: bus-off, protocol
	events   hal.Fault   // bus-wide faults since the last Read (a garbled frame)
	jevents  []hal.Fault // per motor, the same
	cycles   uint64
	at       time.Time // end of the last cycle

	// goroutine-private
	motors         []motor
	cmd            []MotorCommand
	buf            [WireSize]byte
	dead           bool
	rx             chan rxFrame
	timer          *time.Timer
	cycleEv        hal.Fault     // bus-wide faults of the current cycle
	lastReplyDelay time.Duration // this cycle's, when every reply came in time
	txFrame        Frame
	rxTmp          rxFrame
	stTmp          MotorState
	unknown        uint64 // frames from no drive of this bus
	lastRx         []time.Time
}

func newBus(spec BusSpec, conn Conn, period, lostAfter time.Duration) *bus {
	p, _ := ProtocolByName(spec.Protocol)
	n := max(1, int(math.Ceil(float64(lostAfter)/float64(period))))
	return &bus{spec: spec, proto: p, conn: conn, period: period, lostN: n,
		wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{}),
		rx: make(chan rxFrame, 256), timer: time.NewTimer(time.Hour)}
}

func (b *bus) addMotor(j JointSpec, joint int) {
	b.motors = append(b.motors, motor{drive: Drive{ID: j.ID, Ranges: j.Ranges}, joint: joint, maxTemp: j.MaxTemp})
	b.pendCmd = append(b.pendCmd, MotorCommand{})
	b.cmd = append(b.cmd, MotorCommand{})
	b.pub = append(b.pub, MotorReport{})
	b.lastRx = append(b.lastRx, time.Time{})
	b.jevents = append(b.jevents, 0)
}

// hand stores a frame set for the next cycle and wakes the goroutine; it
// never waits on the bus.
func (b *bus) hand(cmd []MotorCommand, op Op, mask uint64) {
	b.mu.Lock()
	if cmd != nil {
		copy(b.pendCmd, cmd)
	}
	b.pendOp, b.pendMask = op, mask
	b.handAt = time.Now()
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default: // a cycle is already due: it will take the newest set
	}
}

func (b *bus) run(expectEnabled func() bool) {
	defer close(b.done)
	b.timer.Stop()
	go b.read()
	for {
		select {
		case <-b.quit:
			return
		case <-b.wake:
		}
		b.mu.Lock()
		copy(b.cmd, b.pendCmd)
		op, mask := b.pendOp, b.pendMask
		if d := time.Since(b.handAt); op == OpCommand {
			b.sendSum += d
			b.sendMax = max(b.sendMax, d)
			b.sendN++
		}
		b.mu.Unlock()
		b.cycle(op, mask, expectEnabled())
	}
}

// rxFrame is a frame as the reader goroutine got it.
type rxFrame struct {
	at  time.Time
	fr  Frame
	bad bool  // not a struct can_frame
	err error // the socket failed: the bus is gone
}

// read is the bus's reader goroutine: every frame, stamped with its
// arrival, goes to rx; a socket error ends it.
func (b *bus) read() {
	var buf [WireSize]byte
	for {
		n, err := b.conn.Read(buf[:])
		var r rxFrame
		r.at = time.Now()
		if err != nil {
			r.err = err
		} else if r.fr.Unmarshal(buf[:n]) != nil {
			r.bad = true
		}
		select {
		case b.rx <- r:
		case <-b.quit:
			return
		}
		if err != nil {
			return
		}
	}
}

// cycle sends one frame to each motor (the set-point, or the control op
// for the motors in mask) and collects the replies until every one is in
// or the reply timeout passes. Replies that arrive outside that window
// are late: counted, their values still the newest.
func (b *bus) cycle(op Op, mask uint64, enabled bool) {
	b.drain(time.Time{})
	start := time.Now()
	fr := &b.txFrame // fields, not locals: interface calls would move them to the heap
	if !b.dead {
		for k := range b.motors {
			m := &b.motors[k]
			m.want = false
			if op != OpCommand && mask&(1<<k) == 0 {
				continue
			}
			if op == OpCommand {
				b.proto.Command(fr, &m.drive, &b.cmd[k])
			} else {
				b.proto.Control(fr, &m.drive, op)
			}
			fr.Marshal(b.buf[:])
			if _, err := b.conn.Write(b.buf[:]); err != nil {
				b.dead = true
				break
			}
			m.want = true
		}
	}
	if !b.dead && b.outstanding() > 0 {
		b.timer.Reset(time.Until(start.Add(b.spec.ReplyTimeout)))
	wait:
		for b.outstanding() > 0 && !b.dead {
			select {
			case b.rxTmp = <-b.rx:
				b.take(&b.rxTmp, start)
			case <-b.timer.C:
				break wait
			}
		}
		b.timer.Stop()
		if b.outstanding() == 0 && op == OpCommand {
			b.lastReplyDelay = time.Since(start)
		}
	}
	b.finish(op, mask, enabled)
}

// drain takes the frames already received: replies that came after the
// last cycle's deadline.
func (b *bus) drain(start time.Time) {
	for {
		select {
		case b.rxTmp = <-b.rx:
			b.take(&b.rxTmp, start)
		default:
			return
		}
	}
}

// take handles one received frame; start is the current cycle's start
// (zero between cycles).
func (b *bus) take(r *rxFrame, start time.Time) {
	switch {
	case r.err != nil:
		b.dead = true
		return
	case r.bad:
		b.cycleEv |= hal.FaultProtocol
		return
	}
	fr := &r.fr
	if fr.Err {
		if fr.BusOff() {
			b.dead = true
		}
		return // other controller errors: the missing replies tell
	}
	id, ok := b.proto.ReplyFrom(fr, b.spec.Master)
	k := b.index(id)
	if !ok || k < 0 {
		b.unknown++
		b.cycleEv |= hal.FaultProtocol
		return
	}
	m := &b.motors[k]
	if !start.IsZero() && m.want && !r.at.Before(start) {
		m.want = false // in time
	} else {
		m.LateCount++
		m.lateRun = true
	}
	st := &b.stTmp
	if err := b.proto.Reply(fr, &m.drive, st); err != nil {
		m.garbled++
		m.fault |= hal.FaultProtocol
		return
	}
	m.st, m.have = *st, true
	b.lastRx[k] = r.at
}

// finish works out every motor's faults and publishes the cycle.
func (b *bus) finish(op Op, mask uint64, enabled bool) {
	var busFault hal.Fault
	if b.dead {
		busFault |= hal.FaultBusOff
	}
	for k := range b.motors {
		m := &b.motors[k]
		if b.dead {
			m.fault = hal.FaultCommLost
			continue
		}
		sentNow := op == OpCommand || mask&(1<<k) != 0
		if sentNow && m.want {
			m.miss++
			m.Drops++
		} else if sentNow {
			m.miss, m.lateRun = 0, false
		}
		f := m.st.Fault
		if m.miss >= b.lostN {
			if m.lateRun {
				f |= hal.FaultLate
			} else {
				f |= hal.FaultCommLost
			}
		}
		if m.maxTemp > 0 && m.st.Temp > m.maxTemp {
			f |= hal.FaultOverTemp
		}
		if enabled && m.have && !m.st.Enabled && sentNow && !m.want { // this cycle's own reply says so
			f |= hal.FaultDisabled
		}
		m.fault = f | m.fault&hal.FaultProtocol
	}
	end := time.Now()
	b.mu.Lock()
	for k := range b.motors {
		m := &b.motors[k]
		b.jevents[k] |= m.fault & hal.FaultProtocol // reported at the next Read, once
		m.fault &^= hal.FaultProtocol
		b.pub[k] = MotorReport{State: m.st, Have: m.have, Fault: m.fault, Drops: m.Drops, Late: m.LateCount, Garbled: m.garbled, LastReply: b.lastRx[k]}
	}
	b.pubFault = busFault
	b.events |= b.cycleEv
	b.cycleEv = 0
	if d := b.lastReplyDelay; d > 0 {
		b.replySum += d
		b.replyMax = max(b.replyMax, d)
		b.replyN++
		b.lastReplyDelay = 0
	}
	b.cycles++
	b.at = end
	b.mu.Unlock()
}

func (b *bus) outstanding() int {
	n := 0
	for k := range b.motors {
		if b.motors[k].want {
			n++
		}
	}
	return n
}

func (b *bus) index(id uint32) int {
	for k := range b.motors {
		if b.motors[k].drive.ID == id {
			return k
		}
	}
	return -1
}

func (b *bus) stop() {
	close(b.quit)
	<-b.done
}
