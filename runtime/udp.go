package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stride-robotics/stride/locomotion"
)

// UDPMessage is the JSON message the UDP port takes (docs/commands.md). Every
// key is optional; unknown keys make the message malformed. Giving any of
// vx, vy, yaw_rate sets all three (missing ones are 0).
//
//	{"vx": 0.3, "vy": 0, "yaw_rate": 0.2, "height": -0.05, "gait": "walk",
//	 "mode": "locomotion", "estop": false, "reset": false}
type UDPMessage struct {
	Vx      *float64 `json:"vx,omitempty"`
	Vy      *float64 `json:"vy,omitempty"`
	YawRate *float64 `json:"yaw_rate,omitempty"`
	Height  *float64 `json:"height,omitempty"`
	Gait    string   `json:"gait,omitempty"`
	Mode    string   `json:"mode,omitempty"`
	EStop   bool     `json:"estop,omitempty"`
	Reset   bool     `json:"reset,omitempty"`
}

// ParseUDPMessage decodes one datagram into a Command. It must hold exactly
// one JSON object with known keys; the error says what is wrong.
func ParseUDPMessage(b []byte) (Command, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return Command{}, errors.New(`not a command message: the datagram is empty (want one JSON object such as {"vx": 0.3})`)
	}
	var m UDPMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return Command{}, errors.New("not a command message: " + jsonProblem(err))
	}
	if k := duplicateKey(b); k != "" {
		return Command{}, fmt.Errorf("not a command message: the key %q is given twice", k)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Command{}, errors.New("not a command message: data after the JSON object")
	}
	var c Command
	if m.Vx != nil || m.Vy != nil || m.YawRate != nil {
		c.Set |= SetVelocity
		c.Vx, c.Vy, c.YawRate = deref(m.Vx), deref(m.Vy), deref(m.YawRate)
	}
	if m.Height != nil {
		c.Set |= SetHeight
		c.Height = *m.Height
	}
	if m.Gait != "" {
		g, err := locomotion.ParseGait(m.Gait)
		if err != nil {
			return Command{}, err
		}
		c.Set |= SetGait
		c.Gait = g
	}
	if m.Mode != "" {
		md, err := ParseMode(m.Mode)
		if err != nil {
			return Command{}, err
		}
		c.Mode = md
	}
	c.EStop, c.Reset = m.EStop, m.Reset
	if c == (Command{}) {
		return Command{}, errors.New("the message sets nothing")
	}
	return c, nil
}

// udpKeys lists the message's keys for errors.
const udpKeys = "vx, vy, yaw_rate, height, gait, mode, estop, reset"

// jsonProblem says what is wrong with a message encoding/json refused, in
// terms of the message rather than of Go types.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("malformed JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends before the object is closed (truncated?)"
	case errors.As(err, &te):
		if te.Field == "" {
			return fmt.Sprintf("want one JSON object with the keys %s, found %s", udpKeys, jsonKind(te.Value))
		}
		want := "a value of another type"
		switch te.Type.Kind() {
		case reflect.Float64:
			want = "a number"
		case reflect.String:
			want = `text in quotes (such as "walk")`
		case reflect.Bool:
			want = "true or false"
		}
		return fmt.Sprintf("%s: want %s, found %s", te.Field, want, jsonKind(te.Value))
	}
	msg := err.Error()
	if k, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return fmt.Sprintf("unknown key %s; the keys are %s", k, udpKeys)
	}
	return strings.TrimPrefix(msg, "json: ")
}

// jsonKind turns encoding/json's name for a value ("string", "number 1e999")
// into words.
func jsonKind(v string) string {
	switch {
	case v == "string":
		return "text"
	case v == "array":
		return "a list"
	case v == "object":
		return "an object"
	case v == "bool":
		return "true or false"
	case v == "number":
		return "a number"
	case strings.HasPrefix(v, "number "):
		return strings.TrimPrefix(v, "number ") + " (out of the range of a number)"
	}
	return v
}

// duplicateKey returns a key the top-level object gives twice, or "".
func duplicateKey(b []byte) string {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		k, ok := t.(string)
		if err != nil || !ok {
			return ""
		}
		if seen[k] {
			return k
		}
		seen[k] = true
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return ""
		}
	}
	return ""
}

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

func (s *UDPServer) serve() {
	defer close(s.done)
	buf := make([]byte, 2048)
	for {
		n, from, err := s.conn.ReadFromUDP(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.logf("commands: udp: %v", err)
			continue
		}
		s.received.Add(1)
		if !s.allow(time.Now()) {
			s.limited.Add(1)
			continue
		}
		if n == len(buf) {
			s.malformed.Add(1)
			s.logf("commands: udp: message from %v longer than %d bytes; ignored", from, len(buf)-1)
			continue
		}
		c, err := ParseUDPMessage(buf[:n])
		if err != nil {
			s.malformed.Add(1)
			s.logf("commands: udp: message from %v: %v; ignored", from, err)
			continue
		}
		if err := s.sink.Send(SourceUDP, c); err != nil {
			s.rejected.Add(1)
			s.logf("commands: udp: message from %v: %v", from, err)
			continue
		}
		s.accepted.Add(1)
	}
}
