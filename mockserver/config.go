package mockserver

import (
	"fmt"
	"log/slog"
	"time"
)

// Defaults used when a Config field is left zero.
const (
	DefaultTitle            = "Loadgen Mock Support"
	DefaultCannedText       = "Our support team will respond to your message shortly. Thank you for your patience."
	DefaultRetryAfter       = 1 * time.Second
	DefaultSlowHeadersDelay = 2 * time.Second
	DefaultStallFor         = 5 * time.Second
	DefaultMaxConversations = 100_000
	DefaultMaxMessages      = 200
	DefaultReplyCacheSize   = 10_000
)

// DefaultTokens is the reply length, in tokens, when Config.Tokens is zero.
var DefaultTokens = Range{Min: 20, Max: 60}

// DevSecret is the well-known development secret `loadgen mock` uses when
// HELPER_HMAC_SECRET is unset. It is public: never use it for a real
// deployment.
const DevSecret = "loadgen-dev-secret-do-not-use-in-production"

// Config configures a Server. Shares are probabilities in [0, 1], drawn
// independently per request, conversation or stream as each field says.
// Apart from Secret, the zero value is valid: instant replies, unlimited
// capacity, no faults, and the Default* limits.
type Config struct {
	// Secret is the mailbox's HMAC secret: it checks session emailHash values
	// and signs session tokens. Required. The server never prints it.
	Secret string
	// Now is the clock for HMAC timestamps, token lifetimes, message times
	// and the reply cache (nil: time.Now). Delays always use real time.
	Now func() time.Time
	// Logger receives the server's logs (nil: discarded). Tokens and the
	// secret are never logged.
	Logger *slog.Logger
	// Title is the mailbox name put in session tokens ("": DefaultTitle).
	Title string

	// TTFT is the delay before a model reply's first token, after any wait
	// for capacity. A tool step costs one more TTFT (the second model call).
	TTFT Dist
	// TokenInterval is the delay between consecutive text parts.
	TokenInterval Dist
	// PreciseDelays ends each delay (TTFT, token gaps, stalls) on a precise
	// timer (package internal/precise): a Go timer alone fires up to about a
	// millisecond late, which a client measuring TTFT would see as its own
	// error. It costs some CPU per delay (about 25 µs), so it is off in the
	// zero value and on in DefaultConfig.
	PreciseDelays bool
	// Tokens is the number of text parts per model reply (zero: DefaultTokens).
	Tokens Range
	// Capacity is the number of model replies generated at once; excess
	// requests wait in a FIFO queue and the wait counts in their TTFT.
	// 0 means unlimited.
	Capacity int
	// QueueLimit caps the requests waiting for capacity; beyond it a request
	// gets 503 at once, as an overloaded gateway would. 0 means unlimited.
	QueueLimit int

	// DataPart is the share of model replies that begin with a `2:` data part
	// (sent at once, before any wait), as other AI SDK apps do. Helper never
	// writes one; it is for testing clients' robustness, off in DefaultConfig.
	DataPart float64
	// ToolStep is the share of model replies with a knowledge-base search
	// first: a tool step (`9:` calling knowledge_base, `e:` with
	// finishReason "tool-calls", a new `f:`) that costs one more TTFT.
	ToolStep float64
	// Sources is the number of `h:` source parts after `d:`.
	Sources int
	// SplitParts is the share of streamed parts written in two pieces, each
	// flushed, with a 1 ms pause between, so a client reads a line split
	// across reads.
	SplitParts float64
	// HumanShare is the share of model replies (streamed or background)
	// that escalate: the model calls the request_human_support tool (a tool
	// step, as ToolStep's) and the conversation is handed to a human. From
	// then on Helper's AI stays out: a streamed message gets an empty
	// single-shot reply (the second user message of an isPrompt
	// conversation gets CannedText), and the async path never replies.
	HumanShare float64
	// CannedText is the handed-to-a-human reply ("": DefaultCannedText).
	CannedText string
	// SDKSize is the size of GET /widget/sdk.js in bytes (0: DefaultSDKSize).
	SDKSize int

	// AsyncDelay is the job queue's pickup delay on the non-streaming path;
	// the background reply then takes a Capacity slot and generation time
	// (TTFT and the tokens) like a streamed one.
	AsyncDelay Dist
	// AsyncNoReply is the share of non-streaming messages that never get a reply.
	AsyncNoReply float64

	// Faults injects failures.
	Faults Faults

	// Seed seeds the model's randomness: every latency, token count and
	// share above is drawn from one source seeded with it, so two mocks
	// with the same Seed draw the same sequence (requests take their draws
	// in arrival order, so concurrent runs agree in distribution, not
	// request by request). 0 draws from math/rand/v2's global source.
	// Identifiers (slugs, trace ids) and reply text stay random.
	Seed uint64

	// MaxConversations caps stored conversations; beyond it the oldest
	// conversation is evicted and acts as unknown from then on
	// (0: DefaultMaxConversations).
	MaxConversations int
	// MaxMessages caps stored messages per conversation; beyond it the
	// oldest are dropped (0: DefaultMaxMessages). Counts stay exact.
	MaxMessages int
	// ReplyCacheSize caps the reply cache of isPrompt conversations; beyond
	// it the oldest entry is dropped (0: DefaultReplyCacheSize).
	ReplyCacheSize int
}

// Faults are failures injected by rate. Pre-app faults (Error5xx,
// RateLimited, SlowHeaders) apply to every /api request, as a proxy in front
// of Helper would; stream faults apply to model replies on POST /api/chat,
// at a random point after the first text part. At most one stream fault is
// drawn per stream, in the order Reset, Truncate, ErrorPart, Stall.
type Faults struct {
	Error5xx         float64       // share of requests answered 503 with a plain-text body
	RateLimited      float64       // share answered 429 with a Retry-After header
	RetryAfter       time.Duration // the Retry-After value, whole seconds, at least 1 s (0: DefaultRetryAfter)
	SlowHeaders      float64       // share whose response is held back by SlowHeadersDelay
	SlowHeadersDelay time.Duration // how long the response is held back (0: DefaultSlowHeadersDelay)
	Reset            float64       // share of streams whose connection is reset (TCP RST) mid-stream
	Truncate         float64       // share of streams that end cleanly after some text, without `d:`
	ErrorPart        float64       // share of streams that send `3:"Error generating AI response"` and end
	Stall            float64       // share of streams that stop sending for StallFor, then finish
	StallFor         time.Duration // how long a stalled stream pauses (0: DefaultStallFor)
}

// DefaultConfig returns a realistic model for demos: lognormal TTFT around
// 400 ms, 20–60 tokens 15 ms apart, precise delays, 64 concurrent
// generations, a knowledge-base search in a tenth of replies, one source, 3%
// of replies escalating to a human, async jobs picked up after about half a
// second with 5% never answered, no data parts and no faults. Secret is left
// empty.
func DefaultConfig() Config {
	return Config{
		TTFT:          Dist{Kind: DistLognormal, Mean: 400 * time.Millisecond, Jitter: 150 * time.Millisecond},
		TokenInterval: Fixed(15 * time.Millisecond),
		PreciseDelays: true,
		Tokens:        DefaultTokens,
		Capacity:      64,
		ToolStep:      0.1,
		Sources:       1,
		HumanShare:    0.03,
		AsyncDelay:    Dist{Kind: DistUniform, Mean: 500 * time.Millisecond, Jitter: 250 * time.Millisecond},
		AsyncNoReply:  0.05,
	}
}

// withDefaults returns c with zero limits replaced by their defaults.
func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Title == "" {
		c.Title = DefaultTitle
	}
	if c.Tokens == (Range{}) {
		c.Tokens = DefaultTokens
	}
	if c.CannedText == "" {
		c.CannedText = DefaultCannedText
	}
	if c.SDKSize == 0 {
		c.SDKSize = DefaultSDKSize
	}
	if c.Faults.RetryAfter == 0 {
		c.Faults.RetryAfter = DefaultRetryAfter
	}
	if c.Faults.SlowHeadersDelay == 0 {
		c.Faults.SlowHeadersDelay = DefaultSlowHeadersDelay
	}
	if c.Faults.StallFor == 0 {
		c.Faults.StallFor = DefaultStallFor
	}
	if c.MaxConversations == 0 {
		c.MaxConversations = DefaultMaxConversations
	}
	if c.MaxMessages == 0 {
		c.MaxMessages = DefaultMaxMessages
	}
	if c.ReplyCacheSize == 0 {
		c.ReplyCacheSize = DefaultReplyCacheSize
	}
	return c
}

// validate checks c after defaults were applied.
func (c Config) validate() error {
	if c.Secret == "" {
		return fmt.Errorf("mockserver: config: Secret: empty")
	}
	for _, d := range []struct {
		name string
		d    Dist
	}{{"TTFT", c.TTFT}, {"TokenInterval", c.TokenInterval}, {"AsyncDelay", c.AsyncDelay}} {
		if err := d.d.validate(d.name); err != nil {
			return err
		}
	}
	if c.Tokens.Min < 1 || c.Tokens.Max < c.Tokens.Min {
		return fmt.Errorf("mockserver: config: Tokens: %s: want 1 ≤ min ≤ max", c.Tokens)
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"Capacity", c.Capacity}, {"QueueLimit", c.QueueLimit}, {"Sources", c.Sources}, {"SDKSize", c.SDKSize},
		{"MaxConversations", c.MaxConversations}, {"MaxMessages", c.MaxMessages}, {"ReplyCacheSize", c.ReplyCacheSize}} {
		if n.v < 0 {
			return fmt.Errorf("mockserver: config: %s: %d is negative", n.name, n.v)
		}
	}
	f := c.Faults
	for _, p := range []struct {
		name string
		v    float64
	}{{"DataPart", c.DataPart}, {"ToolStep", c.ToolStep}, {"SplitParts", c.SplitParts},
		{"HumanShare", c.HumanShare}, {"AsyncNoReply", c.AsyncNoReply},
		{"Faults.Error5xx", f.Error5xx}, {"Faults.RateLimited", f.RateLimited}, {"Faults.SlowHeaders", f.SlowHeaders},
		{"Faults.Reset", f.Reset}, {"Faults.Truncate", f.Truncate}, {"Faults.ErrorPart", f.ErrorPart}, {"Faults.Stall", f.Stall}} {
		if !(p.v >= 0 && p.v <= 1) {
			return fmt.Errorf("mockserver: config: %s: %v not in [0, 1]", p.name, p.v)
		}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"Faults.RetryAfter", f.RetryAfter}, {"Faults.SlowHeadersDelay", f.SlowHeadersDelay}, {"Faults.StallFor", f.StallFor}} {
		if d.v < 0 {
			return fmt.Errorf("mockserver: config: %s: %s is negative", d.name, d.v)
		}
	}
	return nil
}
