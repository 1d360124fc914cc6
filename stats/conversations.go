package stats

import (
	"github.com/loadgen/loadgen/results"
)

// MaxConversations bounds the conversations a Snapshot keeps apart; results
// of any further name count under OtherConversation.
const MaxConversations = 100

// OtherConversation holds the conversations past MaxConversations.
const OtherConversation = "other"

// ConversationStats aggregates one conversation of the scenario's mix: its
// sessions, its requests (every step), and its messages' latency, time to
// first token and goodput, so that one slow conversation shows apart from
// the others.
type ConversationStats struct {
	Sessions Sessions
	Requests int64     // results of every step but polls (measurement overhead)
	Errors   int64     // of them, failed for the target's reasons (Kind.Target)
	Ours     int64     // of them, failed by loadgen itself (Kind.Ours): not errors
	Sent     int64     // messages sent, message and ack steps, but those loadgen failed itself
	Good     int64     // of them, those that met the SLO
	Tokens   int64     // output tokens
	Latency  Histogram // message steps: the whole streamed reply
	TTFT     Histogram // message steps
}

// conversation returns the stats of conversation name, creating them (or
// OtherConversation's, past MaxConversations).
func (d *Snapshot) conversation(name string) *ConversationStats {
	if c := d.Conversations[name]; c != nil {
		return c
	}
	if d.Conversations == nil {
		d.Conversations = map[string]*ConversationStats{}
	}
	if len(d.Conversations) >= MaxConversations {
		name = OtherConversation
		if c := d.Conversations[name]; c != nil {
			return c
		}
	}
	c := &ConversationStats{}
	d.Conversations[name] = c
	return c
}

func (c *ConversationStats) record(r *results.Result) {
	if !r.Step.Overhead() { // the users' traffic, as the summary's requests line counts it
		c.Requests++
		countFailed(r.Error, &c.Ours, &c.Errors)
	}
	if r.Step.Sends() && !r.Error.Ours() {
		c.Sent++
		if r.Good {
			c.Good++
		}
	}
	c.Tokens += int64(r.Tokens)
	if r.Step != results.StepMessage {
		return
	}
	if r.Error.Timed() {
		c.Latency.Record(r.Latency)
	}
	if r.TTFT > 0 {
		c.TTFT.Record(r.TTFT)
	}
}

func (c *ConversationStats) clone() *ConversationStats {
	x := *c
	x.Latency, x.TTFT = c.Latency.clone(), c.TTFT.clone()
	return &x
}

func (c *ConversationStats) merge(o *ConversationStats) {
	c.Sessions.add(o.Sessions)
	c.Requests += o.Requests
	c.Errors += o.Errors
	c.Ours += o.Ours
	c.Sent += o.Sent
	c.Good += o.Good
	c.Tokens += o.Tokens
	c.Latency.Merge(&o.Latency)
	c.TTFT.Merge(&o.TTFT)
}

// add adds o's counts to s.
func (s *Sessions) add(o Sessions) {
	s.Started += o.Started
	s.Completed += o.Completed
	s.Failed += o.Failed
	s.Canceled += o.Canceled
}

// count counts a session's end by outcome.
func (s *Sessions) count(end results.End) {
	switch end {
	case results.EndCompleted:
		s.Completed++
	case results.EndFailed:
		s.Failed++
	default:
		s.Canceled++
	}
}
