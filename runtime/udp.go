package runtime

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// UDPStats counts what the UDP port received.
type UDPStats struct {
	Received    uint64 `json:"received"`
	Accepted    uint64 `json:"accepted"`
	Malformed   uint64 `json:"malformed"`    // not a valid message
	Rejected    uint64 `json:"rejected"`     // valid, but a value out of range
	RateLimited uint64 `json:"rate_limited"` // dropped by the rate limit
}

// UDPServer reads command messages from a UDP socket and sends them to a
// Sink. Malformed messages, values out of range and messages over the rate
// limit are counted and ignored.
type UDPServer struct {
	conn *net.UDPConn
	sink Sink
	logf func(string, ...any)

	rate, burst float64 // token bucket: tokens per second, capacity
	tokens      float64
	last        time.Time

	received, accepted, malformed, rejected, limited atomic.Uint64
	done                                             chan struct{}
	once                                             sync.Once
}

// udpAddress completes a listen address: a port alone binds loopback.
func udpAddress(a string) (string, error) {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return "", fmt.Errorf("%q: want HOST:PORT or :PORT (%v)", a, err)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return "", fmt.Errorf("%q: port %q is not a number in [0, 65535]", a, port)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// ListenUDP opens the UDP command port at addr (":PORT" binds 127.0.0.1;
// binding another interface must be asked for by address), accepting at most
// maxRate messages a second with bursts of burst.
func ListenUDP(addr string, sink Sink, maxRate float64, burst int, logf func(string, ...any)) (*UDPServer, error) {
	a, err := udpAddress(addr)
	if err != nil {
		return nil, fmt.Errorf("commands.udp.listen: %w", err)
	}
	ua, err := net.ResolveUDPAddr("udp", a)
	if err != nil {
		return nil, fmt.Errorf("commands.udp.listen %q: %w", addr, err)
	}
	conn, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, fmt.Errorf("commands.udp.listen %q: %w", addr, err)
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	s := &UDPServer{conn: conn, sink: sink, logf: logf, rate: maxRate, burst: float64(burst),
		tokens: float64(burst), last: time.Now(), done: make(chan struct{})}
	go s.serve()
	return s, nil
}

// Addr returns the address the server listens on.
func (s *UDPServer) Addr() net.Addr { return s.conn.LocalAddr() }

// Stats returns the counts so far.
func (s *UDPServer) Stats() UDPStats {
	return UDPStats{Received: s.received.Load(), Accepted: s.accepted.Load(), Malformed: s.malformed.Load(),
		Rejected: s.rejected.Load(), RateLimited: s.limited.Load()}
}

// Close stops the server.
func (s *UDPServer) Close() error {
	var err error
	s.once.Do(func() {
		err = s.conn.Close()
		<-s.done
	})
	return err
}

// allow takes a token from the bucket.
func (s *UDPServer) allow(now time.Time) bool {
	s.tokens = min(s.burst, s.tokens+now.Sub(s.last).Seconds()*s.rate)
	s.last = now
	if s.tokens < 1 {
		return false
	}
	s.tokens--
	return true
}

// udpBufSize is the receive buffer: a message must be shorter.
const udpBufSize = 2048

// serve reads datagrams into one buffer until the socket closes. A valid
// message costs no allocation (reading, parsing and sending it), so a stream
// of commands at any rate makes no garbage; only what is logged allocates.
func (s *UDPServer) serve() {
	defer close(s.done)
	buf := make([]byte, udpBufSize)
	for {
		n, from, err := s.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.logf("commands: udp: %v", err)
			continue
		}
		s.handle(buf[:n], from, time.Now())
	}
}

// handle takes one datagram received at now.
func (s *UDPServer) handle(msg []byte, from netip.AddrPort, now time.Time) {
	s.received.Add(1)
	if !s.allow(now) {
		s.limited.Add(1)
		return
	}
	if len(msg) >= udpBufSize {
		s.malformed.Add(1)
		s.logf("commands: udp: message from %v longer than %d bytes; ignored", from, udpBufSize-1)
		return
	}
	c, err := ParseUDPMessage(msg)
	if err != nil {
		s.malformed.Add(1)
		s.logf("commands: udp: message from %v: %v; ignored", from, err)
		return
	}
	if err := s.sink.Send(SourceUDP, c); err != nil {
		s.rejected.Add(1)
		s.logf("commands: udp: message from %v: %v", from, err)
		return
	}
	s.accepted.Add(1)
}
