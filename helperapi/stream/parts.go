package stream

import "time"

// Shape is the form of a complete reply.
type Shape string

// The reply shapes. A broken reply has no Shape; its Failure has a Fault.
const (
	ShapeModel      Shape = "model"       // f: … d: — a model generation
	ShapeSingleShot Shape = "single_shot" // 8: then one 0: with text, no f:/d: — cached or canned
	ShapeEmpty      Shape = "empty"       // a complete reply with no text (e.g. 8: then 0:"")
)

// Usage is the token usage a finish part reports.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
}

// Parts is what the parts of one reply said and when they arrived. Times
// count from the start of the exchange, as the reads were stamped.
type Parts struct {
	TTFT         time.Duration   // time to the first non-empty text part; 0 when none
	Gaps         []time.Duration // gaps between consecutive non-empty text parts
	Shape        Shape           // set when the reply is complete
	TextParts    int             // non-empty 0: parts
	Chars        int             // characters (runes) of text
	DataParts    int             // 2: parts
	ToolCalls    int             // 9: parts
	Escalated    bool            // a tool call asked for a human (EscalationTool): Helper hands the conversation over
	Steps        int             // f: parts
	Usage        Usage           // from the d: part, when HasUsage
	HasUsage     bool
	FinishReason string // from the d: part
	MessageID    string // the stored assistant message id from the 8: annotation, when sent
	Text         string // the reply text, only when the recorder was asked to keep it
}

// EscalationTool is the tool Helper's model calls to hand a conversation to
// a human (lib/ai/tools.ts); the widget then hides its reaction buttons and
// later replies are empty.
const EscalationTool = "request_human_support"

// Tokens returns the number of output tokens: the finish part's completion
// tokens when reported, else the number of text parts.
func (p *Parts) Tokens() int {
	if p.HasUsage && p.Usage.CompletionTokens > 0 {
		return p.Usage.CompletionTokens
	}
	return p.TextParts
}

// TPOT returns the time per output token after the first:
// (last token − first token) / (tokens − 1); 0 when fewer than two tokens.
func (p *Parts) TPOT() time.Duration {
	n := p.Tokens()
	if n < 2 || len(p.Gaps) == 0 {
		return 0
	}
	var span time.Duration
	for _, g := range p.Gaps {
		span += g
	}
	return span / time.Duration(n-1)
}
