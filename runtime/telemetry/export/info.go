package export

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/stride-robotics/stride/hal"
	"github.com/stride-robotics/stride/runtime/telemetry"
)

// Info is what `stride log info` reports.
type Info struct {
	File          string            `json:"file"`
	Bytes         int64             `json:"bytes"`
	Version       int               `json:"format_version"`
	LogID         string            `json:"log_id,omitempty"` // version 2 logs: the log's random id
	Indexed       bool              `json:"indexed"`          // false: the index was rebuilt by a scan
	Robot         string            `json:"robot"`
	ModelHash     string            `json:"model_hash"`
	Source        string            `json:"source"`
	Start         string            `json:"start"`
	Joints        int               `json:"joints"`
	Channels      int               `json:"channels"`
	Truth         bool              `json:"truth"`
	Rate          float64           `json:"rate_hz"`
	MeasuredRate  float64           `json:"measured_rate_hz"`
	Duration      float64           `json:"duration_s"`
	StartTime     float64           `json:"t_first_s"`
	EndTime       float64           `json:"t_last_s"`
	Ticks         uint64            `json:"ticks"`
	FirstTick     uint64            `json:"first_tick"`
	LastTick      uint64            `json:"last_tick"`
	Chunks        int               `json:"chunks"`
	Events        uint64            `json:"events"`
	DroppedTicks  uint64            `json:"dropped_ticks"`
	DroppedEvents uint64            `json:"dropped_events"`
	Faults        string            `json:"faults"`
	HalFaults     string            `json:"drive_faults"`
	MissingTicks  uint64            `json:"missing_ticks"`
	Gaps          []Gap             `json:"gaps"`
	Damage        []string          `json:"damage"`
	LostTicks     uint64            `json:"lost_ticks"`
	Verified      bool              `json:"verified"`
	ReadTicks     uint64            `json:"readable_ticks"` // with verify
	Timing        *Timing           `json:"timing,omitempty"`
	EventList     []string          `json:"event_list"`
	Meta          map[string]string `json:"meta"`
	ChannelList   []string          `json:"channel_list,omitempty"`
}

// Gap is a run of tick numbers missing from the log.
type Gap struct {
	AfterTick uint64  `json:"after_tick"`
	Missing   uint64  `json:"missing"`
	Time      float64 `json:"t_s"` // time of the tick before the gap
}

// Timing is the loop timing measured over every tick (--verify).
type Timing struct {
	MaxLateness float64 `json:"max_lateness_s"`
	P99Lateness float64 `json:"p99_lateness_s"`
	MaxCompute  float64 `json:"max_compute_s"`
	P99Compute  float64 `json:"p99_compute_s"`
	MaxStep     float64 `json:"max_time_step_s"` // largest time between consecutive ticks
}

// Describe summarises a log from its index (and every chunk, if verify).
func Describe(r *telemetry.Reader, file string, verify bool, maxEvents int) (*Info, error) {
	h := &r.Header
	s := r.Summary()
	in := &Info{File: file, Bytes: s.Bytes, Version: h.Version, LogID: h.ID.String(), Indexed: s.Indexed, Robot: h.Robot, ModelHash: h.ModelHash,
		Source: h.Source, Start: h.Start.UTC().Format("2006-01-02 15:04:05 MST"), Joints: len(h.Joints),
		Channels: len(h.Channels), Truth: h.Truth, Rate: h.Rate, Ticks: s.Ticks, FirstTick: s.FirstTick, LastTick: s.LastTick,
		StartTime: s.Start, EndTime: s.End, Duration: s.End - s.Start, Chunks: r.NumChunks(), Events: s.Events,
		DroppedTicks: s.DroppedTicks, DroppedEvents: s.DroppedEvents, Faults: BitNames(s.Faults, h.FaultNames),
		HalFaults: BitNames(s.HalFaults, HalFaultNames), Meta: h.Meta, Gaps: []Gap{}, Damage: []string{}, EventList: []string{}}
	if s.Ticks > 1 && in.Duration > 0 {
		in.MeasuredRate = float64(s.Ticks-1) / in.Duration
	}
	// Gaps: tick numbers missing between and inside chunks.
	var prev telemetry.ChunkInfo
	havePrev := false
	for i := 0; i < r.NumChunks(); i++ {
		ci, err := r.Chunk(i)
		if err != nil {
			return nil, err
		}
		if ci.Ticks == 0 {
			continue
		}
		if havePrev && ci.FirstTick > prev.LastTick+1 {
			in.addGap(prev.LastTick, ci.FirstTick-prev.LastTick-1, prev.T1)
		}
		if span := ci.LastTick - ci.FirstTick + 1; span > ci.Ticks {
			in.addGap(ci.FirstTick, span-ci.Ticks, ci.T0) // somewhere inside the chunk
		}
		prev, havePrev = ci, true
	}
	if verify {
		if err := in.measure(r); err != nil {
			return nil, err
		}
		in.Verified = true
	}
	for _, d := range r.Damage() {
		in.Damage = append(in.Damage, d.String())
		in.LostTicks += d.Ticks
	}
	if maxEvents != 0 {
		for e, err := range r.Events(math.Inf(-1), math.Inf(1)) {
			if err != nil {
				return nil, err
			}
			if maxEvents > 0 && len(in.EventList) >= maxEvents {
				in.EventList = append(in.EventList, fmt.Sprintf("… (%d events in all)", s.Events))
				break
			}
			in.EventList = append(in.EventList, FormatEvent(h, e))
		}
	}
	return in, nil
}

// HalFaultNames names the hal.Fault bits.
var HalFaultNames = func() (n []string) {
	for i := 0; i < 32 && hal.Fault(1<<i).String() != ""; i++ {
		n = append(n, hal.Fault(1<<i).String())
	}
	return n
}()

func (in *Info) addGap(after, missing uint64, t float64) {
	in.MissingTicks += missing
	in.Gaps = append(in.Gaps, Gap{AfterTick: after, Missing: missing, Time: t})
}

// measure reads every tick: checksums, loop timing, time steps.
func (in *Info) measure(r *telemetry.Reader) error {
	var late, comp []float64
	tm := &Timing{}
	prevT, first := 0.0, true
	for t, err := range r.Ticks(math.Inf(-1), math.Inf(1)) {
		if err != nil {
			return err
		}
		in.ReadTicks++
		late = append(late, t.Lateness)
		comp = append(comp, t.Compute)
		if !first {
			tm.MaxStep = math.Max(tm.MaxStep, t.Time-prevT)
		}
		prevT, first = t.Time, false
	}
	if _, err := r.Verify(); err != nil {
		return err
	}
	if len(late) > 0 {
		tm.MaxLateness, tm.P99Lateness = maxAndP99(late)
		tm.MaxCompute, tm.P99Compute = maxAndP99(comp)
		in.Timing = tm
	}
	return nil
}

func maxAndP99(v []float64) (float64, float64) {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)-1], s[min(len(s)-1, int(math.Ceil(0.99*float64(len(s))))-1)]
}

// FormatEvent is one line per event.
func FormatEvent(h *telemetry.Header, e *telemetry.Event) string {
	kind := NameOf(telemetry.EventKindNames, int(e.Kind))
	var what string
	switch e.Kind {
	case telemetry.EventModeChange:
		what = "→ " + NameOf(h.ModeNames, int(e.Code))
	case telemetry.EventFault:
		what = BitNames(e.Code, h.FaultNames)
	default:
		if e.Code != 0 {
			what = fmt.Sprintf("code %d", e.Code)
		}
	}
	if e.Joint >= 0 && int(e.Joint) < len(h.Joints) {
		what += " joint " + h.Joints[e.Joint]
	}
	if txt := e.Text(); txt != "" && what != "" {
		what += ": " + txt
	} else if txt != "" {
		what = txt
	}
	return fmt.Sprintf("%9.3f s  tick %-8d %-5s %s", e.Time, e.Tick, kind, strings.TrimSpace(what))
}

// Print writes in as `stride log info` prints it.
func Print(w io.Writer, in *Info) {
	p := func(k, f string, a ...any) { fmt.Fprintf(w, "%-10s "+f+"\n", append([]any{k}, a...)...) }
	idx := "indexed"
	if !in.Indexed {
		idx = "no index: the writer did not close the log (crash or power cut?); rebuilt by a scan"
	}
	id := ""
	if in.LogID != "" {
		id = ", id " + in.LogID
	}
	fmt.Fprintf(w, "%s: Stride telemetry v%d%s, %s, %s\n", in.File, in.Version, id, byteSize(in.Bytes), idx)
	hash := in.ModelHash
	if len(hash) > 19 {
		hash = hash[:19] + "…"
	}
	p("robot", "%s (%s), %d joints, source %s", in.Robot, DashIfEmpty(hash), in.Joints, DashIfEmpty(in.Source))
	p("start", "%s%s", in.Start, buildNote(in.Meta))
	p("duration", "%.3f s (t = %.3f … %.3f s)", in.Duration, in.StartTime, in.EndTime)
	lost := ""
	if in.Verified && in.ReadTicks < in.Ticks {
		lost = fmt.Sprintf("; %d readable, the rest in damaged chunks", in.ReadTicks)
	}
	p("ticks", "%d (numbers %d … %d), %d chunks%s", in.Ticks, in.FirstTick, in.LastTick, in.Chunks, lost)
	p("rate", "%g Hz (measured %.2f Hz)", in.Rate, in.MeasuredRate)
	truth := ""
	if in.Truth {
		truth = ", ground truth included"
	}
	p("channels", "%d per tick%s (--channels lists them)", in.Channels, truth)
	p("dropped", "%d ticks, %d events (ring full: the writer fell behind)", in.DroppedTicks, in.DroppedEvents)
	p("faults", "runtime: %s; drives and bus: %s", in.Faults, in.HalFaults)
	if len(in.Gaps) == 0 {
		p("gaps", "none: every tick number from first to last is present")
	} else {
		p("gaps", "%d ticks missing in %d gaps:", in.MissingTicks, len(in.Gaps))
		for i, g := range in.Gaps {
			if i == 10 {
				fmt.Fprintf(w, "%10s … %d more\n", "", len(in.Gaps)-10)
				break
			}
			fmt.Fprintf(w, "%10s %d ticks after tick %d (t = %.3f s)\n", "", g.Missing, g.AfterTick, g.Time)
		}
	}
	switch {
	case len(in.Damage) > 0:
		p("damage", "%d damaged parts, %d ticks lost:", len(in.Damage), in.LostTicks)
		for _, d := range in.Damage {
			fmt.Fprintf(w, "%10s %s\n", "", d)
		}
	case in.Verified:
		p("damage", "none: every chunk's checksum and records verified")
	default:
		p("damage", "none found (chunks not read; --verify checks every checksum)")
	}
	if t := in.Timing; t != nil {
		p("timing", "lateness max %s p99 %s; compute max %s p99 %s; largest time step %s",
			dur(t.MaxLateness), dur(t.P99Lateness), dur(t.MaxCompute), dur(t.P99Compute), dur(t.MaxStep))
	}
	if len(in.EventList) > 0 {
		p("events", "%d:", in.Events)
		for _, e := range in.EventList {
			fmt.Fprintf(w, "%10s %s\n", "", e)
		}
	} else {
		p("events", "%d", in.Events)
	}
	if len(in.Meta) > 0 {
		p("meta", "%d keys:", len(in.Meta))
		for _, k := range SortedKeys(in.Meta) {
			v := in.Meta[k]
			if n := strings.Count(v, "\n"); n > 0 {
				v = fmt.Sprintf("(%d lines; --json prints it)", n+1)
			}
			fmt.Fprintf(w, "%10s %s: %s\n", "", k, DashIfEmpty(v))
		}
	}
	for _, c := range in.ChannelList {
		fmt.Fprintf(w, "  %s\n", c)
	}
}

func buildNote(m map[string]string) string {
	var s []string
	if rev := m["git.revision"]; rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if m["git.modified"] == "true" {
			rev += " (modified)"
		}
		s = append(s, "git "+rev)
	}
	if v := m["go.version"]; v != "" {
		s = append(s, v)
	}
	if len(s) == 0 {
		return ""
	}
	return ", built from " + strings.Join(s, ", ")
}

// DashIfEmpty returns s, or - for an empty s.
func DashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func dur(s float64) string {
	switch {
	case s >= 1:
		return fmt.Sprintf("%.3f s", s)
	case s >= 1e-3:
		return fmt.Sprintf("%.3f ms", s*1e3)
	default:
		return fmt.Sprintf("%.1f µs", s*1e6)
	}
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// ChannelList lists every column of the log as "name unit" (unit - when it
// has none), as `stride log info --channels` prints them.
func ChannelList(h *telemetry.Header) []string {
	var out []string
	for _, col := range AllColumns(h) {
		out = append(out, col.Name+" "+DashIfEmpty(col.Unit))
	}
	return out
}
