package helperapi

import (
	"time"

	"github.com/loadgen/loadgen/helperapi/stream"
)

// Shapes lists every Shape, in a fixed order.
func Shapes() []Shape { return []Shape{ShapeModel, ShapeSingleShot, ShapeEmpty} }

// Timing holds the measurements of one HTTP exchange. Durations count from Start.
type Timing struct {
	Start    time.Time     // when the request was sent
	Headers  time.Duration // time to response headers
	TTFB     time.Duration // time to the first body byte; 0 when the body was empty
	Total    time.Duration // time to the end of the body (or the failure)
	Status   int           // HTTP status; 0 when no response arrived
	BytesOut int64         // request body bytes
	BytesIn  int64         // response body bytes read
}

// Reply is the measured result of one streamed message exchange: the
// exchange's Timing and what its parts said and when (stream.Parts: TTFT,
// Gaps, Shape, counts, usage, message id, text), both embedded so that their
// fields and the Tokens and TPOT methods read as the Reply's own.
type Reply struct {
	Timing
	stream.Parts
}

// Shape is the form of a successful streamed reply (stream.Shape).
type Shape = stream.Shape

// The reply shapes. A broken reply has no Shape; its error has a Kind.
const (
	ShapeModel      = stream.ShapeModel      // f: … d: — a model generation
	ShapeSingleShot = stream.ShapeSingleShot // 8: then one 0: with text, no f:/d: — cached or canned
	ShapeEmpty      = stream.ShapeEmpty      // a complete reply with no text (e.g. 8: then 0:"")
)

// Usage is the token usage a finish part reports (stream.Usage).
type Usage = stream.Usage
