package helperapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/loadgen/loadgen/helperapi/internal/jsonscan"
)

// CreateConversation calls POST /api/chat/conversation and returns the slug.
// Without a subject the body is the widget's, exactly {"isPrompt":false}
// ({"isPrompt":true} for a prompt button): Helper then uses "Chat" and
// generates a subject after the first reply (an LLM call when the first
// message is over 50 characters). A subject switches that work off.
func (s *Session) CreateConversation(ctx context.Context, subject string, isPrompt bool) (string, Timing, error) {
	b := appendConversationBody(make([]byte, 0, 32+len(subject)), subject, isPrompt)
	ex, xerr := s.send(ctx, opConversation, http.MethodPost, "/api/chat/conversation", b)
	if xerr != nil {
		return "", ex.t, xerr
	}
	bp, derr := ex.readBody()
	if derr != nil {
		return "", ex.t, derr
	}
	var resp struct {
		Slug string `json:"conversationSlug"`
	}
	var ok bool
	if resp.Slug, ok = jsonscan.StringMember(*bp, "conversationSlug"); !ok {
		derr = ex.unmarshal(*bp, &resp)
	}
	putBody(bp)
	if derr != nil {
		return "", ex.t, derr
	}
	if resp.Slug == "" {
		return "", ex.t, ex.newError(KindProtocol, "no conversationSlug in response", nil)
	}
	return resp.Slug, ex.t, nil
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
	conv, t, err := s.getConversation(ctx, opGet, slug, false)
	if err != nil {
		return nil, t, err
	}
	return conv, t, nil
}

// getConversation is GetConversation naming op in its errors, and marking
// the conversation read when markRead is set (no query, as the widget
// sends it); it returns a typed nil-able *Error so callers can inspect it.
func (s *Session) getConversation(ctx context.Context, op, slug string, markRead bool) (*Conversation, Timing, *Error) {
	path := "/api/chat/conversation/" + url.PathEscape(slug)
	if !markRead {
		path += "?markRead=false"
	}
	ex, xerr := s.send(ctx, op, http.MethodGet, path, nil)
	if xerr != nil {
		return nil, ex.t, xerr
	}
	var conv Conversation
	if derr := ex.decodeJSON(&conv); derr != nil {
		return nil, ex.t, derr
	}
	return &conv, ex.t, nil
}

// ListedConversation is one row of GET /api/chat/conversations (the
// widget's History): a conversation as the list shows it.
type ListedConversation struct {
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
	Conversations []ListedConversation `json:"conversations"`
	NextCursor    *string              `json:"nextCursor"`
}

// ListConversations calls GET /api/chat/conversations?cursor=&limit=. An
// empty cursor asks for the first page; limit <= 0 leaves the server's
// default (20). A page may hold fewer than limit rows while NextCursor is
// set; NextCursor is nil on the last page.
func (s *Session) ListConversations(ctx context.Context, cursor string, limit int) (*ConversationPage, Timing, error) {
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	path := "/api/chat/conversations"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	ex, xerr := s.send(ctx, opList, http.MethodGet, path, nil)
	if xerr != nil {
		return nil, ex.t, xerr
	}
	var page ConversationPage
	if derr := ex.decodeJSON(&page); derr != nil {
		return nil, ex.t, derr
	}
	return &page, ex.t, nil
}
