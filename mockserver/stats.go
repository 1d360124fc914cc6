package mockserver

import (
	"net/http"
	"sync/atomic"
)

// Stats is a snapshot of the server's counts since New. GET /stats serves it
// as JSON; /metrics serves the same counts as helpermock_* metrics. A load
// test can hold its own counts against these.
type Stats struct {
	// Routes counts requests by route (every Route, even at zero) and
	// status code, as they arrived: rejected and faulted ones included.
	Routes         map[Route]RouteStats `json:"routes"`
	Sessions       SessionStats         `json:"sessions"`
	Conversations  int64                `json:"conversations"`   // conversations created
	DefaultSubject int64                `json:"default_subject"` // of those, created without a subject (Helper generates one after the first reply)
	Messages       MessageStats         `json:"messages"`
	Replies        ReplyStats           `json:"replies"`
	Escalations    int64                `json:"escalations"` // conversations handed to a human by a request_human_support call
	Reads          ReadStats            `json:"reads"`
	Reactions      ReactionStats        `json:"reactions"`
	Chat           ChatFieldStats       `json:"chat"`
	Attachments    AttachmentStats      `json:"attachments"`
	Rejections     RejectionStats       `json:"rejections"`
	Faults         FaultStats           `json:"faults"`
	InFlight       int64                `json:"in_flight"` // model replies being generated now (streamed and background)
	Queued         int64                `json:"queued"`    // model replies waiting for capacity now
	Stored         StoreStats           `json:"stored"`
}

// RouteStats counts one route's requests and their status codes ("other"
// for a handler that wrote none, as when a stream was reset).
type RouteStats struct {
	Requests int64            `json:"requests"`
	Codes    map[string]int64 `json:"codes"`
}

// ReactionStats counts reactions that POST …/message/{id} set or cleared.
type ReactionStats struct {
	ThumbsUp   int64 `json:"thumbs_up"`   // set to thumbs-up
	ThumbsDown int64 `json:"thumbs_down"` // set to thumbs-down, or feedback added to one
	Cleared    int64 `json:"cleared"`     // the same reaction again: cleared
}

// ChatFieldStats counts optional fields of accepted POST /api/chat bodies.
type ChatFieldStats struct {
	GuideEnabled      int64 `json:"guide_enabled"`      // guideEnabled true
	ReadPageTool      int64 `json:"read_page_tool"`     // a readPageTool given
	ToolsStored       int64 `json:"tools_stored"`       // tools given: Helper stores them on every such request
	MailboxOverwrites int64 `json:"mailbox_overwrites"` // customerInfoUrl without customerSpecificInfoUrl: Helper overwrites the mailbox's setting
}

// AttachmentStats counts the files of accepted messages (both paths).
type AttachmentStats struct {
	Messages int64 `json:"messages"` // messages with at least one file
	Files    int64 `json:"files"`
	Bytes    int64 `json:"bytes"` // decoded size
}

// SessionStats counts sessions created, by type.
type SessionStats struct {
	Email     int64 `json:"email"`
	Anonymous int64 `json:"anonymous"`
}

// MessageStats counts user messages accepted and finished, by path.
type MessageStats struct {
	StreamStarted   int64 `json:"stream_started"`   // POST /api/chat accepted (user message stored)
	StreamCompleted int64 `json:"stream_completed"` // reply written to the end (d:, or a whole single-shot reply)
	AsyncStarted    int64 `json:"async_started"`    // POST …/message accepted
	AsyncReplied    int64 `json:"async_replied"`    // background reply stored
	AsyncNoReply    int64 `json:"async_no_reply"`   // background reply deliberately skipped
}

// ReplyStats counts streamed replies begun, by shape.
type ReplyStats struct {
	Model  int64 `json:"model"`  // f: … d: generations
	Cached int64 `json:"cached"` // single-shot from the reply cache
	Human  int64 `json:"human"`  // single-shot canned handed-to-a-human text
	Empty  int64 `json:"empty"`  // single-shot empty text (later messages to a human)
}

// ReadStats counts conversation reads.
type ReadStats struct {
	Gets       int64 `json:"gets"`        // GET /api/chat/conversation/{slug} answered
	MarkedRead int64 `json:"marked_read"` // of those and PATCH, the ones that wrote "read"
	Lists      int64 `json:"lists"`       // GET /api/chat/conversations answered
	Unread     int64 `json:"unread"`      // GET /api/chat/conversations/unread answered
}

// RejectionStats counts requests refused, by reason.
type RejectionStats struct {
	BadHMAC             int64 `json:"bad_hmac"`             // 401 Invalid HMAC signature
	StaleTimestamp      int64 `json:"stale_timestamp"`      // 401 Timestamp is too far in the past
	MissingFields       int64 `json:"missing_fields"`       // 400 Email authentication fields missing
	InvalidRequest      int64 `json:"invalid_request"`      // 400/500 for a body or parameters that fail the schema
	InvalidAttachment   int64 `json:"invalid_attachment"`   // 400 (or 500 on /api/chat) for attachments Helper refuses
	UnknownMessage      int64 `json:"unknown_message"`      // a reaction to no message: 500 (Helper's takeUniqueOrThrow throws)
	MissingToken        int64 `json:"missing_token"`        // 401 Missing authorization header
	BadToken            int64 `json:"bad_token"`            // 401 Invalid session token
	UnknownConversation int64 `json:"unknown_conversation"` // no such (or evicted) conversation
	ForeignConversation int64 `json:"foreign_conversation"` // someone else's conversation
	BlankContent        int64 `json:"blank_content"`        // 400 Content is required
	QueueFull           int64 `json:"queue_full"`           // 503: QueueLimit reached
}

// FaultStats counts injected faults, by kind.
type FaultStats struct {
	Error5xx    int64 `json:"error_5xx"`
	RateLimited int64 `json:"rate_limited"`
	SlowHeaders int64 `json:"slow_headers"`
	Reset       int64 `json:"reset"`
	Truncate    int64 `json:"truncate"`
	ErrorPart   int64 `json:"error_part"`
	Stall       int64 `json:"stall"`
}

// StoreStats describes what the server holds in memory.
type StoreStats struct {
	Conversations int64 `json:"conversations"` // conversations held now
	Evicted       int64 `json:"evicted"`       // conversations dropped to stay under MaxConversations
	PendingAsync  int64 `json:"pending_async"` // background reply jobs scheduled or generating, not yet done
}

// counters holds the live counts; Stats copies them.
type counters struct {
	sessEmail, sessAnon                                           atomic.Int64
	conversations, defaultSubject, escalations                    atomic.Int64
	unreadCounts, thumbsUp, thumbsDown, reactionsCleared          atomic.Int64
	guideEnabled, readPageTool, toolsStored, mailboxOverwrites    atomic.Int64
	messagesWithFiles, files, fileBytes                           atomic.Int64
	invalidAttachment, unknownMessage                             atomic.Int64
	streamStarted, streamCompleted                                atomic.Int64
	asyncStarted, asyncReplied, asyncNoReply                      atomic.Int64
	replyModel, replyCached, replyHuman, replyEmpty               atomic.Int64
	gets, markedRead, lists                                       atomic.Int64
	badHMAC, staleTimestamp, missingFields, invalidRequest        atomic.Int64
	missingToken, badToken                                        atomic.Int64
	unknownConv, foreignConv, blankContent, queueFull             atomic.Int64
	f5xx, f429, fSlowHeaders, fReset, fTruncate, fErrPart, fStall atomic.Int64
}

// Stats returns a snapshot of the server's counts. It is safe for
// concurrent use; counts taken while requests run may be a moment apart.
func (s *Server) Stats() Stats {
	c := &s.counts
	inFlight, queued := s.capacity.load()
	stored, evicted := s.store.sizes()
	routes := make(map[Route]RouteStats, len(allRoutes))
	for i, rt := range allRoutes {
		routes[rt] = s.routeCounts[i].snapshot()
	}
	return Stats{
		Routes:         routes,
		Sessions:       SessionStats{Email: c.sessEmail.Load(), Anonymous: c.sessAnon.Load()},
		Conversations:  c.conversations.Load(),
		DefaultSubject: c.defaultSubject.Load(),
		Escalations:    c.escalations.Load(),
		Reactions:      ReactionStats{ThumbsUp: c.thumbsUp.Load(), ThumbsDown: c.thumbsDown.Load(), Cleared: c.reactionsCleared.Load()},
		Chat: ChatFieldStats{GuideEnabled: c.guideEnabled.Load(), ReadPageTool: c.readPageTool.Load(),
			ToolsStored: c.toolsStored.Load(), MailboxOverwrites: c.mailboxOverwrites.Load()},
		Attachments: AttachmentStats{Messages: c.messagesWithFiles.Load(), Files: c.files.Load(), Bytes: c.fileBytes.Load()},
		Messages: MessageStats{
			StreamStarted: c.streamStarted.Load(), StreamCompleted: c.streamCompleted.Load(),
			AsyncStarted: c.asyncStarted.Load(), AsyncReplied: c.asyncReplied.Load(), AsyncNoReply: c.asyncNoReply.Load(),
		},
		Replies: ReplyStats{Model: c.replyModel.Load(), Cached: c.replyCached.Load(), Human: c.replyHuman.Load(), Empty: c.replyEmpty.Load()},
		Reads:   ReadStats{Gets: c.gets.Load(), MarkedRead: c.markedRead.Load(), Lists: c.lists.Load(), Unread: c.unreadCounts.Load()},
		Rejections: RejectionStats{
			BadHMAC: c.badHMAC.Load(), StaleTimestamp: c.staleTimestamp.Load(), MissingFields: c.missingFields.Load(),
			InvalidRequest: c.invalidRequest.Load(), InvalidAttachment: c.invalidAttachment.Load(),
			UnknownMessage: c.unknownMessage.Load(), MissingToken: c.missingToken.Load(), BadToken: c.badToken.Load(),
			UnknownConversation: c.unknownConv.Load(), ForeignConversation: c.foreignConv.Load(),
			BlankContent: c.blankContent.Load(), QueueFull: c.queueFull.Load(),
		},
		Faults: FaultStats{
			Error5xx: c.f5xx.Load(), RateLimited: c.f429.Load(), SlowHeaders: c.fSlowHeaders.Load(),
			Reset: c.fReset.Load(), Truncate: c.fTruncate.Load(), ErrorPart: c.fErrPart.Load(), Stall: c.fStall.Load(),
		},
		InFlight: inFlight,
		Queued:   queued,
		Stored:   StoreStats{Conversations: stored, Evicted: evicted, PendingAsync: s.async.pending()},
	}
}

// reject counts a refused request under reason and logs it at debug level.
func (s *Server) reject(r *http.Request, n *atomic.Int64, reason string) {
	n.Add(1)
	s.cfg.Logger.Debug("mockserver: rejected", "reason", reason, "method", r.Method, "path", r.URL.Path)
}

// fault counts an injected fault and logs it at debug level.
func (s *Server) fault(n *atomic.Int64, kind string) {
	n.Add(1)
	s.cfg.Logger.Debug("mockserver: fault injected", "kind", kind)
}

// handleStats serves GET /stats.
func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Stats())
}
