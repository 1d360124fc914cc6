package mockserver

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// defaultSubject is the subject of a conversation created without one.
const defaultSubject = "Chat"

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
		corsError(w, http.StatusBadRequest, "Invalid request parameters")
		return
	}
	if subject == "" {
		subject = defaultSubject
	}
	c := &conversation{slug: newSlug(), owner: v.owner, subject: subject, isPrompt: isPrompt, createdAt: s.cfg.Now()}
	if subject == defaultSubject {
		s.counts.defaultSubject.Add(1)
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
// Helper's serializeMessageForWidget.
type messageView struct {
	ID                 string           `json:"id"`
	Role               string           `json:"role"`
	Content            string           `json:"content"`
	CreatedAt          string           `json:"createdAt"`
	ReactionType       *string          `json:"reactionType"`
	ReactionFeedback   *string          `json:"reactionFeedback"`
	ReactionCreatedAt  *string          `json:"reactionCreatedAt"`
	StaffName          *string          `json:"staffName"`
	PublicAttachments  []attachmentView `json:"publicAttachments"`
	PrivateAttachments []attachmentView `json:"privateAttachments"`
}

// attachmentView is a stored file as GET conversation shows it: Helper
// gives a presigned URL; the mock a stable fake one.
type attachmentView struct {
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	URL         string `json:"url"`
}

// viewMessage returns m as GET conversation shows it. A user message's
// files are public (Helper's metadata.hasAttachments).
func viewMessage(slug string, m *message) messageView {
	v := messageView{
		ID: strconv.FormatInt(m.id, 10), Role: m.role, Content: m.content, CreatedAt: iso(m.createdAt),
		PublicAttachments: []attachmentView{}, PrivateAttachments: []attachmentView{},
	}
	if m.reaction.kind != "" {
		kind, at := m.reaction.kind, iso(m.reaction.at)
		v.ReactionType, v.ReactionFeedback, v.ReactionCreatedAt = &kind, m.reaction.feedback, &at
	}
	for _, a := range m.attachments {
		v.PublicAttachments = append(v.PublicAttachments, attachmentView{
			Name: a.name, ContentType: a.contentType,
			URL: "https://files.mock.invalid/attachments/" + slug + "/" + url.PathEscape(a.name),
		})
	}
	return v
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
	for i := range c.messages {
		view.Messages[i] = viewMessage(c.slug, &c.messages[i])
	}
	c.mu.Unlock()
	s.counts.gets.Add(1)
	if markRead {
		s.counts.markedRead.Add(1)
	}
	ok(w, view)
}

// handleMarkRead serves PATCH /api/chat/conversation/{slug}. The body must
// be an object whose markRead is true; other keys are stripped, as zod's
// object schema does (the widget sends exactly {"markRead":true}).
func (s *Server) handleMarkRead(w http.ResponseWriter, r *http.Request, v visitor) {
	buf, err := s.readBody(w, r)
	if err != nil {
		return
	}
	body := bytes.TrimSpace(buf.Bytes())
	valid := json.Valid(body)
	var req map[string]json.RawMessage
	schemaOK := valid && json.Unmarshal(body, &req) == nil && req != nil && string(req["markRead"]) == "true"
	s.putBuf(buf)
	switch {
	case !valid:
		s.reject(r, &s.counts.invalidRequest, "invalid_request")
		unhandled(w)
		return
	case !schemaOK:
		s.reject(r, &s.counts.invalidRequest, "invalid_request")
		corsError(w, http.StatusBadRequest, "markRead parameter is required") // Helper's text for any schema failure
		return
	}
	c, res := s.lookup(r, v, r.PathValue("slug"))
	if res != found {
		corsError(w, http.StatusNotFound, "Conversation not found")
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

// handlePostMessage serves POST /api/chat/conversation/{slug}/message: it
// stores the message, answers with its numeric id, and schedules the
// background reply job.
func (s *Server) handlePostMessage(w http.ResponseWriter, r *http.Request, v visitor) {
	buf, err := s.readBodyMax(w, r, maxAttachmentBody)
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
		corsError(w, http.StatusBadRequest, "Content is required")
		return
	}
	c, res := s.lookup(r, v, r.PathValue("slug"))
	if res != found {
		corsError(w, http.StatusNotFound, "Conversation not found")
		return
	}
	files, filesOK := s.checkAttachments(w, r, atts, false)
	if !filesOK {
		return
	}
	id := s.store.newMessageID()
	c.add(message{id: id, role: roleUser, content: content, createdAt: s.cfg.Now(), attachments: files}, s.cfg.MaxMessages)
	s.counts.asyncStarted.Add(1)
	s.countAttachments(files)
	s.scheduleAsyncReply(c, id)
	ok(w, struct {
		MessageID        int64  `json:"messageId"`
		ConversationSlug string `json:"conversationSlug"`
	}{id, c.slug})
}

// countAttachments counts the files of an accepted message.
func (s *Server) countAttachments(files []storedAttachment) {
	if len(files) == 0 {
		return
	}
	s.counts.messagesWithFiles.Add(1)
	s.counts.files.Add(int64(len(files)))
	for _, f := range files {
		s.counts.fileBytes.Add(int64(f.size))
	}
}
