package mockserver

import (
	"bytes"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
)

// Reactions (app/api/chat/conversation/[slug]/message/[id]/route.ts): the
// widget's "helpful" button sends {"type":"thumbs-up"} for the reply whose
// id came in the stream's 8: annotation.

// reactionBody is a reaction as Helper's reactMessageBodySchema reads it.
type reactionBody struct {
	Type     string          `json:"type"`
	Feedback json.RawMessage `json:"feedback,omitempty"`
}

// parseMessageID mimics z.coerce.bigint().parse(id) then Number(): BigInt
// of a string accepts surrounding white space, an optional sign with
// decimal digits, or a 0x, 0o or 0b literal; the empty string is 0.
func parseMessageID(text string) (int64, bool) {
	s := strings.TrimSpace(text)
	if s == "" {
		return 0, true
	}
	n := new(big.Int)
	var ok bool
	if len(s) > 2 && s[0] == '0' && strings.ContainsRune("xXoObB", rune(s[1])) {
		_, ok = n.SetString(s, 0) // base from the prefix; no sign or underscores allowed here
		ok = ok && !strings.Contains(s, "_")
	} else {
		digits := strings.TrimLeft(s, "+-")
		ok = len(s)-len(digits) <= 1 && digits != "" && strings.Trim(digits, "0123456789") == ""
		if ok {
			n.SetString(s, 10)
		}
	}
	if !ok || !n.IsInt64() {
		return 0, ok // a valid id beyond int64 matches no message
	}
	return n.Int64(), true
}

// parseReaction checks a reaction body as zod's discriminated union does
// (after spreading it into an object): type "thumbs-up", or "thumbs-down"
// with an optional string or null feedback. The returned body echoes the
// parsed reaction, unknown keys stripped.
func parseReaction(body []byte) (reactionBody, bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil || obj == nil {
		return reactionBody{}, false
	}
	var r reactionBody
	if json.Unmarshal(obj["type"], &r.Type) != nil {
		return reactionBody{}, false
	}
	switch r.Type {
	case "thumbs-up":
		return r, true
	case "thumbs-down":
		fb, has := obj["feedback"]
		if !has {
			return r, true
		}
		if string(fb) == "null" || (len(fb) > 0 && fb[0] == '"') {
			r.Feedback = fb
			return r, true
		}
	}
	return reactionBody{}, false
}

// handleReact serves POST /api/chat/conversation/{slug}/message/{id}: it
// sets, clears (the same type again) or adds feedback to a reaction.
func (s *Server) handleReact(w http.ResponseWriter, r *http.Request, v visitor) {
	id, valid := parseMessageID(r.PathValue("id"))
	if !valid {
		s.reject(r, &s.counts.invalidRequest, "invalid_request")
		writeError(w, http.StatusBadRequest, "Invalid message ID")
		return
	}
	c, res := s.lookup(r, v, r.PathValue("slug"))
	if res != found {
		unhandled(w) // getConversation throws for unknown and foreign conversations
		return
	}
	c.mu.Lock()
	exists := c.findLocked(id) != nil
	c.mu.Unlock()
	if !exists {
		// Helper's lookup ends in .then(takeUniqueOrThrow), which throws on no
		// row before the route's own 404 can answer: an unhandled 500.
		s.reject(r, &s.counts.unknownMessage, "unknown_message")
		unhandled(w)
		return
	}
	buf, err := s.readBody(w, r)
	if err != nil {
		return
	}
	body := bytes.TrimSpace(buf.Bytes())
	jsonOK := json.Valid(body)
	reaction, reactionOK := parseReaction(body)
	s.putBuf(buf)
	switch {
	case !jsonOK:
		s.reject(r, &s.counts.invalidRequest, "invalid_request")
		writeError(w, http.StatusBadRequest, "Invalid JSON body")
		return
	case !reactionOK:
		s.reject(r, &s.counts.invalidRequest, "invalid_request")
		writeError(w, http.StatusBadRequest, "Invalid reaction")
		return
	}
	s.applyReaction(w, c, id, reaction)
}

// applyReaction updates message id of c with reaction and answers.
func (s *Server) applyReaction(w http.ResponseWriter, c *conversation, id int64, reaction reactionBody) {
	var feedback *string
	if len(reaction.Feedback) > 0 && string(reaction.Feedback) != "null" {
		var f string
		json.Unmarshal(reaction.Feedback, &f)
		feedback = &f
	}
	now := s.cfg.Now()
	c.mu.Lock()
	m := c.findLocked(id)
	if m == nil { // dropped by MaxMessages meanwhile: no row, as above
		c.mu.Unlock()
		unhandled(w)
		return
	}
	cur := m.reaction
	switch {
	case cur.kind == "thumbs-down" && reaction.Type == "thumbs-down" && cur.feedback == nil:
		if feedback != nil {
			m.reaction.feedback = feedback
		}
		m.reaction.at = now
		c.mu.Unlock()
		s.counts.thumbsDown.Add(1)
		writeJSON(w, http.StatusOK, map[string]any{"reaction": reaction})
	case cur.kind == reaction.Type:
		m.reaction = reactionState{}
		c.mu.Unlock()
		s.counts.reactionsCleared.Add(1)
		writeJSON(w, http.StatusOK, map[string]any{"reaction": nil})
	default:
		m.reaction = reactionState{kind: reaction.Type, at: now}
		if reaction.Type == "thumbs-down" {
			m.reaction.feedback = feedback
			s.counts.thumbsDown.Add(1)
		} else {
			s.counts.thumbsUp.Add(1)
		}
		c.mu.Unlock()
		ok(w, map[string]any{"reaction": reaction})
	}
}
