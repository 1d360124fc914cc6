package report

import (
	"slices"
	"time"

	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/stats"
)

// Throughput is what a run delivered per second of its duration: the
// headline figures of an LLM load test (GuideLLM and vLLM's benchmark lead
// with output tokens per second).
type Throughput struct {
	RequestsPerS     float64 `json:"requests_per_s"`      // the users' requests: every step but polls (measurement overhead), as the text summary's
	OutputTokensPerS float64 `json:"output_tokens_per_s"` // every reply's tokens
	// Streams are the streamed replies with at least two tokens, whose
	// speed after the first token (1 / TPOT) the per-stream figures are:
	// the median stream's, and the speed the slowest 5 % of streams fell
	// below.
	Streams                int64   `json:"streams"`
	StreamOutputTokensPerS float64 `json:"stream_output_tokens_per_s_p50"`
	SlowStreamTokensPerS   float64 `json:"stream_output_tokens_per_s_p5"`
}

// ConversationSummary is one conversation of the mix: its sessions, its
// requests (the users': polls apart, as the summary's requests line) and its
// messages' latency, TTFT and goodput.
type ConversationSummary struct {
	Name      string         `json:"name"`
	Sessions  stats.Sessions `json:"sessions"`
	Requests  int64          `json:"requests"`
	Errors    int64          `json:"errors"`
	ErrorRate float64        `json:"error_rate"`
	Messages  int64          `json:"messages"` // messages sent, streamed or async
	Good      int64          `json:"good"`     // of them, within the SLO
	Goodput   float64        `json:"goodput"`  // Good / Messages
	Tokens    int64          `json:"tokens"`
	Latency   Percentiles    `json:"latency"` // message steps: the whole streamed reply
	TTFT      Percentiles    `json:"ttft"`
}

func buildThroughput(d *stats.Snapshot, dur time.Duration) Throughput {
	var tokens int64
	for _, st := range d.Steps {
		tokens += st.Tokens
	}
	var reqs int64
	for _, st := range d.Steps {
		if !st.Step.Overhead() {
			reqs += st.Count
		}
	}
	t := Throughput{RequestsPerS: perSecond(reqs, dur), OutputTokensPerS: perSecond(tokens, dur)}
	if msg := d.Step(results.StepMessage); msg != nil && msg.TPOT.Count() > 0 {
		t.Streams = msg.TPOT.Count()
		t.StreamOutputTokensPerS = tokensPerS(msg.TPOT.Quantile(0.50))
		t.SlowStreamTokensPerS = tokensPerS(msg.TPOT.Quantile(0.95))
	}
	return t
}

func tokensPerS(tpot time.Duration) float64 {
	if tpot <= 0 {
		return 0
	}
	return round(1/tpot.Seconds(), 1)
}

// buildConversations summarises each conversation, by name.
func buildConversations(d *stats.Snapshot) []ConversationSummary {
	names := make([]string, 0, len(d.Conversations))
	for name := range d.Conversations {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make([]ConversationSummary, 0, len(names))
	for _, name := range names {
		c := d.Conversations[name]
		out = append(out, ConversationSummary{
			Name: name, Sessions: c.Sessions, Requests: c.Requests, Errors: c.Errors, ErrorRate: ratio(c.Errors, c.Requests-c.Ours),
			Messages: c.Sent, Good: c.Good, Goodput: ratio(c.Good, c.Sent), Tokens: c.Tokens,
			Latency: dist(&c.Latency), TTFT: dist(&c.TTFT),
		})
	}
	return out
}
