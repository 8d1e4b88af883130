package telemetry

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"runtime/debug"
	"strings"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/stride-robotics/stride/hal"
)

// Header describes a log: what robot, which channels, at what rate, when,
// and free-form metadata. It is the first frame of the file.
type Header struct {
	Robot     string    // robot model name (hal.Info.Name)
	ModelHash string    // hash of the model definition (see HashModel); "" when unknown
	Source    string    // "sim" or "robot"
	Rate      float64   // control rate, Hz
	Start     time.Time // wall-clock time of the first tick
	Joints    []string  // joint names in hal order; len ≤ hal.MaxJoints
	Truth     bool      // the log has the ground-truth channels (simulator runs)

	// Names of the runtime's enumerations, by value: ModeNames[Tick.Mode],
	// GaitNames[Tick.Gait], FaultNames[bit] for Tick.Faults. Optional; tools
	// print numbers where a name is missing.
	ModeNames  []string
	GaitNames  []string
	FaultNames []string

	// Meta is free-form: git revision, configuration, controller gains. See
	// docs/telemetry.md for the keys Stride's tools write and read.
	Meta map[string]string

	// Declared lists the channels a controller or estimator declared for
	// values of its own (see Registry); their columns follow the built-in
	// channels, and their values are Tick.Values.
	Declared []Declared

	// Version, ID and Channels are set by Create (and read back by Open):
	// callers leave them empty. ID is the log's random identity (zero in
	// version 1 logs); Channels the record layout, built-in channels then
	// the declared channels' columns.
	Version  int
	ID       LogID
	Channels []Channel
}

// NewHeader returns a header for a robot described by info and logged at
// rate Hz: robot and joint names from info, the start time now, and the
// build's VCS revision and Go version in Meta ("git.revision",
// "git.modified", "go.version") when the binary carries them. Callers add
// ModelHash, Source, Truth and their own metadata.
func NewHeader(info *hal.Info, rate float64) Header {
	h := Header{Robot: info.Name, Rate: rate, Start: time.Now(), Meta: map[string]string{}}
	for _, j := range info.Joints {
		h.Joints = append(h.Joints, j.Name)
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		h.Meta["go.version"] = bi.GoVersion
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				h.Meta["git.revision"] = s.Value
			case "vcs.modified":
				h.Meta["git.modified"] = s.Value
			}
		}
	}
	return h
}

// HashModel returns the hash logs record for a model definition (the MJCF
// or URDF bytes): "sha256:" and 64 hex digits.
func HashModel(definition []byte) string {
	s := sha256.Sum256(definition)
	return "sha256:" + hex.EncodeToString(s[:])
}

// check validates a header for writing.
func (h *Header) check() error {
	if math.IsNaN(h.Rate) || math.IsInf(h.Rate, 0) || h.Rate <= 0 {
		return fmt.Errorf("telemetry: header: rate %v Hz: want a positive control rate", h.Rate)
	}
	if len(h.Joints) == 0 || len(h.Joints) > hal.MaxJoints {
		return fmt.Errorf("telemetry: header: %d joints: want 1 to %d (hal.MaxJoints)", len(h.Joints), hal.MaxJoints)
	}
	seen := map[string]int{}
	for i, j := range h.Joints {
		if j == "" || strings.ContainsAny(j, " ,*?[]\t\n") {
			return fmt.Errorf("telemetry: header: joint %d: name %q is empty or has spaces, commas or glob characters", i, j)
		}
		if k, dup := seen[j]; dup {
			return fmt.Errorf("telemetry: header: joints %d and %d are both named %q", k, i, j)
		}
		seen[j] = i
	}
	return checkDeclared(h.Declared)
}

// wireHeader is the header as stored: a msgpack map with these keys.
type wireHeader struct {
	Format     string            `msgpack:"format"`
	Version    int               `msgpack:"version"`
	Robot      string            `msgpack:"robot"`
	ModelHash  string            `msgpack:"model_hash"`
	Source     string            `msgpack:"source"`
	Rate       float64           `msgpack:"rate_hz"`
	StartNS    int64             `msgpack:"start_unix_ns"`
	Start      string            `msgpack:"start"`
	Joints     []string          `msgpack:"joints"`
	Truth      bool              `msgpack:"truth"`
	LogID      string            `msgpack:"log_id"`
	Channels   []wireChannel     `msgpack:"channels"`
	Declared   []wireDeclared    `msgpack:"declared"`
	ModeNames  []string          `msgpack:"mode_names"`
	GaitNames  []string          `msgpack:"gait_names"`
	FaultNames []string          `msgpack:"fault_names"`
	HalFaults  []string          `msgpack:"hal_fault_names"`
	EventKinds []string          `msgpack:"event_kinds"`
	Meta       map[string]string `msgpack:"meta"`
}

type wireDeclared struct {
	Name string `msgpack:"name"`
	Unit string `msgpack:"unit"`
	Size int    `msgpack:"size"`
}

type wireChannel struct {
	Name string `msgpack:"name"`
	Unit string `msgpack:"unit"`
	Type string `msgpack:"type"`
}

// EventKindNames names the event kinds by value (index 0 is unused).
var EventKindNames = []string{"", "mode", "fault", "param", "note", "stop"}

func (h *Header) marshal() ([]byte, error) {
	w := wireHeader{Format: FormatName, Version: h.Version, Robot: h.Robot, ModelHash: h.ModelHash, Source: h.Source,
		Rate: h.Rate, StartNS: h.Start.UnixNano(), Start: h.Start.UTC().Format(time.RFC3339Nano), Joints: h.Joints,
		Truth: h.Truth, ModeNames: h.ModeNames, GaitNames: h.GaitNames, FaultNames: h.FaultNames,
		EventKinds: EventKindNames, Meta: h.Meta, LogID: h.ID.String()}
	for _, d := range h.Declared {
		w.Declared = append(w.Declared, wireDeclared(d))
	}
	for i := 0; i < 6; i++ {
		w.HalFaults = append(w.HalFaults, hal.Fault(1<<i).String())
	}
	for _, c := range h.Channels {
		w.Channels = append(w.Channels, wireChannel{c.Name, c.Unit, c.Type.String()})
	}
	return msgpack.Marshal(&w)
}

// unmarshalHeader decodes a header map key by key, with every length
// checked against the bytes left: a damaged or hostile header gives an
// error, never a huge allocation. (msgpack.Unmarshal would preallocate a
// slice of whatever length the data claims.) Unknown keys are skipped.
func unmarshalHeader(b []byte) (Header, error) {
	br := bytes.NewReader(b)
	d := msgpack.NewDecoder(br)
	var w wireHeader
	n, err := d.DecodeMapLen()
	if err != nil || n < 0 || n > br.Len() {
		return Header{}, fmt.Errorf("header is not a msgpack map (%v)", err)
	}
	for i := 0; i < n && err == nil; i++ {
		var key string
		if key, err = d.DecodeString(); err != nil {
			break
		}
		switch key {
		case "format":
			w.Format, err = d.DecodeString()
		case "version":
			var v int64
			v, err = d.DecodeInt64()
			w.Version = int(max(min(v, math.MaxInt32), math.MinInt32))
		case "robot":
			w.Robot, err = d.DecodeString()
		case "model_hash":
			w.ModelHash, err = d.DecodeString()
		case "source":
			w.Source, err = d.DecodeString()
		case "rate_hz":
			w.Rate, err = d.DecodeFloat64()
		case "start_unix_ns":
			w.StartNS, err = d.DecodeInt64()
		case "truth":
			w.Truth, err = d.DecodeBool()
		case "joints":
			w.Joints, err = decodeStrings(d, br)
		case "mode_names":
			w.ModeNames, err = decodeStrings(d, br)
		case "gait_names":
			w.GaitNames, err = decodeStrings(d, br)
		case "fault_names":
			w.FaultNames, err = decodeStrings(d, br)
		case "channels":
			w.Channels, err = decodeChannels(d, br)
		case "meta":
			w.Meta, err = decodeStringMap(d, br)
		case "log_id":
			w.LogID, err = d.DecodeString()
		case "declared":
			w.Declared, err = decodeDeclared(d, br)
		default:
			err = d.Skip()
		}
		if err != nil {
			err = fmt.Errorf("header key %q: %w", key, err)
		}
	}
	if err != nil {
		return Header{}, fmt.Errorf("header does not decode: %w", err)
	}
	if w.Format != FormatName {
		return Header{}, fmt.Errorf("header names format %q, want %q", w.Format, FormatName)
	}
	if w.Version < 1 || w.Version > FormatVersion {
		return Header{}, fmt.Errorf("format version %d; this reader reads 1 to %d (a newer Stride wrote it?)", w.Version, FormatVersion)
	}
	h := Header{Version: w.Version, Robot: w.Robot, ModelHash: w.ModelHash, Source: w.Source, Rate: w.Rate,
		Start: time.Unix(0, w.StartNS), Joints: w.Joints, Truth: w.Truth, ModeNames: w.ModeNames,
		GaitNames: w.GaitNames, FaultNames: w.FaultNames, Meta: w.Meta}
	if h.Meta == nil {
		h.Meta = map[string]string{}
	}
	if h.Version >= 2 {
		if h.ID, err = parseLogID(w.LogID); err != nil {
			return Header{}, fmt.Errorf("header: %w", err)
		}
	}
	for _, d := range w.Declared {
		h.Declared = append(h.Declared, Declared(d))
	}
	if err := checkDeclared(h.Declared); err != nil {
		return Header{}, fmt.Errorf("header: %w", err)
	}
	declCol := map[string]int{}
	for _, c := range declaredChannels(h.Declared) {
		declCol[c.Name] = c.value
	}
	if math.IsNaN(h.Rate) || math.IsInf(h.Rate, 0) || h.Rate <= 0 {
		return Header{}, fmt.Errorf("header gives a control rate of %v Hz", h.Rate)
	}
	if len(h.Joints) > hal.MaxJoints {
		return Header{}, fmt.Errorf("header lists %d joints, more than hal.MaxJoints (%d)", len(h.Joints), hal.MaxJoints)
	}
	seen := map[string]bool{}
	for _, c := range w.Channels {
		if seen[c.Name] {
			return Header{}, fmt.Errorf("header lists channel %q twice", c.Name)
		}
		seen[c.Name] = true
		h.Channels = append(h.Channels, Channel{Name: c.Name, Unit: c.Unit, Type: parseType(c.Type), value: declCol[c.Name]})
	}
	if len(h.Channels) == 0 {
		return Header{}, fmt.Errorf("header lists no channels")
	}
	return h, nil
}

// arrayLen reads an array header whose length must fit the bytes left.
func arrayLen(d *msgpack.Decoder, br *bytes.Reader) (int, error) {
	n, err := d.DecodeArrayLen()
	if err != nil {
		return 0, err
	}
	if n > br.Len() {
		return 0, fmt.Errorf("array of %d in %d bytes", n, br.Len())
	}
	return max(n, 0), nil
}

func decodeStrings(d *msgpack.Decoder, br *bytes.Reader) ([]string, error) {
	n, err := arrayLen(d, br)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		s, err := d.DecodeString()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func decodeStringMap(d *msgpack.Decoder, br *bytes.Reader) (map[string]string, error) {
	n, err := d.DecodeMapLen()
	if err != nil {
		return nil, err
	}
	if n > br.Len() {
		return nil, fmt.Errorf("map of %d in %d bytes", n, br.Len())
	}
	m := make(map[string]string, max(n, 0))
	for i := 0; i < n; i++ {
		k, err := d.DecodeString()
		if err != nil {
			return nil, err
		}
		if m[k], err = d.DecodeString(); err != nil {
			return nil, fmt.Errorf("%q: %w", k, err)
		}
	}
	return m, nil
}

func decodeChannels(d *msgpack.Decoder, br *bytes.Reader) ([]wireChannel, error) {
	n, err := arrayLen(d, br)
	if err != nil {
		return nil, err
	}
	out := make([]wireChannel, 0, n)
	for i := 0; i < n; i++ {
		m, err := decodeStringMap(d, br)
		if err != nil {
			return nil, fmt.Errorf("channel %d: %w", i, err)
		}
		if m["name"] == "" {
			return nil, fmt.Errorf("channel %d has no name", i)
		}
		out = append(out, wireChannel{Name: m["name"], Unit: m["unit"], Type: m["type"]})
	}
	return out, nil
}

func decodeDeclared(d *msgpack.Decoder, br *bytes.Reader) ([]wireDeclared, error) {
	n, err := arrayLen(d, br)
	if err != nil {
		return nil, err
	}
	out := make([]wireDeclared, 0, n)
	for i := 0; i < n; i++ {
		m, err := d.DecodeMapLen()
		if err != nil || m < 0 || m > br.Len() {
			return nil, fmt.Errorf("declared channel %d is not a map (%v)", i, err)
		}
		var c wireDeclared
		for k := 0; k < m; k++ {
			key, err := d.DecodeString()
			if err != nil {
				return nil, fmt.Errorf("declared channel %d: %w", i, err)
			}
			switch key {
			case "name":
				c.Name, err = d.DecodeString()
			case "unit":
				c.Unit, err = d.DecodeString()
			case "size":
				var v int64
				v, err = d.DecodeInt64()
				c.Size = int(max(min(v, MaxValues+1), 0))
			default:
				err = d.Skip()
			}
			if err != nil {
				return nil, fmt.Errorf("declared channel %d: %q: %w", i, key, err)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// Values returns the values of the declared channel name in t (a slice of
// t.Values), or nil when the log declares no such channel.
func (h *Header) Values(t *Tick, name string) []float64 {
	k := 0
	for i := range h.Declared {
		d := &h.Declared[i]
		if d.Name == name {
			return t.Values[k : k+d.Size : k+d.Size]
		}
		k += d.Size
	}
	return nil
}

// ChannelIndex returns the position of the named channel in the records, or
// −1.
func (h *Header) ChannelIndex(name string) int {
	for i := range h.Channels {
		if h.Channels[i].Name == name {
			return i
		}
	}
	return -1
}
