package stream

import (
	"errors"
	"time"
	"unicode/utf8"
)

// errTruncatedPart is a parse failure at the very end of the body: the last
// line had no newline and was not a complete part. The stream was cut.
var errTruncatedPart = errors.New("stream ended inside a part")

// Fault says why a reply is broken.
type Fault int

// The faults, in the order Recorder.Close reports them when several apply.
const (
	ErrorPart Fault = iota + 1 // an error part (3:, an "error" event or field), even at status 200
	Truncated                  // a step without its finish part, the end before any text or finish part, or the end inside a part
	Malformed                  // a body that cannot be parsed, or one with no parts at all
)

// Failure is a broken reply: its Fault, the error part's text or a short
// description, and the parse failure behind it if any.
type Failure struct {
	Fault Fault
	Msg   string
	Err   error
}

func (f *Failure) Error() string {
	s := [...]string{ErrorPart: "error part", Truncated: "truncated", Malformed: "malformed"}[f.Fault]
	if f.Msg != "" {
		s += ": " + f.Msg
	}
	if f.Err != nil {
		s += ": " + f.Err.Error()
	}
	return s
}

func (f *Failure) Unwrap() error { return f.Err }

// A Recorder turns the parts a Parser reads into Parts, whatever the wire
// format: it is the one place that counts parts, times text and decides the
// outcome. One Recorder serves one reply; it is not safe for concurrent use.
type Recorder struct {
	p        *Parts
	keep     bool   // keep the text
	text     []byte // the kept text
	last     time.Duration
	parts    int  // parts of a known type
	texts    int  // text parts, empty ones included
	began    bool // a step started (f:) or the message began
	finished bool // the message finished (d:)
	errSeen  bool // an error part (3:)
	errMsg   string
}

// NewRecorder returns a Recorder that fills p, keeping the reply's text in
// p.Text when keepText is set.
func NewRecorder(p *Parts, keepText bool) *Recorder { return &Recorder{p: p, keep: keepText} }

// textPart records a text delta that arrived at at. Empty text counts as a
// part (Helper's empty reply is 0:"") but not as a token.
func (rc *Recorder) textPart(s []byte, at time.Duration) {
	rc.parts++
	rc.texts++
	if len(s) == 0 {
		return
	}
	p := rc.p
	p.TextParts++
	p.Chars += utf8.RuneCount(s)
	if p.TextParts == 1 {
		p.TTFT = at
	} else {
		if p.Gaps == nil {
			p.Gaps = make([]time.Duration, 0, 64)
		}
		p.Gaps = append(p.Gaps, at-rc.last)
	}
	rc.last = at
	if rc.keep {
		rc.text = append(rc.text, s...)
	}
}

func (rc *Recorder) dataPart()  { rc.parts++; rc.p.DataParts++ }
func (rc *Recorder) toolCall()  { rc.parts++; rc.p.ToolCalls++ }
func (rc *Recorder) escalated() { rc.p.Escalated = true }
func (rc *Recorder) otherPart() { rc.parts++ }

// begin records a message start without a step (an SSE "start" event): from
// now on the reply must finish to be complete.
func (rc *Recorder) begin() {
	rc.parts++
	rc.began = true
}

func (rc *Recorder) stepStart() {
	rc.parts++
	rc.began = true
	rc.p.Steps++
}

// finish records the message's finish part. usage is nil when not reported.
func (rc *Recorder) finish(reason string, usage *Usage) {
	rc.parts++
	rc.finished = true
	if reason != "" {
		rc.p.FinishReason = reason
	}
	if usage != nil {
		rc.p.Usage = *usage
		rc.p.HasUsage = true
	}
}

func (rc *Recorder) messageID(id string) {
	if id != "" {
		rc.p.MessageID = id
	}
}

// errorPart records an error part; the first message is kept.
func (rc *Recorder) errorPart(msg string) {
	rc.parts++
	if !rc.errSeen {
		rc.errSeen = true
		rc.errMsg = msg
	}
}

// Close ends the reply once the body is done: it stores the kept text and
// either sets the Shape or returns the Failure. readFailed says the body
// ended with a read failure (a broken connection, a timeout, a cancel),
// parseErr is the Parser's failure (nil when every part parsed).
//
// A read failure outranks every fault but an error part: with readFailed,
// Close returns the ErrorPart failure when an error part was seen, else nil
// and no Shape, and the caller reports its read failure. See the package doc
// for the order of the faults.
func (rc *Recorder) Close(readFailed bool, parseErr error) *Failure {
	p := rc.p
	if rc.keep {
		p.Text = string(rc.text)
	}
	switch {
	case rc.errSeen:
		return &Failure{Fault: ErrorPart, Msg: rc.errMsg}
	case readFailed:
		return nil
	case errors.Is(parseErr, errTruncatedPart):
		return &Failure{Fault: Truncated, Err: parseErr}
	case parseErr != nil:
		return &Failure{Fault: Malformed, Err: parseErr}
	case rc.began && !rc.finished:
		return &Failure{Fault: Truncated, Msg: "a step started but the message did not finish"}
	case rc.parts == 0:
		return &Failure{Fault: Malformed, Msg: "no parts in the reply"}
	case !rc.finished && rc.texts == 0:
		// A data part or an annotation, then the end: Helper's shortest
		// complete replies still carry a text part (8: then 0:"").
		return &Failure{Fault: Truncated, Msg: "the reply ended before any text or finish part"}
	}
	switch {
	case p.TextParts == 0:
		p.Shape = ShapeEmpty
	case rc.finished:
		p.Shape = ShapeModel
	default:
		p.Shape = ShapeSingleShot
	}
	return nil
}
