// Package scenarios reads loadgen's YAML scenario files (format version 1)
// into validated, ready-to-run values: target, users, load shape, a weighted
// mix of conversations and their turns, thresholds, SLOs and CSV/JSONL data
// feeders. Every problem in a file is reported at once, naming the file,
// line, column and field path. The commented files in scenarios/examples
// teach the format.
//
// The package owns the load model's rules (load.go): the load section's
// settings are declared once, in a table that decodes the YAML keys and
// the `loadgen run` flags that override them (LoadFlags, Load.Override) with
// the same checks, so a new load option is one row there.
package scenarios

import (
	"math/rand/v2"
	"time"
)

// Scenario is a validated scenario. LoadFile and Parse return it; the runner
// only reads it.
type Scenario struct {
	Version       int                // always 1
	Name          string             // required; a metric label value
	Description   string             //
	File          string             // the path it was loaded from ("" when parsed from bytes)
	Target        Target             //
	Users         Users              //
	Load          Load               //
	Widget        WidgetSpec         // what every page view sends around its session (widget:)
	Conversations []ConversationSpec // at least one
	Thresholds    []ThresholdExpr    // pass/fail checks on the summary (issue 5 evaluates them)
	SLO           SLO                // what makes a message "good" (goodput)
	Metrics       MetricsSpec        // how the run's Prometheus metrics are shaped
	Feeders       []*Feeder          // data files whose rows become .Vars (NextVars draws them)

	cumWeights []int // running sums of the conversations' weights, for Pick
}

// Target is the deployment under test.
type Target struct {
	BaseURL        string            // base_url, e.g. http://127.0.0.1:8080 (${VAR} expanded)
	SecretEnv      string            // hmac_secret_env: name of the env var with the secret (default HELPER_HMAC_SECRET)
	Timeout        time.Duration     // request_timeout: per request including the streamed body (default 120s)
	ConnectTimeout time.Duration     // connect_timeout (default 10s)
	Headers        map[string]string // extra headers on every request (${VAR} expanded)
}

// DefaultSecretEnv is the env var that holds the HMAC secret unless the scenario names another.
const DefaultSecretEnv = "HELPER_HMAC_SECRET"

// Users says who the virtual users are.
type Users struct {
	Email          *Template         // email template, e.g. user-{{.Seq}}@example.com (default loadgen-{{.Seq}}@example.com)
	AnonymousShare float64           // anonymous: share of users with no email, 0..1 ("25%" or 0.25 in YAML)
	Metadata       map[string]string // customer metadata, available to templates as .Meta
	// ReuseSession (reuse_session) makes a closed-model user create one
	// session and send all its conversations with that token, instead of a
	// new session per conversation. An open-model arrival is a new user, so
	// it changes nothing there.
	ReuseSession bool
	// Returning (returning) is the share of a closed-model user's sessions,
	// after its first, that resume its previous conversation (same slug,
	// same kind) instead of creating a new one, 0..1. Conversations replayed
	// from transcripts are never resumed.
	Returning float64
}

// Rate is a number of events per period.
type Rate struct {
	Freq int           // events
	Per  time.Duration // per this period (default 1s)
}

// PerSecond returns the rate in events per second (0 for the zero Rate).
func (r Rate) PerSecond() float64 {
	if r.Freq == 0 || r.Per == 0 {
		return 0
	}
	return float64(r.Freq) / r.Per.Seconds()
}

// IsZero reports whether no rate was given.
func (r Rate) IsZero() bool { return r.Freq == 0 }

// Mode is how a conversation's messages are sent.
type Mode string

// Message modes.
const (
	Stream Mode = "stream" // POST /api/chat, reply streamed (default)
	Async  Mode = "async"  // POST .../message, then poll GET until the reply appears
)

// ConversationSpec is one kind of conversation in the mix, as the scenario
// describes it (a conversations: entry); its Name is the "conversation" of
// results and metric labels. The conversations themselves are
// helperapi.Conversation (on the server) and transcripts.Conversation
// (recorded).
type ConversationSpec struct {
	Name     string    // required, unique; a metric label value
	Weight   int       // relative share of sessions (default 1)
	Subject  *Template // conversation subject (nil: none, as the widget sends; Helper then generates one)
	IsPrompt bool      // is_prompt: enables Helper's reply cache for the first message
	Mode     Mode      // stream (default) or async
	Poll     PollSpec  // async: how to look for the reply
	// PageViews (page_views) is how many page views the chat spans: the
	// first starts it; each later one (a session carrying the token, then a
	// reopen of the conversation) comes after a message, spread evenly
	// (default 1).
	PageViews int
	// GuideEnabled is the widget's guideEnabled body field.
	GuideEnabled bool
	// Tools are an SDK integration's tools, sent with every message (the
	// body is then the SDK's); CustomerSpecificTools stores them per customer.
	Tools                 map[string]ToolSpec
	CustomerSpecificTools bool
	Visit                 *VisitSpec  // visit: page views only, no conversation (then nil Turns)
	Turns                 []TurnSpec  // may be empty (turns: []): the session creates its conversation and ends
	Transcript            *Transcript // transcript: replay recorded conversations instead of Turns (then nil Turns)
}

// TurnSpec is one step of a conversation as the scenario describes it: a
// user message and what to expect of the reply (a recorded one is a
// transcripts.Turn), or one of the widget's other steps (Kind).
type TurnSpec struct {
	Kind        StepKind         // StepMessage for a message
	Message     *Template        // the user's message
	Think       Think            // think time before this step
	Share       float64          // share: the probability the step runs, 0..1 (default 1)
	Expect      Expect           // checks on the reply
	Attachments []AttachmentSpec // files on the message
	Options     StepOptions      // the other kinds' options
}

// Expect holds checks on one reply; a failure is an "expectation" error.
type Expect struct {
	Status   int           // HTTP status (default: any 2xx)
	Contains []string      // substrings the reply text must contain
	MaxTTFT  time.Duration // max_ttft (0 = no check)
}

// ThinkKind is a think-time distribution.
type ThinkKind string

// Think-time distributions.
const (
	ThinkNone        ThinkKind = ""            // no think time
	ThinkFixed       ThinkKind = "fixed"       // exactly Mean
	ThinkUniform     ThinkKind = "uniform"     // uniform in [Min, Max]
	ThinkExponential ThinkKind = "exponential" // exponential with mean Mean, capped at Max when Max > 0
)

// Think is a think-time distribution. The zero value means no think time.
type Think struct {
	Kind ThinkKind
	Mean time.Duration
	Min  time.Duration
	Max  time.Duration
}

// Sample draws one think time.
func (t Think) Sample(r *rand.Rand) time.Duration {
	switch t.Kind {
	case ThinkFixed:
		return t.Mean
	case ThinkUniform:
		if t.Max <= t.Min {
			return t.Min
		}
		return t.Min + time.Duration(r.Int64N(int64(t.Max-t.Min)+1))
	case ThinkExponential:
		d := time.Duration(r.ExpFloat64() * float64(t.Mean))
		if t.Max > 0 && d > t.Max {
			d = t.Max
		}
		return d
	}
	return 0
}

// ThresholdExpr is one pass/fail expression, e.g. "message.ttft.p95 < 1.5s".
type ThresholdExpr struct {
	Expr string // as written
	Pos  Pos    // where it was written
}

// MetricsSpec shapes the run's Prometheus metrics (the metrics section).
type MetricsSpec struct {
	// Buckets overrides the classic bucket edges of histograms, by name
	// (BucketHistograms). loadgen adds the SLO's and the thresholds' bounds
	// to the edges either way.
	Buckets map[string][]time.Duration
}

// BucketHistograms names the histograms whose bucket edges metrics.buckets
// can set: step latency, time to first byte, time to first token, the gap
// between tokens, schedule lag and rate-limiter wait.
func BucketHistograms() []string {
	return []string{"latency", "ttfb", "ttft", "inter_token", "lag", "rate_limit_wait"}
}

// maxBucketEdges bounds one histogram's edges.
const maxBucketEdges = 100

// SLO marks a message good when every set bound holds and it had no error.
type SLO struct {
	MaxTTFT    time.Duration // ttft
	MaxLatency time.Duration // latency (total)
	MaxGap     time.Duration // inter_token: max gap between tokens
}

// Pos is a place in a scenario file.
type Pos struct {
	File   string
	Line   int
	Column int
}

// TemplateData is what templates see.
type TemplateData struct {
	Seq          uint64            // the user's number, from 1
	Session      uint64            // the session's number, from 1
	Turn         int               // the turn's number, from 1 (0 outside turns)
	Conversation string            // the conversation's name
	Email        string            // the user's email ("" for anonymous users)
	Meta         map[string]string // Users.Metadata
	Vars         map[string]string // the user's feeder row (Scenario.NextVars)
}
