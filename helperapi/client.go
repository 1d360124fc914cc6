package helperapi

import (
	"context"
	"net/http"
	"time"
)

// Defaults for the client's knobs.
const (
	DefaultTimeout      = 120 * time.Second // per request, including the whole streamed body
	DefaultPollInterval = 500 * time.Millisecond
	DefaultPollTimeout  = 60 * time.Second
)

// Client talks to one Helper deployment. It is safe for concurrent use; one
// Client serves every virtual user of a run, sharing its connection pool.
type Client struct {
	// TODO(helperapi): fields
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (default: one on NewTransport).
func WithHTTPClient(hc *http.Client) Option { panic("TODO") }

// WithSecret sets the HMAC secret used to sign email sessions.
func WithSecret(secret string) Option { panic("TODO") }

// WithTimeout sets the per-request timeout (default DefaultTimeout).
func WithTimeout(d time.Duration) Option { panic("TODO") }

// WithHeader adds a header to every request.
func WithHeader(key, value string) Option { panic("TODO") }

// WithClock sets the clock used for HMAC timestamps (tests).
func WithClock(now func() time.Time) Option { panic("TODO") }

// NewTransport returns an http.Transport tuned for a load test: keep-alive,
// an idle pool sized for maxConnsPerHost users, HTTP/2 when offered over TLS.
func NewTransport(maxConnsPerHost int) *http.Transport { panic("TODO") }

// New returns a Client for the deployment at baseURL (e.g. "http://127.0.0.1:8080";
// paths /api/... are appended).
func New(baseURL string, opts ...Option) (*Client, error) { panic("TODO") }

// SessionRequest says who the session is for.
type SessionRequest struct {
	Email    string   // "" for an anonymous session
	Previous *Session // sent as currentToken, so an anonymous visitor keeps its identity
}

// Session is an authenticated visitor. Its token is never printed: String,
// GoString and LogValue redact it. Safe for concurrent use.
type Session struct {
	// TODO(helperapi): fields
}

// CreateSession calls POST /api/widget/session.
func (c *Client) CreateSession(ctx context.Context, req SessionRequest) (*Session, Timing, error) {
	panic("TODO")
}

// CreateConversation calls POST /api/chat/conversation and returns the slug.
func (s *Session) CreateConversation(ctx context.Context, subject string, isPrompt bool) (string, Timing, error) {
	panic("TODO")
}

// MessageOptions tune one streamed exchange.
type MessageOptions struct {
	KeepText bool // keep the reply text in Reply.Text
}

// SendMessage calls POST /api/chat and reads the streamed reply part by part.
// The Reply is never nil: on error it holds what was measured before the failure.
func (s *Session) SendMessage(ctx context.Context, slug, content string, opts MessageOptions) (*Reply, error) {
	panic("TODO")
}

// PostMessage calls POST /api/chat/conversation/{slug}/message (the
// non-streaming path) and returns the stored message id.
func (s *Session) PostMessage(ctx context.Context, slug, content string) (int64, Timing, error) {
	panic("TODO")
}

// Message is one message of a conversation.
type Message struct {
	ID        string    `json:"id"`
	Role      string    `json:"role"` // user, assistant, staff
	Content   string    `json:"content"`
	CreatedAt time.Time `json:"createdAt"`
	StaffName string    `json:"staffName,omitempty"`
}

// Conversation is the body of GET /api/chat/conversation/{slug}.
type Conversation struct {
	Slug        string    `json:"slug"`
	Subject     string    `json:"subject"`
	IsEscalated bool      `json:"isEscalated"`
	Messages    []Message `json:"messages"`
}

// GetConversation calls GET /api/chat/conversation/{slug}?markRead=false.
func (s *Session) GetConversation(ctx context.Context, slug string) (*Conversation, Timing, error) {
	panic("TODO")
}

// PollOptions tune WaitForReply.
type PollOptions struct {
	Interval time.Duration // between GETs (default DefaultPollInterval)
	Timeout  time.Duration // give up after this (default DefaultPollTimeout): KindNoReply
}

// AsyncReply is the outcome of waiting for a background reply.
type AsyncReply struct {
	Timing           // Start = when waiting began; Total = until the reply was seen
	Polls   int      // GETs made
	Message *Message // the assistant (or staff) reply; nil with KindNoReply
}

// WaitForReply polls GetConversation until a message with role assistant or
// staff appears after the message with id afterID (the one PostMessage
// returned), or the timeout passes (an *Error of KindNoReply).
func (s *Session) WaitForReply(ctx context.Context, slug string, afterID int64, opts PollOptions) (*AsyncReply, error) {
	panic("TODO")
}

// ConversationSummary is one row of the conversation list.
type ConversationSummary struct {
	Slug            string     `json:"slug"`
	Subject         string     `json:"subject"`
	CreatedAt       time.Time  `json:"createdAt"`
	LatestMessage   *string    `json:"latestMessage"`
	LatestMessageAt *time.Time `json:"latestMessageAt"`
	MessageCount    int        `json:"messageCount"`
	IsEscalated     bool       `json:"isEscalated"`
	IsUnread        bool       `json:"isUnread"`
}

// ConversationPage is one page of GET /api/chat/conversations.
type ConversationPage struct {
	Conversations []ConversationSummary `json:"conversations"`
	NextCursor    *string               `json:"nextCursor"`
}

// ListConversations calls GET /api/chat/conversations?cursor=&limit=.
func (s *Session) ListConversations(ctx context.Context, cursor string, limit int) (*ConversationPage, Timing, error) {
	panic("TODO")
}
