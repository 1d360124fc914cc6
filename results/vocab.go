package results

import "slices"

// This file is the vocabulary of a run: the steps a virtual user takes
// (Step), how a step fails (Kind), the shape of a streamed reply (Shape) and
// how a session ends (End). Their string values are public: they appear in
// results files, the summary JSON, metric labels, threshold expressions and
// dashboards.
//
// To add a word, add its constant and its row in the table next to it. The
// rest of loadgen ranges over these tables (Steps, Kinds, Shapes, Ends):
// stats counts every step and kind, metrics makes their label values, report
// prints them, and tests fail when a word is listed anywhere else by hand.
// A client failure class also needs its line in the runner's mapping
// (runner/kinds.go), which a test checks is exhaustive.

// Step names the kind of request a Result measures.
type Step string

// The steps of a virtual user's session, in order: what a page view sends
// (sdk, preflight, session, unread), a chat (conversation, message or, in
// async mode, ack), what a widget does around it (open, history, react,
// mark_read), and the async mode's polls.
const (
	StepSDK          Step = "sdk"          // GET /widget/sdk.js: the widget's loader script
	StepPreflight    Step = "preflight"    // OPTIONS /api/widget/session: the browser's CORS preflight
	StepSession      Step = "session"      // POST /api/widget/session
	StepUnread       Step = "unread"       // GET /api/chat/conversations/unread: an SDK badge's count
	StepConversation Step = "conversation" // POST /api/chat/conversation
	StepMessage      Step = "message"      // POST /api/chat: a message and its streamed reply
	StepAck          Step = "ack"          // async mode: POST .../message, acknowledged at once (the reply comes by poll)
	StepOpen         Step = "open"         // GET /api/chat/conversation/{slug}: a reopen, marking it read
	StepHistory      Step = "history"      // GET /api/chat/conversations: one page of the History list
	StepReact        Step = "react"        // POST /api/chat/conversation/{slug}/message/{id}: a thumbs-up
	StepMarkRead     Step = "mark_read"    // PATCH /api/chat/conversation/{slug} {"markRead":true}
	StepPoll         Step = "poll"         // async mode: waiting for the background reply (overhead)
)

// stepTable lists every Step in order with the HTTP request it makes
// (helper-api.md), which the vegeta encoding shows as the result's method
// and URL, and whether it is measurement overhead: requests loadgen sends
// to measure that no real client sends.
var stepTable = [...]struct {
	step         Step
	method, path string
	overhead     bool
}{
	{StepSDK, "GET", "/widget/sdk.js", false},
	{StepPreflight, "OPTIONS", "/api/widget/session", false},
	{StepSession, "POST", "/api/widget/session", false},
	{StepUnread, "GET", "/api/chat/conversations/unread", false},
	{StepConversation, "POST", "/api/chat/conversation", false},
	{StepMessage, "POST", "/api/chat", false},
	{StepAck, "POST", "/api/chat/conversation/{slug}/message", false},
	{StepOpen, "GET", "/api/chat/conversation/{slug}", false},
	{StepHistory, "GET", "/api/chat/conversations", false},
	{StepReact, "POST", "/api/chat/conversation/{slug}/message/{id}", false},
	{StepMarkRead, "PATCH", "/api/chat/conversation/{slug}", false},
	// A real widget never polls: replies stream, staff replies come over
	// Supabase Realtime. Each poll is a read loadgen adds to measure the
	// async path.
	{StepPoll, "GET", "/api/chat/conversation/{slug}?markRead=false", true},
}

// NumSteps is the number of steps, len(Steps()), for arrays indexed by
// Step.Index.
const NumSteps = len(stepTable)

// Steps lists the steps in order. The slice is the caller's.
func Steps() []Step {
	s := make([]Step, len(stepTable))
	for i, e := range stepTable {
		s[i] = e.step
	}
	return s
}

// Index returns the position of s in Steps(), -1 when s is not a step.
func (s Step) Index() int {
	for i, e := range stepTable {
		if e.step == s {
			return i
		}
	}
	return -1
}

// Sends reports whether s sends a user's message: a streamed message, or an
// async one's acknowledged post (whose reply the poll step waits for).
// Goodput counts these steps: each is one message a user sent.
func (s Step) Sends() bool { return s == StepMessage || s == StepAck }

// Known reports whether s is one of Steps().
func (s Step) Known() bool { return s.Index() >= 0 }

// Overhead reports whether s is measurement overhead: requests loadgen
// sends to take its measurement that no real client sends (polls). Reports
// count them apart from the users' traffic.
func (s Step) Overhead() bool {
	if i := s.Index(); i >= 0 {
		return stepTable[i].overhead
	}
	return false
}

// Request returns the HTTP method and path of the request s makes; "" for
// an unknown step.
func (s Step) Request() (method, path string) {
	if i := s.Index(); i >= 0 {
		return stepTable[i].method, stepTable[i].path
	}
	return "", ""
}

// Kind is the class of a failed step, from a small fixed set, so that
// failures are counted by kind. The zero value means "no error".
type Kind string

// The kinds of failure. The first thirteen are the client's (helperapi.Kind,
// mapped one to one by the runner); the last two are the runner's own.
// Three of them are not the target's failures (Kind.Ours): canceled and
// local_resource, loadgen's own, and template, its scenario's.
const (
	KindConnect         Kind = "connect"          // dial, DNS or TLS handshake failed
	KindTimeout         Kind = "timeout"          // a deadline passed (request timeout, not the run's stop)
	KindCanceled        Kind = "canceled"         // the run stopped the step; its latency is ours, not the target's
	KindNetwork         Kind = "network"          // the connection broke after it was made (reset, EOF mid-body)
	KindRateLimited     Kind = "rate_limited"     // 429, usually from a proxy in front of Helper
	KindAuth            Kind = "auth"             // 401 or 403
	KindHTTP4xx         Kind = "http_4xx"         // any other 4xx
	KindHTTP5xx         Kind = "http_5xx"         // any 5xx
	KindStreamTruncated Kind = "stream_truncated" // began with f: and ended without d:, or ended before any text
	KindStreamError     Kind = "stream_error"     // a 3: error part, even with status 200
	KindProtocol        Kind = "protocol"         // a body that cannot be parsed
	KindNoReply         Kind = "no_reply"         // async mode: no assistant reply appeared in time
	KindLocal           Kind = "local_resource"   // loadgen ran out of its own resources (file descriptors, ephemeral ports): not the target's failure
	KindExpectation     Kind = "expectation"      // the reply arrived but failed a scenario expectation (status, contains, max_ttft, similarity)
	KindTemplate        Kind = "template"         // never sent: its template failed to render (e.g. a missing feeder column)
)

var kindTable = [...]Kind{
	KindConnect, KindTimeout, KindCanceled, KindNetwork, KindRateLimited, KindAuth,
	KindHTTP4xx, KindHTTP5xx, KindStreamTruncated, KindStreamError, KindProtocol, KindNoReply,
	KindLocal, KindExpectation, KindTemplate,
}

// Kinds lists every Kind, in a fixed order. The slice is the caller's.
func Kinds() []Kind { return slices.Clone(kindTable[:]) }

// Known reports whether k is one of Kinds().
func (k Kind) Known() bool { return slices.Contains(kindTable[:], k) }

// Timed reports whether a step that failed with k measured the target: every
// kind but KindCanceled, whose latency the run cut short, and KindTemplate,
// never sent. Latency histograms leave untimed steps out (a timeout or a
// failed step still took that long).
func (k Kind) Timed() bool { return k != KindCanceled && k != KindTemplate }

// Ours reports whether a step that failed with k failed for loadgen's own
// reason, not the target's: the run's stop canceled it (KindCanceled),
// loadgen ran out of a local resource (KindLocal), or its scenario's
// template could not be rendered, so it was never sent (KindTemplate). Such
// steps are counted and shown apart, but they are not errors: error rates
// and goodput leave them out of both sides of the fraction.
func (k Kind) Ours() bool { return k == KindCanceled || k == KindLocal || k == KindTemplate }

// Target reports whether k is a failure of the target: an error kind that
// is not Ours. The zero Kind (success) is not.
func (k Kind) Target() bool { return k != "" && !k.Ours() }

// Shape is the form of a successful streamed reply. A broken reply has no
// Shape; its step has a Kind.
type Shape string

// The reply shapes.
const (
	ShapeModel      Shape = "model"       // f: … d: — a model generation
	ShapeSingleShot Shape = "single_shot" // 8: then one 0: with text, no f:/d: — cached or canned
	ShapeEmpty      Shape = "empty"       // a complete reply with no text (e.g. 8: then 0:"")
)

// shapeTable lists every Shape in order with what reports call it.
var shapeTable = [...]struct {
	shape Shape
	desc  string
}{
	{ShapeModel, "model (generated)"},
	{ShapeSingleShot, "single-shot (cached or canned)"},
	{ShapeEmpty, "empty"},
}

// Shapes lists every Shape, in a fixed order. The slice is the caller's.
func Shapes() []Shape {
	s := make([]Shape, len(shapeTable))
	for i, e := range shapeTable {
		s[i] = e.shape
	}
	return s
}

// Known reports whether s is one of Shapes().
func (s Shape) Known() bool { return s.Description() != "" }

// Description says what the shape means, for people: "model (generated)";
// "" for an unknown shape.
func (s Shape) Description() string {
	for _, e := range shapeTable {
		if e.shape == s {
			return e.desc
		}
	}
	return ""
}

// End says how a session ended (Sink.SessionEnded); metrics call it the
// session's outcome.
type End string

// Session outcomes.
const (
	EndCompleted End = "completed" // every step succeeded
	EndFailed    End = "failed"    // a step failed (the session stopped there, or an expectation failed)
	EndCanceled  End = "canceled"  // the run stopped while the session was in flight
)

var endTable = [...]End{EndCompleted, EndFailed, EndCanceled}

// Ends lists every End, in a fixed order. The slice is the caller's.
func Ends() []End { return slices.Clone(endTable[:]) }

// Index returns the position of e in Ends(), -1 when e is not an End.
func (e End) Index() int { return slices.Index(endTable[:], e) }
