package mockserver

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// defaultSubject is the subject of a conversation created without one.
const defaultSubject = "Chat"

// Limits of the conversation list's page size.
const (
	defaultListLimit = 20
	maxListLimit     = 100
)

// isoMillis formats times as JavaScript's toISOString does.
const isoMillis = "2006-01-02T15:04:05.000Z"

func iso(t time.Time) string { return t.UTC().Format(isoMillis) }

// newSlug returns an opaque conversation slug: 32 random hex digits.
func newSlug() string {
	var b [16]byte
	for i := range 2 {
		u := rand.Uint64()
		for j := range 8 {
			b[8*i+j] = byte(u >> (8 * j))
		}
	}
	return hex.EncodeToString(b[:])
}

// handleCreateConversation serves POST /api/chat/conversation.
func (s *Server) handleCreateConversation(w http.ResponseWriter, r *http.Request, v visitor) {
	buf, err := s.readBody(w, r)
	if err != nil {
		return
	}
	body := bytes.TrimSpace(buf.Bytes())
	var req struct {
		Subject  json.RawMessage `json:"subject"`
		IsPrompt json.RawMessage `json:"isPrompt"`
	}
	valid := json.Valid(body) // an empty body is not JSON: Helper throws
	schemaOK := valid && body[0] == '{' && json.Unmarshal(body, &req) == nil
	s.putBuf(buf)
	subject, okSubject := optString(req.Subject)
	isPrompt, okPrompt := optBool(req.IsPrompt)
	switch {
	case !valid:
		s.reject(r, &s.counts.invalidRequest, "invalid_request")
		unhandled(w)
		return
	case !schemaOK || !okSubject || !okPrompt:
		s.reject(r, &s.counts.invalidRequest, "invalid_request")
		writeError(w, http.StatusBadRequest, "Invalid request parameters")
		return
	}
	if subject == "" {
		subject = defaultSubject
	}
	c := &conversation{
		slug: newSlug(), owner: v.owner, subject: subject, isPrompt: isPrompt,
		human: s.rand.chance(s.cfg.HumanShare), createdAt: s.cfg.Now(),
	}
	s.store.add(c)
	s.counts.conversations.Add(1)
	ok(w, struct {
		ConversationSlug string `json:"conversationSlug"`
	}{c.slug})
}

// optBool decodes an optional JSON boolean: absent or null is false.
func optBool(raw json.RawMessage) (bool, bool) {
	switch string(raw) {
	case "", "null", "false":
		return false, true
	case "true":
		return true, true
	}
	return false, false
}

// messageView is one message in GET conversation, with the fields of
// Helper's serializeMessageForWidget. The mock stores no reactions or files.
type messageView struct {
	ID                 string     `json:"id"`
	Role               string     `json:"role"`
	Content            string     `json:"content"`
	CreatedAt          string     `json:"createdAt"`
	ReactionType       *string    `json:"reactionType"`
	ReactionFeedback   *string    `json:"reactionFeedback"`
	ReactionCreatedAt  *string    `json:"reactionCreatedAt"`
	StaffName          *string    `json:"staffName"`
	PublicAttachments  []struct{} `json:"publicAttachments"`
	PrivateAttachments []struct{} `json:"privateAttachments"`
}

type conversationView struct {
	Slug          string        `json:"slug"`
	Subject       string        `json:"subject"`
	IsEscalated   bool          `json:"isEscalated"`
	Messages      []messageView `json:"messages"`
	GuideSessions []struct{}    `json:"experimental_guideSessions"`
}

// handleGetConversation serves GET /api/chat/conversation/{slug}. Unless
// markRead=false is given, the read marks the conversation read.
func (s *Server) handleGetConversation(w http.ResponseWriter, r *http.Request, v visitor) {
	c, res := s.lookup(r, v, r.PathValue("slug"))
	if res != found {
		writeError(w, http.StatusNotFound, "Conversation not found")
		return
	}
	markRead := r.URL.Query().Get("markRead") != "false"
	view := conversationView{Slug: c.slug, Subject: c.subject, GuideSessions: []struct{}{}}
	c.mu.Lock()
	if markRead {
		c.lastRead = s.cfg.Now()
	}
	view.IsEscalated = c.escalated
	view.Messages = make([]messageView, len(c.messages))
	for i, m := range c.messages {
		view.Messages[i] = messageView{
			ID: strconv.FormatInt(m.id, 10), Role: m.role, Content: m.content,
			CreatedAt: iso(m.createdAt), PublicAttachments: []struct{}{}, PrivateAttachments: []struct{}{},
		}
	}
	c.mu.Unlock()
	s.counts.gets.Add(1)
	if markRead {
		s.counts.markedRead.Add(1)
	}
	ok(w, view)
}

// handleMarkRead serves PATCH /api/chat/conversation/{slug}, whose body must
// be exactly {"markRead":true}.
func (s *Server) handleMarkRead(w http.ResponseWriter, r *http.Request, v visitor) {
	buf, err := s.readBody(w, r)
	if err != nil {
		return
	}
	body := bytes.TrimSpace(buf.Bytes())
	valid := json.Valid(body)
	var req map[string]json.RawMessage
	schemaOK := valid && json.Unmarshal(body, &req) == nil && len(req) == 1 && string(req["markRead"]) == "true"
	s.putBuf(buf)
	switch {
	case !valid:
		s.reject(r, &s.counts.invalidRequest, "invalid_request")
		unhandled(w)
		return
	case !schemaOK:
		s.reject(r, &s.counts.invalidRequest, "invalid_request")
		writeError(w, http.StatusBadRequest, "markRead parameter is required") // Helper's text for any schema failure
		return
	}
	c, res := s.lookup(r, v, r.PathValue("slug"))
	if res != found {
		writeError(w, http.StatusNotFound, "Conversation not found")
		return
	}
	c.mu.Lock()
	c.lastRead = s.cfg.Now()
	c.mu.Unlock()
	s.counts.markedRead.Add(1)
	ok(w, struct {
		Success bool `json:"success"`
	}{true})
}

// summaryView is one row of the conversation list.
type summaryView struct {
	Slug            string  `json:"slug"`
	Subject         string  `json:"subject"`
	CreatedAt       string  `json:"createdAt"`
	LatestMessage   *string `json:"latestMessage"`
	LatestMessageAt *string `json:"latestMessageAt"`
	MessageCount    int     `json:"messageCount"`
	IsEscalated     bool    `json:"isEscalated"`
	IsUnread        bool    `json:"isUnread"`
}

// issue is one zod-style validation issue of a 400 body.
type issue struct {
	Code    string   `json:"code"`
	Path    []string `json:"path"`
	Message string   `json:"message"`
}

// parseListParams reads cursor and limit as Helper does: limit through
// JavaScript's parseInt (default 20, then 1–100), cursor a decimal offset.
func parseListParams(cursorText, limitText string) (offset, limit int, issues []issue) {
	limit = defaultListLimit
	if limitText != "" {
		n, ok := jsParseInt(limitText)
		switch {
		case !ok:
			issues = append(issues, issue{"invalid_type", []string{"limit"}, "Expected number, received nan"})
		case n < 1:
			issues = append(issues, issue{"too_small", []string{"limit"}, "Number must be greater than or equal to 1"})
		case n > maxListLimit:
			issues = append(issues, issue{"too_big", []string{"limit"}, "Number must be less than or equal to 100"})
		default:
			limit = n
		}
	}
	if cursorText != "" {
		n, ok := parseCount(cursorText)
		if !ok || strings.TrimSpace(cursorText) != cursorText {
			issues = append(issues, issue{"custom", []string{"cursor"}, "Invalid cursor"})
		} else {
			offset = n
		}
	}
	return offset, limit, issues
}

// jsParseInt mimics JavaScript's parseInt(s, 10): leading white space, an
// optional sign, then the longest run of digits; no digits is NaN (false).
// Values beyond the int range saturate.
func jsParseInt(s string) (int, bool) {
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n, digits := 0, 0
	for ; digits < len(s) && s[digits] >= '0' && s[digits] <= '9'; digits++ {
		if n < 1<<31 {
			n = n*10 + int(s[digits]-'0')
		}
	}
	if digits == 0 {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// handleListConversations serves GET /api/chat/conversations: the
// visitor's conversations that have messages, newest activity first, paged
// by an offset cursor.
func (s *Server) handleListConversations(w http.ResponseWriter, r *http.Request, v visitor) {
	q := r.URL.Query()
	offset, limit, issues := parseListParams(q.Get("cursor"), q.Get("limit"))
	if len(issues) > 0 {
		s.reject(r, &s.counts.invalidRequest, "invalid_request")
		writeJSON(w, http.StatusBadRequest, struct {
			Error   string  `json:"error"`
			Details []issue `json:"details"`
		}{"Invalid search parameters", issues})
		return
	}
	all := s.store.list(v.owner)
	page := struct {
		Conversations []summaryView `json:"conversations"`
		NextCursor    *string       `json:"nextCursor"`
	}{Conversations: []summaryView{}}
	if offset < len(all) {
		end := min(len(all), offset+limit)
		for _, c := range all[offset:end] {
			latest, latestAt := c.latest, iso(c.latestAt)
			page.Conversations = append(page.Conversations, summaryView{
				Slug: c.slug, Subject: c.subject, CreatedAt: iso(c.createdAt),
				LatestMessage: &latest, LatestMessageAt: &latestAt, MessageCount: c.count,
				IsEscalated: c.escalated, IsUnread: c.unread,
			})
		}
		if end < len(all) {
			next := strconv.Itoa(end)
			page.NextCursor = &next
		}
	}
	s.counts.lists.Add(1)
	ok(w, page)
}

// postMessageRequest is POST …/message's body, as Helper's schema reads it:
// content a string, attachments (optional, not null) objects whose name,
// url and contentType are strings. A body that fails it throws (500).
type postMessageRequest struct {
	Content     *string         `json:"content"`
	Attachments json.RawMessage `json:"attachments"`
}

type attachment struct {
	Name        *string `json:"name"`
	URL         *string `json:"url"`
	ContentType *string `json:"contentType"`
}

// parsePostMessage parses body; ok is false when it fails the schema.
func parsePostMessage(body []byte) (content string, atts []attachment, ok bool) {
	var req postMessageRequest
	if json.Unmarshal(body, &req) != nil || req.Content == nil {
		return "", nil, false
	}
	if len(req.Attachments) > 0 {
		if string(req.Attachments) == "null" || json.Unmarshal(req.Attachments, &atts) != nil {
			return "", nil, false
		}
		for _, a := range atts {
			if a.Name == nil || a.URL == nil || a.ContentType == nil {
				return "", nil, false
			}
		}
	}
	return *req.Content, atts, true
}

// Helper's attachment limits (lib/shared/attachmentValidation.ts). Its size
// limits (25 MB a file, 50 MB in all) cannot be reached under maxBody.
const maxAttachments = 5

var (
	supportedAttachmentTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}
	attachmentDataURL        = regexp.MustCompile(`^data:(image/(png|jpeg|gif|webp)|application/pdf);base64,.+`)
)

// attachmentError returns the 400 message Helper gives for atts, "" when
// they pass: first validateAttachments' messages joined by ", ", then the
// route's own check of each data URL's second comma-separated field.
func attachmentError(atts []attachment) string {
	var errs []string
	if len(atts) > maxAttachments {
		errs = append(errs, "Cannot upload more than "+strconv.Itoa(maxAttachments)+" files total")
	}
	for _, a := range atts {
		name := *a.Name
		if name == "" {
			name = "unknown"
		}
		switch {
		case *a.URL == "":
			errs = append(errs, name+": Missing URL")
		case *a.ContentType != "" && !slices.Contains(supportedAttachmentTypes, *a.ContentType):
			errs = append(errs, name+": Only image and PDF files are supported")
		case !attachmentDataURL.MatchString(*a.URL):
			errs = append(errs, name+": Invalid data URL format")
		}
	}
	if len(errs) > 0 {
		return strings.Join(errs, ", ")
	}
	for _, a := range atts {
		// JavaScript's url.split(",")[1]: the text between the first and
		// second comma.
		if _, rest, _ := strings.Cut(*a.URL, ","); rest == "" || rest[0] == ',' {
			name := *a.Name
			if name == "" {
				name = "unknown"
			}
			return "Attachment " + name + " has invalid URL format"
		}
	}
	return ""
}

// handlePostMessage serves POST /api/chat/conversation/{slug}/message: it
// stores the message, answers with its numeric id, and schedules the
// background reply (or, for a share of messages, none).
func (s *Server) handlePostMessage(w http.ResponseWriter, r *http.Request, v visitor) {
	buf, err := s.readBody(w, r)
	if err != nil {
		return
	}
	content, atts, valid := parsePostMessage(buf.Bytes())
	s.putBuf(buf)
	if !valid {
		s.reject(r, &s.counts.invalidRequest, "invalid_request")
		unhandled(w) // Helper's schema parse throws
		return
	}
	if strings.TrimSpace(content) == "" {
		s.reject(r, &s.counts.blankContent, "blank_content")
		writeError(w, http.StatusBadRequest, "Content is required")
		return
	}
	c, res := s.lookup(r, v, r.PathValue("slug"))
	if res != found {
		writeError(w, http.StatusNotFound, "Conversation not found")
		return
	}
	if msg := attachmentError(atts); msg != "" {
		s.reject(r, &s.counts.invalidRequest, "invalid_request")
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	id := s.store.newMessageID()
	c.add(message{id: id, role: roleUser, content: content, createdAt: s.cfg.Now()}, s.cfg.MaxMessages)
	s.counts.asyncStarted.Add(1)
	s.scheduleAsyncReply(c)
	ok(w, struct {
		MessageID        int64  `json:"messageId"`
		ConversationSlug string `json:"conversationSlug"`
	}{id, c.slug})
}

// scheduleAsyncReply schedules the background reply to the newest message
// of c, or decides that none comes (a human handoff, or AsyncNoReply).
func (s *Server) scheduleAsyncReply(c *conversation) {
	if c.human || s.rand.chance(s.cfg.AsyncNoReply) {
		s.counts.asyncNoReply.Add(1)
		return
	}
	n := s.cfg.Tokens.sample(s.rand)
	scheduled := s.async.after(s.cfg.AsyncDelay.sample(s.rand), func() {
		plan := planReply(make([]textToken, 0, n), n)
		s.storeReply(c, roleAssistant, plan.text)
		s.counts.asyncReplied.Add(1)
	})
	if !scheduled {
		s.counts.asyncNoReply.Add(1)
	}
}
