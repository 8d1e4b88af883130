package canbus

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// This file is the drive side of the buses: DriveServer answers every bus
// of a robot file on Unix SOCK_SEQPACKET sockets as the file's MIT drives
// would, for a Plant that says what each drive does with a set-point and
// what it measures. The simulator's bus emulator (tools/busemu) and this
// package's tests are its users. It injects faults on request: silent
// drives, dropped and garbled replies, error codes, temperatures, a bus
// going away.

// Plant is what the drives drive, motor side. Calls come from the bus
// goroutines concurrently; joint is the file's joint index.
type Plant interface {
	// Apply hands over a set-point (op OpCommand) or a control op.
	Apply(joint int, op Op, c *MotorCommand)
	// Measure returns the drive's position, velocity and torque.
	Measure(joint int) (p, v, t float64)
}

// DriveFaults are the faults a DriveServer injects.
type DriveFaults struct {
	Latency  time.Duration // each reply this long after its request
	DropRate float64       // share of replies dropped at random
	Garble   int           // the next Garble replies are sent garbled (wrong length)
	Silent   map[int]bool  // joints whose drive never replies
	Code     map[int]uint8 // joints whose drive reports this error code / state
	Temp     map[int]float64
}

// DriveServer serves a robot file's buses.
type DriveServer struct {
	file  *File
	plant Plant
	dir   string

	mu     sync.Mutex
	faults DriveFaults
	rng    *rand.Rand
	lns    map[string]*net.UnixListener
	conns  map[string][]*net.UnixConn
	enable []bool
	zero   []float64 // motor-side offset set by OpZero
	served uint64
	wg     sync.WaitGroup
}

// ServeDrives listens on dir/<bus> for every bus of f (removing stale
// sockets) and answers in the background until Close.
func ServeDrives(f *File, dir string, plant Plant, seed uint64) (*DriveServer, error) {
	s := &DriveServer{file: f, plant: plant, dir: dir, rng: rand.New(rand.NewPCG(seed, 0x5eed)),
		lns: map[string]*net.UnixListener{}, conns: map[string][]*net.UnixConn{},
		enable: make([]bool, len(f.Joints)), zero: make([]float64, len(f.Joints))}
	for _, b := range f.Buses {
		path := filepath.Join(dir, b.Name)
		if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
			_ = os.Remove(path)
		}
		ln, err := net.ListenUnix("unixpacket", &net.UnixAddr{Name: path, Net: "unixpacket"})
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("canbus: serve bus %s: %w", b.Name, err)
		}
		s.lns[b.Name] = ln
		s.wg.Add(1)
		go s.accept(b, ln)
	}
	return s, nil
}

// SetFaults replaces the injected faults.
func (s *DriveServer) SetFaults(f DriveFaults) {
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
}

// Update edits the injected faults under the server's lock.
func (s *DriveServer) Update(edit func(f *DriveFaults)) {
	s.mu.Lock()
	edit(&s.faults)
	s.mu.Unlock()
}

// CloseBus closes bus name's listener and connections: the bus goes away.
func (s *DriveServer) CloseBus(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ln := s.lns[name]; ln != nil {
		ln.Close()
		delete(s.lns, name)
	}
	for _, c := range s.conns[name] {
		c.Close()
	}
	delete(s.conns, name)
}

// Enabled reports whether joint's drive is in motor mode.
func (s *DriveServer) Enabled(joint int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enable[joint]
}

// Served counts the frames answered.
func (s *DriveServer) Served() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.served
}

// Close stops serving and removes the sockets.
func (s *DriveServer) Close() error {
	s.mu.Lock()
	for name, ln := range s.lns {
		ln.Close()
		_ = os.Remove(filepath.Join(s.dir, name))
	}
	s.lns = map[string]*net.UnixListener{}
	for _, cs := range s.conns {
		for _, c := range cs {
			c.Close()
		}
	}
	s.conns = map[string][]*net.UnixConn{}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

func (s *DriveServer) accept(b BusSpec, ln *net.UnixListener) {
	defer s.wg.Done()
	for {
		c, err := ln.AcceptUnix()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[b.Name] = append(s.conns[b.Name], c)
		s.mu.Unlock()
		s.wg.Add(1)
		go s.serve(b, c)
	}
}

type reply struct {
	due time.Time
	fr  Frame
}

func (s *DriveServer) serve(b BusSpec, c *net.UnixConn) {
	defer s.wg.Done()
	defer c.Close()
	proto, _ := ProtocolByName(b.Protocol)
	mit, _ := proto.(*MIT)
	var joints []int
	var drives []Drive
	for i, j := range s.file.Joints {
		if j.Bus == b.Name {
			joints = append(joints, i)
			drives = append(drives, Drive{ID: j.ID, Ranges: j.Ranges})
		}
	}
	out := make(chan reply, 64)
	done := make(chan struct{})
	go func() { // the writer: each reply at its due time
		defer close(done)
		var buf [WireSize]byte
		send := func(r *reply) bool {
			r.fr.Marshal(buf[:])
			_, err := c.Write(buf[:])
			return err == nil
		}
		for r := range out {
			if d := time.Until(r.due); d > 0 {
				time.Sleep(d)
			}
			ok := send(&r)
			// the replies queued meanwhile are due too (one sleep per
			// frame set, not per frame: the bus carries them back to back)
			for more := true; ok && more; {
				select {
				case r2, open := <-out:
					if !open {
						return
					}
					ok = send(&r2)
				default:
					more = false
				}
			}
			if !ok {
				for range out {
				}
				return
			}
		}
	}()
	defer func() { close(out); <-done }()
	var buf [WireSize]byte
	var fr, rf Frame // once per connection, not per frame
	var cmd MotorCommand
	for {
		n, err := c.Read(buf[:])
		if err != nil {
			return
		}
		now := time.Now()
		if fr.Unmarshal(buf[:n]) != nil {
			continue
		}
		k := -1
		for i := range drives {
			if drives[i].ID == fr.ID {
				k = i
			}
		}
		if k < 0 {
			continue // not for a drive of this bus
		}
		j := joints[k]
		op, err := mit.DecodeCommand(&fr, &drives[k], &cmd)
		if err != nil {
			continue
		}
		s.mu.Lock()
		f := &s.faults
		silent := f.Silent[j] || (f.DropRate > 0 && s.rng.Float64() < f.DropRate)
		garble := false
		if !silent && f.Garble > 0 {
			f.Garble--
			garble = true
		}
		code, hasCode := f.Code[j]
		temp, hasTemp := f.Temp[j]
		lat := f.Latency
		switch op {
		case OpEnable:
			s.enable[j] = true
		case OpDisable:
			s.enable[j] = false
		case OpZero:
			p, _, _ := s.plant.Measure(j)
			s.zero[j] = p
		}
		en := s.enable[j]
		zero := s.zero[j]
		s.served++
		s.mu.Unlock()
		if op == OpCommand {
			cmd.P += zero
			if !en {
				cmd = MotorCommand{} // a disabled drive applies nothing
			}
		}
		s.plant.Apply(j, op, &cmd)
		if silent {
			continue
		}
		p, v, t := s.plant.Measure(j)
		if !hasTemp {
			temp = 35
		}
		if !hasCode && mit.Layout == LayoutDamiao {
			code = 0
			if en {
				code = 1
			}
		}
		mit.EncodeReply(&rf, &drives[k], b.Master, p-zero, v, t, temp, code)
		if garble {
			rf.Len = 3
		}
		select {
		case out <- reply{due: now.Add(lat), fr: rf}:
		default: // the writer is behind: the reply is lost, as on a saturated bus
		}
	}
}
