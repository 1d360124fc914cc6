package mockserver

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/loadgen/loadgen/internal/jsontext"
)

// replyCacheTTL is how long a first message's reply stays in the reply cache.
const replyCacheTTL = 24 * time.Hour

// Helper's fixed texts (lib/ai/chat.ts).
const (
	// escalatedText is what Helper stores as the reply of a model turn that
	// called request_human_support (the stream carries the model's own text).
	escalatedText = "_Escalated to a human! You will be contacted soon here and by email._"
)

// chatRequest is POST /api/chat's body. Helper does not check it: anything
// missing or of the wrong type ends in an unhandled 500. The fields after
// message are the widget's and SDK's; the mock reads them to count them.
type chatRequest struct {
	ConversationSlug *string `json:"conversationSlug"`
	Message          *struct {
		ID          string          `json:"id"`
		Role        string          `json:"role"`
		Content     string          `json:"content"`
		Attachments json.RawMessage `json:"experimental_attachments"`
	} `json:"message"`
	GuideEnabled            bool                       `json:"guideEnabled"`
	ReadPageTool            json.RawMessage            `json:"readPageTool"`
	Tools                   map[string]json.RawMessage `json:"tools"`
	CustomerInfoURL         *string                    `json:"customerInfoUrl"`
	CustomerSpecificInfoURL bool                       `json:"customerSpecificInfoUrl"`
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

// handleChat serves POST /api/chat as app/api/chat/route.ts does: it checks
// the attachments, stores the user message, then streams a single-shot reply
// (the reply cache, or a conversation handed to a human) or a model reply.
func (s *Server) handleChat(w http.ResponseWriter, r *http.Request, v visitor) {
	buf, err := s.readBodyMax(w, r, maxAttachmentBody)
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
	if req.CustomerInfoURL != nil && *req.CustomerInfoURL != "" && !req.CustomerSpecificInfoURL {
		s.counts.mailboxOverwrites.Add(1) // Helper writes it over the mailbox's setting
	}
	conv, res := s.lookup(r, v, *req.ConversationSlug)
	if res != found {
		unhandled(w) // Helper throws for unknown and foreign conversations alike
		return
	}
	atts, attsOK := parseChatAttachments(req.Message.Attachments)
	if !attsOK {
		s.reject(r, &s.counts.invalidRequest, "invalid_request")
		unhandled(w)
		return
	}
	files, filesOK := s.checkAttachments(w, r, atts, true) // the route throws "Attachment … has invalid URL format"
	if !filesOK {
		return
	}
	s.countChatFields(&req)
	s.countAttachments(files)

	content := req.Message.Content
	if content == "" && len(files) > 0 {
		content = "[Image]"
	}
	now := s.cfg.Now()
	conv.mu.Lock()
	first := conv.count == 0
	conv.addLocked(message{id: s.store.newMessageID(), role: roleUser, content: content, createdAt: now, attachments: files}, s.cfg.MaxMessages)
	escalated, userMessages := conv.escalated, conv.userMessages
	conv.mu.Unlock()
	s.counts.streamStarted.Add(1)

	// respondWithAI in lib/ai/chat.ts.
	switch {
	case escalated && !(conv.isPrompt && first):
		if conv.isPrompt && userMessages == 2 {
			s.counts.replyHuman.Add(1)
			id := s.storeReply(conv, roleAssistant, s.cfg.CannedText)
			s.writeSingleShot(w, id, s.cfg.CannedText)
			return
		}
		s.counts.replyEmpty.Add(1)
		s.writeSingleShot(w, now.UnixMilli(), "") // no reply is stored: Helper annotates it with Date.now()
	case conv.isPrompt && first:
		// The cache key is the text as sent (Helper hashes message.content).
		if text, hit := s.store.cachedReply(req.Message.Content, now.Add(-replyCacheTTL)); hit {
			s.counts.replyCached.Add(1)
			id := s.storeReply(conv, roleAssistant, text)
			s.writeSingleShot(w, id, text)
			return
		}
		s.streamModel(w, r, conv, req.Message.Content, true)
	default:
		s.streamModel(w, r, conv, req.Message.Content, first)
	}
}

// countChatFields counts the optional body fields the widget and SDKs send.
func (s *Server) countChatFields(req *chatRequest) {
	if req.GuideEnabled {
		s.counts.guideEnabled.Add(1)
	}
	if len(req.ReadPageTool) > 0 && string(req.ReadPageTool) != "null" {
		s.counts.readPageTool.Add(1)
	}
	if len(req.Tools) > 0 {
		s.counts.toolsStored.Add(1) // Helper stores them (storeTools) on every such request
	}
}

// escalate hands c to a human, as request_human_support does.
func (s *Server) escalate(c *conversation) {
	c.mu.Lock()
	was := c.escalated
	c.escalated = true
	c.mu.Unlock()
	if !was {
		s.counts.escalations.Add(1)
	}
}

// storeReply stores an assistant or staff message and returns its id.
func (s *Server) storeReply(c *conversation, role, text string) int64 {
	id := s.store.newMessageID()
	c.add(message{id: id, role: role, content: text, createdAt: s.cfg.Now()}, s.cfg.MaxMessages)
	return id
}

// setStreamHeaders sets the AI SDK data stream headers and the CORS headers
// Helper's createDataStreamResponse calls set.
func setStreamHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Vercel-AI-Data-Stream", "v1")
	setCORS(h)
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
