package scenarios

import "time"

// The vocabulary of a real widget's traffic (helper-api.md §7): what each
// page view sends, visits that open no chat, and the steps a chat has
// besides messages.

// WidgetSpec is what every page view sends around its session call (the
// scenario's widget: block). The zero value sends the session alone.
type WidgetSpec struct {
	// SDK is the share of page views that download GET /widget/sdk.js (the
	// rest hit the browser's cache: Helper sends max-age=300), 0..1.
	SDK float64
	// Preflight sends the CORS preflight (OPTIONS) a browser sends before the
	// session POST from the host site's origin.
	Preflight bool
	// Unread is the share of page views whose SDK integration asks for the
	// unread count (GET /api/chat/conversations/unread) to draw a badge, 0..1.
	Unread float64
	// PageURL is the host page's address, sent as the session's currentURL
	// (default DefaultPageURL).
	PageURL *Template
	// OpenCreated GETs a streamed chat's conversation (marking it read) as
	// soon as it is created, as the widget's conversation view loads it
	// while the first reply streams (open_created, default true). The
	// headless SDK's paths (tools, mode: async) never do.
	OpenCreated bool
}

// DefaultPageURL is the session's currentURL unless widget.page_url says otherwise.
const DefaultPageURL = "https://www.example.com/"

// VisitSpec is a journey without a chat: page views only.
type VisitSpec struct {
	PageViews int   // page_views: sessions in a row, each carrying the last one's token (default 1)
	Think     Think // think: time on a page before the next page view
}

// StepKind is what one item of a conversation's turns does.
type StepKind string

// The step kinds; each is a step of its own in results, metrics and reports.
const (
	StepMessage  StepKind = "message"   // send a message and read the reply
	StepOpen     StepKind = "open"      // GET the conversation (marking it read unless mark_read: false)
	StepHistory  StepKind = "history"   // GET the conversation list, up to Pages pages
	StepReact    StepKind = "react"     // a thumbs-up on the last reply
	StepMarkRead StepKind = "mark_read" // PATCH the conversation {"markRead":true}
	StepUnread   StepKind = "unread"    // GET the unread count
	StepPageView StepKind = "page_view" // a new page: the widget's page-view requests and session, then a reopen
)

// StepKinds returns every step kind, in the order the format documents them.
func StepKinds() []StepKind {
	return []StepKind{StepMessage, StepOpen, StepHistory, StepReact, StepMarkRead, StepUnread, StepPageView}
}

// AttachmentSpec is a file, or Count alike ones, attached to a message.
type AttachmentSpec struct {
	Type  string    // png, jpeg or pdf (package internal/attachment's types)
	Size  int       // bytes, decoded
	Count int       // files of this kind (default 1)
	Name  *Template // file name (default screenshot.png for the first PNG, else file-N.EXT)
}

// ToolSpec is a tool an SDK integration sends with every message (Helper
// stores the tools on each such request).
type ToolSpec struct {
	Description      string
	Parameters       map[string]ToolParamSpec
	ServerRequestURL string // server_request_url: "" for a tool the browser runs
}

// ToolParamSpec is a tool's parameter.
type ToolParamSpec struct {
	Type        string // string or number
	Description string
	Optional    bool
}

// Poll defaults and bounds for async conversations.
const (
	DefaultPollBackoff = 1.0 // a fixed interval
	maxPollBackoff     = 10.0
)

// PollSpec is how an async conversation looks for its reply. Real widgets
// never poll (replies stream, staff replies come over Realtime): every
// poll is a read of the measurement, not of the users, and is reported apart.
type PollSpec struct {
	Interval    time.Duration // before the first poll and between polls
	Timeout     time.Duration // give up after
	Backoff     float64       // each interval is the last one times this (≥ 1; > 1 is sparse polling)
	MaxInterval time.Duration // cap on the interval (0: none)
}

// StepOptions are the options of the steps that are not messages.
type StepOptions struct {
	MarkRead bool // open: mark the conversation read (the widget's default: true)
	Pages    int  // history: pages to read, following nextCursor (default 1)
	Reopen   bool // page_view: reopen the conversation after the session, as a widget left open does (default true)
}

// Bounds of the widget vocabulary.
const (
	maxPageViews    = 1000
	maxHistoryPages = 100
)
