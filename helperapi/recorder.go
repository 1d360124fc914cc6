package helperapi

import (
	"errors"
	"time"
	"unicode/utf8"
)

// errTruncatedPart is a parse failure at the very end of the body: the last
// line had no newline and was not a complete part. The stream was cut.
//
// Parse failures never leave the package on their own: they become the Err
// of an *Error, whose text already starts with "helperapi: ", so they carry
// no package prefix.
var errTruncatedPart = errors.New("stream ended inside a part")

// parser reads one streamed reply format. feed is called with each chunk of
// the body as it arrives and the time its read returned; end once at a clean
// EOF. A non-nil error from either is a parse failure and is sticky.
type parser interface {
	feed(p []byte, at time.Duration) error
	end(at time.Duration) error
}

// recorder turns parsed parts into a Reply, whatever the wire format.
type recorder struct {
	r        *Reply
	keep     bool   // keep the text (MessageOptions.KeepText)
	text     []byte // the kept text
	last     time.Duration
	parts    int  // parts of a known type
	texts    int  // text parts, empty ones included
	began    bool // a step started (f:) or the message began
	finished bool // the message finished (d:)
	errSeen  bool // an error part (3:)
	errMsg   string
}

func newRecorder(r *Reply, keep bool) *recorder { return &recorder{r: r, keep: keep} }

// textPart records a text delta that arrived at at. Empty text counts as a
// part (Helper's empty reply is 0:"") but not as a token.
func (rc *recorder) textPart(s []byte, at time.Duration) {
	rc.parts++
	rc.texts++
	if len(s) == 0 {
		return
	}
	r := rc.r
	r.TextParts++
	r.Chars += utf8.RuneCount(s)
	if r.TextParts == 1 {
		r.TTFT = at
	} else {
		if r.Gaps == nil {
			r.Gaps = make([]time.Duration, 0, 64)
		}
		r.Gaps = append(r.Gaps, at-rc.last)
	}
	rc.last = at
	if rc.keep {
		rc.text = append(rc.text, s...)
	}
}

func (rc *recorder) dataPart()  { rc.parts++; rc.r.DataParts++ }
func (rc *recorder) toolCall()  { rc.parts++; rc.r.ToolCalls++ }
func (rc *recorder) otherPart() { rc.parts++ }

// begin records a message start without a step (an SSE "start" event): from
// now on the reply must finish to be complete.
func (rc *recorder) begin() {
	rc.parts++
	rc.began = true
}

func (rc *recorder) stepStart() {
	rc.parts++
	rc.began = true
	rc.r.Steps++
}

// finish records the message's finish part. usage is nil when not reported.
func (rc *recorder) finish(reason string, usage *Usage) {
	rc.parts++
	rc.finished = true
	if reason != "" {
		rc.r.FinishReason = reason
	}
	if usage != nil {
		rc.r.Usage = *usage
		rc.r.HasUsage = true
	}
}

func (rc *recorder) messageID(id string) {
	if id != "" {
		rc.r.MessageID = id
	}
}

// errorPart records an error part; the first message is kept, shortened.
func (rc *recorder) errorPart(msg string) {
	rc.parts++
	if !rc.errSeen {
		rc.errSeen = true
		if len(msg) > maxErrorMsg {
			msg = truncateUTF8(msg, maxErrorMsg) + "…"
		}
		rc.errMsg = msg
	}
}

// outcome closes the reply: it stores the kept text and either sets the
// Shape or returns the failure, given the read failure (nil at a clean EOF)
// and the parse failure (nil when every part parsed). See the package doc
// for the order in which failures are reported.
func (rc *recorder) outcome(readErr *Error, parseErr error, mk func(Kind, string, error) *Error) *Error {
	if rc.keep {
		rc.r.Text = string(rc.text)
	}
	switch {
	case rc.errSeen:
		return mk(KindStreamError, rc.errMsg, nil)
	case readErr != nil:
		return readErr
	case errors.Is(parseErr, errTruncatedPart):
		return mk(KindStreamTruncated, "", parseErr)
	case parseErr != nil:
		return mk(KindProtocol, "", parseErr)
	case rc.began && !rc.finished:
		return mk(KindStreamTruncated, "a step started but the message did not finish", nil)
	case rc.parts == 0:
		return mk(KindProtocol, "no parts in the reply", nil)
	case !rc.finished && rc.texts == 0:
		// A data part or an annotation, then the end: Helper's shortest
		// complete replies still carry a text part (8: then 0:"").
		return mk(KindStreamTruncated, "the reply ended before any text or finish part", nil)
	}
	switch {
	case rc.r.TextParts == 0:
		rc.r.Shape = ShapeEmpty
	case rc.finished:
		rc.r.Shape = ShapeModel
	default:
		rc.r.Shape = ShapeSingleShot
	}
	return nil
}
