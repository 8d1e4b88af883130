package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/metrics"
	"strconv"
	"strings"
)

// The soak asks the process under test for its Go memory figures beside the
// resident set size read from /proc, so that a growth can be told apart:
// live heap (a leak), heap goal (garbage the collector lets accumulate),
// stacks, or pages the runtime holds but has not returned to the system.
// The child answers on a pipe (see serveMemStats), only when asked, with
// samples allocated once.

// memMetrics are the runtime/metrics the soak reports, in this order.
var memMetrics = []string{
	"/gc/heap/live:bytes",                  // live heap marked by the last collection
	"/gc/heap/goal:bytes",                  // heap size at which the next collection ends
	"/memory/classes/heap/objects:bytes",   // live and not yet swept objects
	"/memory/classes/heap/unused:bytes",    // heap spans in use, not holding objects
	"/memory/classes/heap/free:bytes",      // free spans not yet returned to the OS
	"/memory/classes/heap/released:bytes",  // free spans returned to the OS
	"/memory/classes/heap/stacks:bytes",    // goroutine stacks
	"/memory/classes/os-stacks:bytes",      // thread stacks
	"/memory/classes/metadata/other:bytes", // runtime metadata
	"/memory/classes/total:bytes",          // everything the runtime mapped
	"/gc/cycles/total:gc-cycles",
}

// memStats is one answer: the figures of memMetrics in kB (cycles as is).
type memStats struct {
	LiveKB, GoalKB, ObjectsKB, UnusedKB, FreeKB, ReleasedKB, StacksKB, OSStacksKB, MetaKB, TotalKB int64
	GCs                                                                                            int64
}

func (m memStats) String() string {
	return fmt.Sprintf("live=%d goal=%d objects=%d unused=%d free=%d released=%d stacks=%d+%d meta=%d mapped=%d kB gcs=%d",
		m.LiveKB, m.GoalKB, m.ObjectsKB, m.UnusedKB, m.FreeKB, m.ReleasedKB, m.StacksKB, m.OSStacksKB, m.MetaKB, m.TotalKB, m.GCs)
}

// serveMemStats runs in the child (TestMain with STRIDE_TEST_MEMSTATS=1):
// for each byte read from fd 3 it writes one line of memMetrics to fd 4.
func serveMemStats() {
	req, resp := os.NewFile(3, "memstats-request"), os.NewFile(4, "memstats-response")
	if req == nil || resp == nil {
		return
	}
	samples := make([]metrics.Sample, len(memMetrics))
	for i, n := range memMetrics {
		samples[i].Name = n
	}
	line := make([]byte, 0, 256)
	one := make([]byte, 1)
	go func() {
		for {
			if _, err := req.Read(one); err != nil {
				return
			}
			metrics.Read(samples)
			line = line[:0]
			for i, s := range samples {
				if i > 0 {
					line = append(line, ' ')
				}
				var v uint64
				if s.Value.Kind() == metrics.KindUint64 {
					v = s.Value.Uint64()
				}
				line = strconv.AppendUint(line, v, 10)
			}
			line = append(line, '\n')
			if _, err := resp.Write(line); err != nil {
				return
			}
		}
	}()
}

// memProbe is the parent's end of the pipes.
type memProbe struct {
	req  io.WriteCloser
	resp *bufio.Reader
	rc   io.Closer
}

// startWithMemProbe starts cmd with pipes on which its child answers
// memory questions.
func startWithMemProbe(cmd *exec.Cmd) (*memProbe, error) {
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	respR, respW, err := os.Pipe()
	if err != nil {
		reqR.Close()
		reqW.Close()
		return nil, err
	}
	cmd.ExtraFiles = []*os.File{reqR, respW}
	cmd.Env = append(cmd.Env, "STRIDE_TEST_MEMSTATS=1")
	err = cmd.Start()
	reqR.Close() // the child's ends
	respW.Close()
	p := &memProbe{req: reqW, resp: bufio.NewReader(respR), rc: respR}
	if err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// read asks the child for its figures.
func (p *memProbe) read() (memStats, error) {
	var m memStats
	if _, err := p.req.Write([]byte{1}); err != nil {
		return m, err
	}
	line, err := p.resp.ReadString('\n')
	if err != nil {
		return m, err
	}
	f := strings.Fields(line)
	if len(f) != len(memMetrics) {
		return m, fmt.Errorf("memory figures %q: want %d numbers", line, len(memMetrics))
	}
	v := make([]int64, len(f))
	for i, s := range f {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return m, fmt.Errorf("memory figures %q: %v", line, err)
		}
		v[i] = n
	}
	kb := func(b int64) int64 { return b >> 10 }
	return memStats{kb(v[0]), kb(v[1]), kb(v[2]), kb(v[3]), kb(v[4]), kb(v[5]), kb(v[6]), kb(v[7]), kb(v[8]), kb(v[9]), v[10]}, nil
}

func (p *memProbe) close() {
	p.req.Close()
	p.rc.Close()
}
