package runtime

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/stride-robotics/stride/locomotion"
)

// ParseUDPMessage decodes one datagram into a Command (docs/commands.md). It
// must hold exactly one JSON object; every key is optional:
//
//	{"vx": 0.3, "vy": 0, "yaw_rate": 0.2, "height": -0.05, "gait": "walk",
//	 "mode": "locomotion", "estop": false, "reset": false}
//
// Giving any of vx, vy, yaw_rate sets all three (missing ones are 0); null
// is the same as leaving a key out. Unknown keys (the match is exact: "VX"
// is not "vx"), a key given twice, a value of the wrong type, a number out
// of the range of a float64 and data after the object are errors that say
// what is wrong.
//
// It allocates nothing for a valid message (the UDP port parses 100 or more
// a second for hours: its garbage would grow the heap); only the errors
// allocate.
func ParseUDPMessage(b []byte) (Command, error) {
	p := udpParser{b: b}
	p.space()
	if p.i == len(b) {
		return Command{}, errors.New(`not a command message: the datagram is empty (want one JSON object such as {"vx": 0.3})`)
	}
	var c Command
	switch b[p.i] {
	case '{':
		if err := p.object(&c); err != nil {
			return Command{}, err
		}
	case 'n':
		if err := p.literal("null"); err != nil {
			return Command{}, err
		}
	default:
		if err := p.valueKind(); err != nil {
			return Command{}, err
		}
		return Command{}, p.fail("want one JSON object with the keys %s, found %s", udpKeys, p.kind)
	}
	p.space()
	if p.i != len(b) {
		return Command{}, p.fail("data after the JSON object")
	}
	if c == (Command{}) {
		return Command{}, errors.New("the message sets nothing")
	}
	return c, nil
}

// udpKeys lists the message's keys for errors.
const udpKeys = "vx, vy, yaw_rate, height, gait, mode, estop, reset"

// The keys, by bit in udpParser.seen.
const (
	keyVx = 1 << iota
	keyVy
	keyYawRate
	keyHeight
	keyGait
	keyMode
	keyEStop
	keyReset
)

// udpParser reads one JSON object of the command message from b: a strict
// JSON reader (RFC 8259) for the one shape the message has.
type udpParser struct {
	b    []byte
	i    int
	seen uint8
	kind string   // what the value valueKind looked at is, in words
	esc  [64]byte // a string with escapes, decoded
}

func (p *udpParser) fail(format string, a ...any) error {
	return errors.New("not a command message: " + fmt.Sprintf(format, a...))
}

// truncated is the error for input that ends inside the object.
func (p *udpParser) truncated() error {
	return p.fail("the JSON ends before the object is closed (truncated?)")
}

// bad is the error for an unexpected byte at p.i (byte numbers count from 1).
func (p *udpParser) bad(looking string) error {
	if p.i >= len(p.b) {
		return p.truncated()
	}
	r, _ := utf8.DecodeRune(p.b[p.i:])
	return p.fail("malformed JSON at byte %d: invalid character %s %s", p.i+1, strconv.QuoteRune(r), looking)
}

func (p *udpParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *udpParser) literal(word string) error {
	for k := 0; k < len(word); k++ {
		if p.i >= len(p.b) {
			return p.truncated()
		}
		if p.b[p.i] != word[k] {
			return p.bad("in literal " + word + " (expecting " + strconv.QuoteRune(rune(word[k])) + ")")
		}
		p.i++
	}
	return nil
}

// object reads the message's object into c.
func (p *udpParser) object(c *Command) error {
	p.i++ // '{'
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return nil
	}
	var vx, vy, yaw float64
	for {
		p.space()
		if p.i >= len(p.b) {
			return p.truncated()
		}
		if p.b[p.i] != '"' {
			return p.bad("looking for the beginning of a key in quotes")
		}
		key, err := p.str()
		if err != nil {
			return err
		}
		bit, name := udpKey(key)
		if bit == 0 {
			return p.fail("unknown key %s; the keys are %s", strconv.Quote(string(key)), udpKeys)
		}
		if p.seen&bit != 0 {
			return p.fail("the key %q is given twice", name)
		}
		p.seen |= bit
		if p.space(); p.i >= len(p.b) || p.b[p.i] != ':' {
			return p.bad("after the key " + strconv.Quote(name) + " (expecting ':')")
		}
		p.i++
		if err := p.field(c, bit, name, &vx, &vy, &yaw); err != nil {
			return err
		}
		p.space()
		if p.i >= len(p.b) {
			return p.truncated()
		}
		switch p.b[p.i] {
		case ',':
			p.i++
			continue
		case '}':
			p.i++
		default:
			return p.bad("after a value in the object (expecting ',' or '}')")
		}
		break
	}
	if c.Set&SetVelocity != 0 {
		c.Vx, c.Vy, c.YawRate = vx, vy, yaw
	}
	return nil
}

// udpKey returns the key's bit and name, or 0 for an unknown key.
func udpKey(k []byte) (uint8, string) {
	switch string(k) {
	case "vx":
		return keyVx, "vx"
	case "vy":
		return keyVy, "vy"
	case "yaw_rate":
		return keyYawRate, "yaw_rate"
	case "height":
		return keyHeight, "height"
	case "gait":
		return keyGait, "gait"
	case "mode":
		return keyMode, "mode"
	case "estop":
		return keyEStop, "estop"
	case "reset":
		return keyReset, "reset"
	}
	return 0, ""
}

// field reads the value of the key bit into c (the velocity into vx, vy,
// yaw until the object is complete).
func (p *udpParser) field(c *Command, bit uint8, name string, vx, vy, yaw *float64) error {
	p.space()
	if p.i >= len(p.b) {
		return p.truncated()
	}
	if p.b[p.i] == 'n' { // null: as if the key were not given
		return p.literal("null")
	}
	switch bit {
	case keyVx, keyVy, keyYawRate, keyHeight:
		v, err := p.number(name)
		if err != nil {
			return err
		}
		switch bit {
		case keyVx:
			*vx = v
		case keyVy:
			*vy = v
		case keyYawRate:
			*yaw = v
		case keyHeight:
			c.Height = v
			c.Set |= SetHeight
			return nil
		}
		c.Set |= SetVelocity
	case keyGait, keyMode:
		if p.b[p.i] != '"' {
			return p.wrongType(name, `text in quotes (such as "walk")`)
		}
		s, err := p.str()
		if err != nil {
			return err
		}
		if bit == keyGait {
			return gaitOf(s, c)
		}
		return modeOf(s, c)
	case keyEStop, keyReset:
		var v bool
		switch p.b[p.i] {
		case 't':
			v = true
			if err := p.literal("true"); err != nil {
				return err
			}
		case 'f':
			if err := p.literal("false"); err != nil {
				return err
			}
		default:
			return p.wrongType(name, "true or false")
		}
		if bit == keyEStop {
			c.EStop = v
		} else {
			c.Reset = v
		}
	}
	return nil
}

// gaitOf sets the gait named s ("" sets nothing, as the key left out).
func gaitOf(s []byte, c *Command) error {
	if len(s) == 0 {
		return nil
	}
	for g := locomotion.Gait(0); g.Valid(); g++ {
		if string(s) == g.String() {
			c.Gait = g
			c.Set |= SetGait
			return nil
		}
	}
	_, err := locomotion.ParseGait(string(s))
	return err
}

// modeOf sets the mode named s ("" sets nothing, as the key left out).
func modeOf(s []byte, c *Command) error {
	if len(s) == 0 {
		return nil
	}
	for m := ModeNone + 1; m < numModes; m++ {
		if string(s) == modeNames[m] {
			c.Mode = m
			return nil
		}
	}
	_, err := ParseMode(string(s))
	return err
}

// wrongType is the error for a value of another type than want; it reads
// the value to say what it is.
func (p *udpParser) wrongType(name, want string) error {
	if err := p.valueKind(); err != nil {
		return err
	}
	return p.fail("%s: want %s, found %s", name, want, p.kind)
}

// valueKind names the JSON value at p.i in p.kind without reading it all
// (the message is refused anyway), or returns the syntax error at its start.
func (p *udpParser) valueKind() error {
	switch c := p.b[p.i]; {
	case c == '"':
		p.kind = "text"
	case c == '[':
		p.kind = "a list"
	case c == '{':
		p.kind = "an object"
	case c == 't' || c == 'f':
		p.kind = "true or false"
	case c == '-' || c >= '0' && c <= '9':
		p.kind = "a number"
	default:
		return p.bad("looking for the beginning of a value")
	}
	return nil
}

// number reads a JSON number for the key name.
func (p *udpParser) number(name string) (float64, error) {
	b, start := p.b, p.i
	if b[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(b) && b[p.i] >= '0' && b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.i >= len(b) {
		return 0, p.truncated()
	}
	switch {
	case b[p.i] == '0':
		p.i++
	case b[p.i] >= '1' && b[p.i] <= '9':
		digits()
	case p.i == start: // not a number at all
		return 0, p.wrongType(name, "a number")
	default:
		return 0, p.bad("in a number (expecting a digit)")
	}
	if p.i < len(b) && b[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return 0, p.bad("after the decimal point (expecting a digit)")
		}
	}
	if p.i < len(b) && (b[p.i] == 'e' || b[p.i] == 'E') {
		p.i++
		if p.i < len(b) && (b[p.i] == '+' || b[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return 0, p.bad("in the exponent (expecting a digit)")
		}
	}
	text := b[start:p.i]
	v, err := strconv.ParseFloat(string(text), 64)
	if err != nil { // the grammar is checked: only the range is left
		return 0, p.fail("%s: want a number, found %s (out of the range of a number)", name, text)
	}
	return v, nil
}

// str reads a JSON string at p.i (its opening quote) and returns its
// contents: a part of the input, or p.esc when it has escapes.
func (p *udpParser) str() ([]byte, error) {
	b := p.b
	p.i++
	start := p.i
	for p.i < len(b) {
		switch c := b[p.i]; {
		case c == '"':
			p.i++
			return b[start : p.i-1], nil
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return nil, p.bad("in a string (control characters must be escaped)")
		}
		p.i++
	}
	return nil, p.truncated()
}

// escaped finishes a string with escapes begun at start, decoding it into
// p.esc; longer strings are no key or name the message knows, and are
// decoded into a new buffer for the error that follows.
func (p *udpParser) escaped(start int) ([]byte, error) {
	b := p.b
	out := append(p.esc[:0], b[start:p.i]...)
	for p.i < len(b) {
		c := b[p.i]
		switch {
		case c == '"':
			p.i++
			return out, nil
		case c < 0x20:
			return nil, p.bad("in a string (control characters must be escaped)")
		case c != '\\':
			out = append(out, c)
			p.i++
			continue
		}
		p.i++ // the backslash
		if p.i >= len(b) {
			return nil, p.truncated()
		}
		e := b[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, err := p.hex4()
			if err != nil {
				return nil, err
			}
			if r >= 0xD800 && r < 0xDC00 && p.i+6 <= len(b) && b[p.i] == '\\' && b[p.i+1] == 'u' {
				save := p.i
				p.i += 2
				lo, err := p.hex4()
				if err == nil && lo >= 0xDC00 && lo < 0xE000 {
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				} else {
					p.i = save
				}
			}
			out = utf8.AppendRune(out, r) // a lone surrogate becomes U+FFFD
		default:
			p.i--
			return nil, p.bad("in a string escape")
		}
	}
	return nil, p.truncated()
}

// hex4 reads the four hex digits of a \u escape.
func (p *udpParser) hex4() (rune, error) {
	var r rune
	for k := 0; k < 4; k++ {
		if p.i >= len(p.b) {
			return 0, p.truncated()
		}
		c := p.b[p.i]
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, p.bad(`in a \u escape (expecting a hex digit)`)
		}
		p.i++
	}
	return r, nil
}
