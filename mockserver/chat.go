package mockserver

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/loadgen/loadgen/internal/jsontext"
)

// replyCacheTTL is how long a prompt's reply stays in the reply cache.
const replyCacheTTL = 24 * time.Hour

// chatRequest is POST /api/chat's body. Helper does not check it: anything
// missing or of the wrong type ends in an unhandled 500.
type chatRequest struct {
	ConversationSlug *string `json:"conversationSlug"`
	Message          *struct {
		ID      string `json:"id"`
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"message"`
}

// lookupResult says why a conversation lookup failed.
type lookupResult uint8

const (
	found lookupResult = iota
	unknown
	foreign
)

// lookup finds slug for v and counts a failure by reason.
func (s *Server) lookup(r *http.Request, v visitor, slug string) (*conversation, lookupResult) {
	c := s.store.get(slug)
	switch {
	case c == nil:
		s.reject(r, &s.counts.unknownConv, "unknown_conversation")
		return nil, unknown
	case c.owner != v.owner:
		s.reject(r, &s.counts.foreignConv, "foreign_conversation")
		return nil, foreign
	}
	return c, found
}

// handleChat serves POST /api/chat: it stores the user message, then
// streams a single-shot reply (a human handoff or the reply cache) or a
// model reply.
func (s *Server) handleChat(w http.ResponseWriter, r *http.Request, v visitor) {
	buf, err := s.readBody(w, r)
	if err != nil {
		return
	}
	var req chatRequest
	err = json.Unmarshal(buf.Bytes(), &req)
	s.putBuf(buf)
	if err != nil || req.ConversationSlug == nil || req.Message == nil {
		s.reject(r, &s.counts.invalidRequest, "invalid_request")
		unhandled(w)
		return
	}
	conv, res := s.lookup(r, v, *req.ConversationSlug)
	if res != found {
		unhandled(w) // Helper throws for unknown and foreign conversations alike
		return
	}
	content := req.Message.Content
	now := s.cfg.Now()
	userMsg := message{id: s.store.newMessageID(), role: roleUser, content: content, createdAt: now}

	conv.mu.Lock()
	first := conv.userMessages == 0
	handoff := conv.human && !conv.escalated
	if handoff {
		conv.escalated = true
	}
	human := conv.human
	conv.addLocked(userMsg, s.cfg.MaxMessages)
	conv.mu.Unlock()
	s.counts.streamStarted.Add(1)

	switch {
	case handoff:
		s.counts.replyHuman.Add(1)
		id := s.storeReply(conv, roleAssistant, s.cfg.CannedText)
		s.writeSingleShot(w, id, s.cfg.CannedText)
	case human:
		s.counts.replyEmpty.Add(1)
		s.writeSingleShot(w, now.UnixMilli(), "") // no reply is stored: Helper annotates it with Date.now()
	case conv.isPrompt && first:
		if text, hit := s.store.cachedReply(content, now.Add(-replyCacheTTL)); hit {
			s.counts.replyCached.Add(1)
			id := s.storeReply(conv, roleAssistant, text)
			s.writeSingleShot(w, id, text)
			return
		}
		s.streamModel(w, r, conv, content, true)
	default:
		s.streamModel(w, r, conv, content, false)
	}
}

// storeReply stores an assistant or staff message and returns its id.
func (s *Server) storeReply(c *conversation, role, text string) int64 {
	id := s.store.newMessageID()
	c.add(message{id: id, role: role, content: text, createdAt: s.cfg.Now()}, s.cfg.MaxMessages)
	return id
}

// setStreamHeaders sets the AI SDK data stream headers.
func setStreamHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Vercel-AI-Data-Stream", "v1")
	h.Set("Access-Control-Allow-Origin", "*")
}

// writeSingleShot writes Helper's single-shot reply: exactly
// 8:[{"id":"<id>"}] then one 0:"<whole text>", and no f:, e: or d:.
func (s *Server) writeSingleShot(w http.ResponseWriter, id int64, text string) {
	sw := s.newStreamWriter(w)
	defer s.freeStreamWriter(sw)
	setStreamHeaders(w)
	w.WriteHeader(http.StatusOK)
	b := append(sw.buf[:0], `8:[{"id":"`...)
	b = appendInt(b, id)
	b = append(b, "\"}]\n0:"...)
	b = jsontext.AppendString(b, text)
	b = append(b, '\n')
	sw.buf = b
	sw.write(b)
	sw.flush()
	if sw.err == nil {
		s.counts.streamCompleted.Add(1)
	}
}
