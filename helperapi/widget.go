package helperapi

import (
	"context"
	"io"
	"net/http"
	"net/url"
)

// The widget's requests besides sessions and messages (helper-api.md §7):
// what every page view loads, and what the widget does around a chat.

// FetchSDK calls GET /widget/sdk.js, the widget's loader script, and reads
// it whole (its size is in Timing.BytesIn).
func (c *Client) FetchSDK(ctx context.Context) (Timing, error) {
	ex, xerr := c.send(ctx, opSDK, http.MethodGet, "/widget/sdk.js", nil, nil, c.redactor())
	if xerr != nil {
		return ex.t, xerr
	}
	defer ex.finish()
	if _, err := io.Copy(io.Discard, ex); err != nil {
		return ex.t, ex.failure(err, false)
	}
	return ex.t, nil
}

// Preflight sends the CORS preflight a browser sends before a cross-origin
// request with a JSON body: OPTIONS path with Origin (the host page's
// origin, from pageURL), Access-Control-Request-Method and
// Access-Control-Request-Headers. Helper answers 204.
func (c *Client) Preflight(ctx context.Context, path, method, pageURL string) (Timing, error) {
	h := http.Header{
		"Access-Control-Request-Method":  {method},
		"Access-Control-Request-Headers": {"content-type"},
	}
	if u, err := url.Parse(pageURL); err == nil && u.Scheme != "" && u.Host != "" {
		h["Origin"] = []string{u.Scheme + "://" + u.Host}
	}
	ex, xerr := c.sendWith(ctx, opPreflight, http.MethodOptions, path, nil, nil, c.redactor(), h)
	if xerr != nil {
		return ex.t, xerr
	}
	ex.finish()
	return ex.t, nil
}

// OpenConversation calls GET /api/chat/conversation/{slug} as the widget
// does when it shows a conversation again (a History click, or the next page
// with the widget left open): without markRead, which Helper takes as true,
// marking the conversation read (a database write). markRead false sends
// ?markRead=false, a read only.
func (s *Session) OpenConversation(ctx context.Context, slug string, markRead bool) (*Conversation, Timing, error) {
	conv, t, err := s.getConversation(ctx, opOpen, slug, markRead)
	if err != nil {
		return nil, t, err
	}
	return conv, t, nil
}

// React calls POST /api/chat/conversation/{slug}/message/{id} with
// {"type":"thumbs-up"}, as the widget's "helpful" button does for the reply
// whose id came in the stream's 8: annotation. Reacting twice clears it.
func (s *Session) React(ctx context.Context, slug, messageID string) (Timing, error) {
	path := "/api/chat/conversation/" + url.PathEscape(slug) + "/message/" + url.PathEscape(messageID)
	ex, xerr := s.send(ctx, opReact, http.MethodPost, path, thumbsUp)
	if xerr != nil {
		return ex.t, xerr
	}
	bp, derr := ex.readBody()
	if derr != nil {
		return ex.t, derr
	}
	putBody(bp)
	return ex.t, nil
}

var (
	thumbsUp     = []byte(`{"type":"thumbs-up"}`)
	markReadBody = []byte(`{"markRead":true}`)
)

// MarkRead calls PATCH /api/chat/conversation/{slug} with {"markRead":true},
// as the widget does when a staff reply arrives over Realtime.
func (s *Session) MarkRead(ctx context.Context, slug string) (Timing, error) {
	ex, xerr := s.send(ctx, opMarkRead, http.MethodPatch, "/api/chat/conversation/"+url.PathEscape(slug), markReadBody)
	if xerr != nil {
		return ex.t, xerr
	}
	var resp struct {
		Success bool `json:"success"`
	}
	if derr := ex.decodeJSON(&resp); derr != nil {
		return ex.t, derr
	}
	if !resp.Success {
		return ex.t, ex.newError(KindProtocol, "no success in response", nil)
	}
	return ex.t, nil
}

// UnreadCount calls GET /api/chat/conversations/unread, which SDK
// integrations use for a badge, and returns the count.
func (s *Session) UnreadCount(ctx context.Context) (int, Timing, error) {
	ex, xerr := s.send(ctx, opUnread, http.MethodGet, "/api/chat/conversations/unread", nil)
	if xerr != nil {
		return 0, ex.t, xerr
	}
	bp, derr := ex.readBody()
	if derr != nil {
		return 0, ex.t, derr
	}
	defer putBody(bp)
	var resp struct {
		Count *int `json:"count"`
	}
	if derr := ex.unmarshal(*bp, &resp); derr != nil {
		return 0, ex.t, derr
	}
	if resp.Count == nil {
		return 0, ex.t, ex.newError(KindProtocol, "no count in response", nil)
	}
	return *resp.Count, ex.t, nil
}

// ChatID returns the session's chat id: the one useChat makes per widget
// load, sent as POST /api/chat's id.
func (s *Session) ChatID() string { return s.chatID }
