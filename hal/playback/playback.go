package playback

import (
	"errors"
	"fmt"

	"github.com/stride-robotics/stride/hal"
)

// ErrUnexpected is wrapped by every error of a use the recording does not
// provide for.
var ErrUnexpected = errors.New("playback: unexpected use")

// Robot plays recorded sensor samples back as a hal.Robot.
type Robot struct {
	info  hal.Info
	queue []hal.Sensors // samples fed and not yet read, from head
	head  int

	read    bool // a sample was read and not yet answered by a Write
	halted  bool
	last    hal.Commands
	reads   int
	writes  int
	halts   int
	err     error
	OnWrite func(c *hal.Commands) // called with every accepted command
}

var _ hal.Robot = (*Robot)(nil)

// New makes a playback robot described by info (its joint names and limits,
// which Write checks commands against).
func New(info *hal.Info) (*Robot, error) {
	if len(info.Joints) == 0 || len(info.Joints) > hal.MaxJoints {
		return nil, fmt.Errorf("playback: robot %q has %d joints, want 1 to %d", info.Name, len(info.Joints), hal.MaxJoints)
	}
	r := &Robot{info: *info}
	r.info.Joints = append([]hal.JointInfo(nil), info.Joints...)
	return r, nil
}

// Info implements hal.Robot.
func (r *Robot) Info() *hal.Info { return &r.info }

// Feed queues a recorded sample for a later Read. A sample whose joint
// count is not the robot's is refused.
func (r *Robot) Feed(s *hal.Sensors) error {
	if s.N != len(r.info.Joints) {
		return fmt.Errorf("playback: recorded sample %d has %d joints, robot %q has %d", s.Seq, s.N, r.info.Name, len(r.info.Joints))
	}
	if r.head == len(r.queue) {
		r.queue, r.head = r.queue[:0], 0
	}
	r.queue = append(r.queue, *s)
	return nil
}

// Pending returns the samples fed and not yet read.
func (r *Robot) Pending() int { return len(r.queue) - r.head }

// Read implements hal.Robot: the next sample fed, unchanged. With none
// queued it is an unexpected use: s is left as it was.
func (r *Robot) Read(s *hal.Sensors) error {
	if r.head == len(r.queue) {
		return r.fail(fmt.Errorf("%w: Read %d with no recorded sample left", ErrUnexpected, r.reads+1))
	}
	*s = r.queue[r.head]
	r.head++
	r.reads++
	r.read = true
	return nil
}

// Write implements hal.Robot: it checks c against the robot's Info (a
// refused command changes nothing, as on a robot) and keeps it. A Write
// that does not answer a Read is an unexpected use.
func (r *Robot) Write(c *hal.Commands) error {
	if !r.read {
		if r.reads == 0 {
			return r.fail(fmt.Errorf("%w: Write before any Read", ErrUnexpected))
		}
		return r.fail(fmt.Errorf("%w: a second Write for sample %d", ErrUnexpected, r.reads))
	}
	if err := c.Check(&r.info); err != nil {
		return err
	}
	r.read = false
	r.last = *c
	r.writes++
	r.halted = false
	if r.OnWrite != nil {
		r.OnWrite(c)
	}
	return nil
}

// Halt implements hal.Robot: it is always allowed and is counted.
func (r *Robot) Halt() error {
	r.halted = true
	r.halts++
	return nil
}

// Halted reports whether the last call was Halt rather than Write.
func (r *Robot) Halted() bool { return r.halted }

// Last returns the last command accepted by Write.
func (r *Robot) Last() *hal.Commands { return &r.last }

// Counts returns the reads, accepted writes and halts so far.
func (r *Robot) Counts() (reads, writes, halts int) { return r.reads, r.writes, r.halts }

// Err returns the first unexpected use, or nil.
func (r *Robot) Err() error { return r.err }

func (r *Robot) fail(err error) error {
	if r.err == nil {
		r.err = err
	}
	return err
}
