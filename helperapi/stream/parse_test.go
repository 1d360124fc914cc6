package stream

import (
	"fmt"
	"reflect"
	"time"
)

// parseResult is what a parser run produced, minus the timings (which depend
// on how the body was cut into reads).
type parseResult struct {
	Fault        Fault
	Msg          string
	Shape        Shape
	TextParts    int
	Chars        int
	DataParts    int
	ToolCalls    int
	Escalated    bool
	Steps        int
	Usage        Usage
	HasUsage     bool
	FinishReason string
	MessageID    string
	Text         string
}

// runParser feeds body to a fresh parser in chunks cut at the offsets in cuts
// (ascending), each chunk one millisecond after the previous one, then
// classifies the outcome the way SendMessage does.
func runParser(newP func(*Recorder) Parser, body []byte, cuts []int, keep bool) (*Parts, parseResult) {
	r := &Parts{}
	rc := NewRecorder(r, keep)
	p := newP(rc)
	var perr error
	prev := 0
	var at time.Duration
	for _, c := range append(append([]int(nil), cuts...), len(body)) {
		if c <= prev || c > len(body) {
			continue
		}
		at += time.Millisecond
		if perr = p.Feed(body[prev:c], at); perr != nil {
			break
		}
		prev = c
	}
	if perr == nil {
		perr = p.End(at)
	}
	f := rc.Close(false, perr)
	res := parseResult{
		Shape: r.Shape, TextParts: r.TextParts, Chars: r.Chars, DataParts: r.DataParts,
		ToolCalls: r.ToolCalls, Escalated: r.Escalated, Steps: r.Steps, Usage: r.Usage, HasUsage: r.HasUsage,
		FinishReason: r.FinishReason, MessageID: r.MessageID, Text: r.Text,
	}
	if f != nil {
		res.Fault, res.Msg = f.Fault, f.Msg
	}
	return r, res
}

func strictDataStream(rc *Recorder) Parser { return newDataStream(rc, false) }
func sniffDataStream(rc *Recorder) Parser  { return newDataStream(rc, true) }
func sseParser(rc *Recorder) Parser        { return newSSE(rc) }
func jsonParser(rc *Recorder) Parser       { return newJSONReply(rc) }

// splitInvariant runs body whole, byte by byte and cut at every single offset,
// and returns a description of the first result that differs from the whole
// run ("" when all agree).
func splitInvariant(newP func(*Recorder) Parser, body []byte) string {
	_, whole := runParser(newP, body, nil, true)
	bytewise := make([]int, len(body))
	for i := range bytewise {
		bytewise[i] = i + 1
	}
	if _, got := runParser(newP, body, bytewise, true); !reflect.DeepEqual(got, whole) {
		return fmt.Sprintf("byte by byte: got %+v, whole: %+v", got, whole)
	}
	for i := 1; i < len(body); i++ {
		if _, got := runParser(newP, body, []int{i}, true); !reflect.DeepEqual(got, whole) {
			return fmt.Sprintf("cut at %d: got %+v, whole: %+v", i, got, whole)
		}
	}
	return ""
}
