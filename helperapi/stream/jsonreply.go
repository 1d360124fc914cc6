package stream

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// jsonReply parses a reply sent as one JSON object. It has to hold the body
// (bounded by maxJSONReply) until the object is complete.
type jsonReply struct {
	rec  *Recorder
	body []byte
	err  error
}

func newJSONReply(rec *Recorder) *jsonReply { return &jsonReply{rec: rec} }

func (j *jsonReply) Feed(p []byte, _ time.Duration) error {
	if j.err != nil {
		return j.err
	}
	if len(j.body)+len(p) > maxJSONReply {
		j.err = fmt.Errorf("JSON reply: larger than %d bytes", maxJSONReply)
		return j.err
	}
	j.body = append(j.body, p...)
	return nil
}

// jsonReplyBody holds the fields a JSON reply may carry its text in.
type jsonReplyBody struct {
	Text         json.RawMessage `json:"text"`
	Reply        json.RawMessage `json:"reply"`
	Content      json.RawMessage `json:"content"`
	Message      json.RawMessage `json:"message"`
	Error        json.RawMessage `json:"error"`
	FinishReason string          `json:"finishReason"`
	MessageID    json.RawMessage `json:"messageId"`
	Usage        *usageJSON      `json:"usage"`
}

// End parses the complete body: the whole text is one part arriving at at.
func (j *jsonReply) End(at time.Duration) error {
	if j.err != nil {
		return j.err
	}
	var b jsonReplyBody
	if err := json.Unmarshal(j.body, &b); err != nil {
		j.err = fmt.Errorf("JSON reply: %w", err)
		return j.err
	}
	rc := j.rec
	if msg := firstString(b.Error); msg != "" {
		rc.errorPart(msg)
	}
	text, ok := replyText(&b)
	if !ok {
		if rc.errSeen {
			return nil
		}
		j.err = errors.New("JSON reply: no text, reply, content or message field")
		return j.err
	}
	rc.textPart([]byte(text), at)
	rc.messageID(jsonID(b.MessageID))
	rc.p.FinishReason = b.FinishReason
	if u := b.Usage.usage(); u != nil {
		rc.p.Usage, rc.p.HasUsage = *u, true
	}
	return nil
}

// replyText finds the reply text: "text", "reply" or "content" as a string,
// else "message" as a string or as an object with a "content" string.
func replyText(b *jsonReplyBody) (string, bool) {
	for _, raw := range []json.RawMessage{b.Text, b.Reply, b.Content, b.Message} {
		var s string
		if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
			return s, true
		}
	}
	var m struct {
		Content json.RawMessage `json:"content"`
	}
	if len(b.Message) > 0 && b.Message[0] == '{' && json.Unmarshal(b.Message, &m) == nil {
		var s string
		if len(m.Content) > 0 && m.Content[0] == '"' && json.Unmarshal(m.Content, &s) == nil {
			return s, true
		}
	}
	return "", false
}
