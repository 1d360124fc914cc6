package helperapi

import "time"

// Shape is the form of a successful streamed reply.
type Shape string

// The reply shapes. A broken reply has no Shape; its error has a Kind.
const (
	ShapeModel      Shape = "model"       // f: … d: — a model generation
	ShapeSingleShot Shape = "single_shot" // 8: then one 0: with text, no f:/d: — cached or canned
	ShapeEmpty      Shape = "empty"       // a complete reply with no text (e.g. 8: then 0:"")
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

// Usage is the token usage a finish part reports.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
}

// Reply is the measured result of one streamed message exchange.
type Reply struct {
	Timing
	TTFT         time.Duration   // time to the first non-empty text part; 0 when none
	Gaps         []time.Duration // gaps between consecutive non-empty text parts
	Shape        Shape           // set when the reply is complete
	TextParts    int             // non-empty 0: parts
	Chars        int             // characters (runes) of text
	DataParts    int             // 2: parts
	ToolCalls    int             // 9: parts
	Steps        int             // f: parts
	Usage        Usage           // from the d: part, when HasUsage
	HasUsage     bool
	FinishReason string // from the d: part
	MessageID    string // the stored assistant message id from the 8: annotation, when sent
	Text         string // the reply text, only when the exchange asked to keep it
}

// Tokens returns the number of output tokens: the finish part's completion
// tokens when reported, else the number of text parts.
func (r *Reply) Tokens() int {
	if r.HasUsage && r.Usage.CompletionTokens > 0 {
		return r.Usage.CompletionTokens
	}
	return r.TextParts
}

// TPOT returns the time per output token after the first:
// (last token − first token) / (tokens − 1); 0 when fewer than two tokens.
func (r *Reply) TPOT() time.Duration {
	n := r.Tokens()
	if n < 2 || len(r.Gaps) == 0 {
		return 0
	}
	var span time.Duration
	for _, g := range r.Gaps {
		span += g
	}
	return span / time.Duration(n-1)
}
