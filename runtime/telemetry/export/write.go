package export

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/foxglove/mcap/go/mcap"

	"github.com/stride-robotics/stride/runtime/telemetry"
)

// appendValue formats v exactly (shortest round-trip form); NaN and ±Inf as
// NaN, +Inf, -Inf.
func appendValue(b []byte, c *Column, v float64) []byte {
	if c.Integer && v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// WriteCSV writes the ticks from from to to (s of log time) as CSV: a header
// row of column names, one row per tick, each value exact (shortest
// round-trip form; NaN, +Inf, -Inf as such). It returns the rows written.
func WriteCSV(w io.Writer, r *telemetry.Reader, cols []Column, from, to float64) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	bw.WriteString(strings.Join(names, ",") + "\n")
	var line []byte
	n := 0
	for t, err := range r.Ticks(from, to) {
		if err != nil {
			return n, err
		}
		line = line[:0]
		for i := range cols {
			if i > 0 {
				line = append(line, ',')
			}
			line = appendValue(line, &cols[i], cols[i].Get(t))
		}
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return n, err
		}
		n++
	}
	return n, bw.Flush()
}

// mcapTopic is one MCAP channel: the log's columns of one group ("q",
// "cmd", "truth", …) as one JSON message per tick, nested by the rest of
// the name (cmd.tau.left_knee → {"tau": {"left_knee": …}}).
type mcapTopic struct {
	topic string
	cols  []Column
	path  [][]string // each column's name after the group, split at dots
}

func mcapTopics(cols []Column) []*mcapTopic {
	var topics []*mcapTopic
	byGroup := map[string]*mcapTopic{}
	for _, c := range cols {
		group, rest, ok := strings.Cut(c.Name, ".")
		if !ok {
			group, rest = "tick", c.Name
		}
		tp := byGroup[group]
		if tp == nil {
			tp = &mcapTopic{topic: "/" + group}
			byGroup[group] = tp
			topics = append(topics, tp)
		}
		tp.cols = append(tp.cols, c)
		tp.path = append(tp.path, strings.Split(rest, "."))
	}
	return topics
}

// jsonNode builds a message's nested object.
type jsonNode struct {
	keys     []string
	children map[string]*jsonNode
	col      int // leaf: column index, else −1
}

func (tp *mcapTopic) tree() *jsonNode {
	root := &jsonNode{children: map[string]*jsonNode{}, col: -1}
	for i, p := range tp.path {
		n := root
		for k, key := range p {
			ch := n.children[key]
			if ch == nil {
				ch = &jsonNode{children: map[string]*jsonNode{}, col: -1}
				n.children[key] = ch
				n.keys = append(n.keys, key)
			}
			if k == len(p)-1 {
				ch.col = i
			}
			n = ch
		}
	}
	return root
}

// appendJSON writes node's object for tick t; non-finite values are null.
func (tp *mcapTopic) appendJSON(b []byte, n *jsonNode, t *telemetry.Tick) []byte {
	b = append(b, '{')
	for i, k := range n.keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, k)
		b = append(b, ':')
		ch := n.children[k]
		if ch.col >= 0 && len(ch.keys) == 0 {
			v := tp.cols[ch.col].Get(t)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				b = append(b, "null"...)
			} else {
				b = appendValue(b, &tp.cols[ch.col], v)
			}
		} else {
			b = tp.appendJSON(b, ch, t)
		}
	}
	return append(b, '}')
}

// schema returns the JSON Schema of node's object.
func (tp *mcapTopic) schema(n *jsonNode) map[string]any {
	props := map[string]any{}
	for _, k := range n.keys {
		ch := n.children[k]
		if ch.col >= 0 && len(ch.keys) == 0 {
			c := tp.cols[ch.col]
			p := map[string]any{"type": []string{"number", "null"}}
			if c.Unit != "" {
				p["description"] = c.Unit
			}
			props[k] = p
		} else {
			props[k] = tp.schema(ch)
		}
	}
	return map[string]any{"type": "object", "properties": props}
}

// WriteMCAP writes an MCAP file (zstd chunks, CRCs, an index): a topic per
// channel group with JSON messages and JSON Schemas, /events, and the log's
// header and metadata as MCAP metadata records.
func WriteMCAP(w io.Writer, r *telemetry.Reader, cols []Column, from, to float64) (ticks, events int, err error) {
	h := &r.Header
	mw, err := mcap.NewWriter(w, &mcap.WriterOptions{Chunked: true, ChunkSize: 4 << 20,
		Compression: mcap.CompressionZSTD, IncludeCRC: true})
	if err != nil {
		return 0, 0, err
	}
	if err := mw.WriteHeader(&mcap.Header{Profile: "", Library: "stride log export"}); err != nil {
		return 0, 0, err
	}
	start := uint64(max(h.Start.UnixNano(), 0))
	stamp := func(t float64) uint64 { return start + uint64(max(math.Round(t*1e9), 0)) }

	topics := mcapTopics(cols)
	trees := make([]*jsonNode, len(topics))
	for i, tp := range topics {
		trees[i] = tp.tree()
		sch := tp.schema(trees[i])
		sch["properties"].(map[string]any)["t"] = map[string]any{"type": "number", "description": "s, log time"}
		data, err := json.Marshal(sch)
		if err != nil {
			return 0, 0, err
		}
		id := uint16(i + 1)
		if err := mw.WriteSchema(&mcap.Schema{ID: id, Name: "stride" + strings.ReplaceAll(tp.topic, "/", "."), Encoding: "jsonschema", Data: data}); err != nil {
			return 0, 0, err
		}
		if err := mw.WriteChannel(&mcap.Channel{ID: id, SchemaID: id, Topic: tp.topic, MessageEncoding: "json",
			Metadata: map[string]string{"robot": h.Robot}}); err != nil {
			return 0, 0, err
		}
	}
	evID := uint16(len(topics) + 1)
	evSchema := `{"type":"object","properties":{"t":{"type":"number"},"tick":{"type":"integer"},"kind":{"type":"string"},` +
		`"code":{"type":"integer"},"joint":{"type":["string","null"]},"values":{"type":"array","items":{"type":["number","null"]}},"text":{"type":"string"},"summary":{"type":"string"}}}`
	if err := mw.WriteSchema(&mcap.Schema{ID: evID, Name: "stride.event", Encoding: "jsonschema", Data: []byte(evSchema)}); err != nil {
		return 0, 0, err
	}
	if err := mw.WriteChannel(&mcap.Channel{ID: evID, SchemaID: evID, Topic: "/events", MessageEncoding: "json", Metadata: map[string]string{}}); err != nil {
		return 0, 0, err
	}

	// Events first into a small list: they are merged by time into the tick
	// stream so the file is in log-time order.
	type ev struct {
		t    float64
		data []byte
	}
	var evs []ev
	for e, err := range r.Events(from, to) {
		if err != nil {
			return 0, 0, err
		}
		evs = append(evs, ev{e.Time, EventJSON(h, e)})
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].t < evs[j].t })
	var seq uint32
	var buf []byte
	msg := &mcap.Message{}
	writeEvents := func(upTo float64) error {
		for len(evs) > 0 && evs[0].t <= upTo {
			seq++
			ts := stamp(evs[0].t)
			if err := mw.WriteMessage(&mcap.Message{ChannelID: evID, Sequence: seq, LogTime: ts, PublishTime: ts, Data: evs[0].data}); err != nil {
				return err
			}
			evs = evs[1:]
			events++
		}
		return nil
	}
	for t, err := range r.Ticks(from, to) {
		if err != nil {
			return ticks, events, err
		}
		if err := writeEvents(t.Time); err != nil {
			return ticks, events, err
		}
		ts := stamp(t.Time)
		for i, tp := range topics {
			buf = append(buf[:0], `{"t":`...)
			buf = strconv.AppendFloat(buf, t.Time, 'g', -1, 64)
			body := tp.appendJSON(nil, trees[i], t)
			if len(body) > 2 {
				buf = append(buf, ',')
				buf = append(buf, body[1:]...)
			} else {
				buf = append(buf, '}')
			}
			seq++
			*msg = mcap.Message{ChannelID: uint16(i + 1), Sequence: seq, LogTime: ts, PublishTime: ts, Data: buf}
			if err := mw.WriteMessage(msg); err != nil {
				return ticks, events, err
			}
		}
		ticks++
	}
	if err := writeEvents(math.Inf(1)); err != nil {
		return ticks, events, err
	}
	meta := map[string]string{"format": telemetry.FormatName, "format_version": strconv.Itoa(h.Version), "robot": h.Robot,
		"model_hash": h.ModelHash, "source": h.Source, "rate_hz": strconv.FormatFloat(h.Rate, 'g', -1, 64),
		"start": h.Start.UTC().Format("2006-01-02T15:04:05.999999999Z07:00"), "joints": strings.Join(h.Joints, ",")}
	if err := mw.WriteMetadata(&mcap.Metadata{Name: "stride.header", Metadata: meta}); err != nil {
		return ticks, events, err
	}
	if len(h.Meta) > 0 {
		if err := mw.WriteMetadata(&mcap.Metadata{Name: "stride.meta", Metadata: h.Meta}); err != nil {
			return ticks, events, err
		}
	}
	return ticks, events, mw.Close()
}

// EventJSON is one event as the JSON message of the MCAP /events topic.
func EventJSON(h *telemetry.Header, e *telemetry.Event) []byte {
	var joint any
	if e.Joint >= 0 && int(e.Joint) < len(h.Joints) {
		joint = h.Joints[e.Joint]
	}
	vals := make([]any, len(e.Values))
	for i, v := range e.Values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			vals[i] = v
		}
	}
	b, _ := json.Marshal(map[string]any{"t": e.Time, "tick": e.Tick, "kind": NameOf(telemetry.EventKindNames, int(e.Kind)),
		"code": e.Code, "joint": joint, "values": vals, "text": strings.ToValidUTF8(e.Text(), "?"), "summary": FormatEvent(h, e)})
	return b
}

// WithTime puts the time column first in a CSV selection that lacks it: rows
// without their time are of little use.
func WithTime(h *telemetry.Header, cols []Column) []Column {
	for _, c := range cols {
		if c.Name == "time" {
			return cols
		}
	}
	for _, c := range AllColumns(h) {
		if c.Name == "time" {
			return append([]Column{c}, cols...)
		}
	}
	return cols
}
