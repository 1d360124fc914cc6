package stream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/loadgen/loadgen/helperapi/internal/jsonscan"
)

// sse is an incremental parser for a reply sent as server-sent events. Events
// are dispatched at the blank line that ends them (their parts are stamped
// with that read's time); an event cut off by EOF is discarded, as the SSE
// specification says. Not safe for concurrent use.
type sse struct {
	rec     *Recorder
	partial []byte // the start of a line whose end has not arrived
	skipLF  bool   // the last chunk ended in '\r': a leading '\n' belongs to it
	data    []byte // the pending event's data lines, joined by '\n'
	hasData bool
	event   []byte // the pending event's type
	line    int
	err     error
}

func newSSE(rec *Recorder) *sse { return &sse{rec: rec} }

// Feed parses every line p completes. Lines end in LF, CRLF or CR.
func (s *sse) Feed(p []byte, at time.Duration) error {
	if s.err != nil {
		return s.err
	}
	if s.skipLF && len(p) > 0 {
		s.skipLF = false
		if p[0] == '\n' {
			p = p[1:]
		}
	}
	for len(p) > 0 {
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			if len(s.partial)+len(p) > maxLineBytes {
				return s.fail(tooLong("event stream", s.line+1))
			}
			s.partial = append(s.partial, p...)
			return nil
		}
		line := p[:i]
		switch {
		case p[i] == '\n':
			p = p[i+1:]
		case i+1 == len(p):
			p, s.skipLF = nil, true
		case p[i+1] == '\n':
			p = p[i+2:]
		default:
			p = p[i+1:]
		}
		if len(s.partial) > 0 {
			if len(s.partial)+len(line) > maxLineBytes {
				return s.fail(tooLong("event stream", s.line+1))
			}
			s.partial = append(s.partial, line...)
			line = s.partial
		}
		err := s.parseLine(line, at)
		s.partial = s.partial[:0]
		if err != nil {
			return s.fail(err)
		}
	}
	return nil
}

// End handles a clean EOF: a pending, unterminated event is discarded.
func (s *sse) End(time.Duration) error { return s.err }

func (s *sse) fail(err error) error {
	s.err = err
	return err
}

// parseLine handles one line of the event stream.
func (s *sse) parseLine(line []byte, at time.Duration) error {
	s.line++
	if len(line) == 0 {
		return s.dispatch(at)
	}
	if line[0] == ':' {
		return nil // comment, e.g. a keep-alive ping
	}
	field, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		field, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(field) {
	case "data":
		if s.hasData {
			s.data = append(s.data, '\n')
		}
		s.data = append(s.data, value...)
		s.hasData = true
	case "event":
		s.event = append(s.event[:0], value...)
	}
	return nil // id, retry and unknown fields do not matter here
}

// dispatch handles the event that a blank line ended.
func (s *sse) dispatch(at time.Duration) error {
	defer func() {
		s.data, s.hasData, s.event = s.data[:0], false, s.event[:0]
	}()
	if !s.hasData {
		return nil
	}
	data := jsonscan.TrimSpace(s.data)
	if string(data) == "[DONE]" {
		s.rec.finish("", nil)
		return nil
	}
	if string(s.event) == "error" {
		s.rec.errorPart(sseErrorText(data))
		return nil
	}
	var ev sseEvent
	if len(data) == 0 || data[0] != '{' || json.Unmarshal(data, &ev) != nil {
		return fmt.Errorf("event stream: line %d: event data is not a JSON object", s.line)
	}
	s.record(&ev, at)
	return nil
}

// sseEvent is the JSON of one event: the docs' {"type":"text","text":...}
// and the AI SDK 5 UI message stream's parts. Fields whose type varies
// between producers are kept raw.
type sseEvent struct {
	Type         string          `json:"type"`
	Text         json.RawMessage `json:"text"`
	Delta        json.RawMessage `json:"delta"`
	TextDelta    json.RawMessage `json:"textDelta"`
	ErrorText    json.RawMessage `json:"errorText"`
	Error        json.RawMessage `json:"error"`
	Message      json.RawMessage `json:"message"`
	MessageID    json.RawMessage `json:"messageId"`
	FinishReason json.RawMessage `json:"finishReason"`
	Usage        *struct {
		usageJSON
		InputTokens  *float64 `json:"inputTokens"` // AI SDK 5's names
		OutputTokens *float64 `json:"outputTokens"`
	} `json:"usage"`
}

// record maps one event onto the recorder. Unknown types are skipped.
func (s *sse) record(ev *sseEvent, at time.Duration) {
	rc := s.rec
	switch t := ev.Type; {
	case t == "text" || t == "text-delta" || t == "text_delta" || t == "delta":
		rc.textPart([]byte(firstString(ev.Text, ev.Delta, ev.TextDelta)), at)
	case t == "error":
		rc.errorPart(firstString(ev.ErrorText, ev.Error, ev.Message))
	case t == "finish" || t == "finish-message" || t == "done":
		rc.finish(firstString(ev.FinishReason), ev.usage())
	case t == "start-step" || t == "step-start":
		rc.stepStart()
	case t == "start":
		rc.begin()
		rc.messageID(jsonID(ev.MessageID))
	case t == "data" || strings.HasPrefix(t, "data-"):
		rc.dataPart()
	case t == "tool-call" || t == "tool-input-available":
		rc.toolCall()
	case t == "finish-step", t == "text-start", t == "text-end", strings.HasPrefix(t, "reasoning"),
		strings.HasPrefix(t, "source"), strings.HasPrefix(t, "tool-"), t == "file", t == "message-metadata":
		rc.otherPart()
	}
}

// usage returns the event's token usage, nil when none was reported.
func (ev *sseEvent) usage() *Usage {
	u := ev.Usage
	if u == nil {
		return nil
	}
	in := u.usageJSON
	if in.PromptTokens == nil {
		in.PromptTokens = u.InputTokens
	}
	if in.CompletionTokens == nil {
		in.CompletionTokens = u.OutputTokens
	}
	return in.usage()
}

// firstString returns the first of raws that is a JSON string.
func firstString(raws ...json.RawMessage) string {
	for _, r := range raws {
		var s string
		if len(r) > 0 && r[0] == '"' && json.Unmarshal(r, &s) == nil {
			return s
		}
	}
	return ""
}

// sseErrorText is the message of an "error" event: a JSON string, an object's
// errorText/error/message, or the data as it is.
func sseErrorText(data []byte) string {
	if s := firstString(json.RawMessage(data)); s != "" {
		return s
	}
	var ev sseEvent
	if len(data) > 0 && data[0] == '{' && json.Unmarshal(data, &ev) == nil {
		return firstString(ev.ErrorText, ev.Error, ev.Message)
	}
	return string(data)
}
