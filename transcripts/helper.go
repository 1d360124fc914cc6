package transcripts

import (
	"encoding/json"
	"strings"
)

// helperMessage is a message of Helper's conversation JSON; other fields
// (id, staffName, reactions, attachments) are ignored.
type helperMessage struct {
	Role      json.RawMessage `json:"role"`
	Content   json.RawMessage `json:"content"`
	CreatedAt json.RawMessage `json:"createdAt"`
}

// helperConversation converts one object of GET /api/chat/conversation/{slug}.
// A bad message is skipped on its own; a conversation without messages, or
// with no user message left, is skipped as a whole.
func helperConversation(r *Reader, obj []byte, line int) (*Conversation, error) {
	fields, err := objectFields(obj)
	if err != nil {
		return nil, r.bad(line, 0, "", "bad JSON: %v", err)
	}
	c := &Conversation{Line: line}
	var why string
	if c.ID, why = text(fields["slug"].val); why != "" {
		return nil, r.bad(lineIn(obj, line, fields["slug"].off), 0, "slug", "%s", why)
	}
	if c.Subject, why = text(fields["subject"].val); why != "" {
		return nil, r.bad(lineIn(obj, line, fields["subject"].off), 0, "subject", "%s", why)
	}
	mf, ok := fields["messages"]
	if !ok {
		return nil, r.bad(line, 0, "messages", "missing (want the conversation's messages, as GET /api/chat/conversation/{slug} returns them)")
	}
	elems, ok := arrayElems(mf.val)
	if !ok {
		return nil, r.bad(lineIn(obj, line, mf.off), 0, "messages", "want a list of messages, got %s", truncate(string(mf.val), 40))
	}
	for i, e := range elems {
		l := lineIn(obj, line, mf.off+e.off)
		m, field, why := helperMsg(e.val)
		if why != "" {
			if err := r.bad(l, 0, joinField(elemPath("messages", i), field), "%s", why); err != nil {
				return nil, err
			}
			continue
		}
		m.Line = l
		c.Messages = append(c.Messages, m)
	}
	if !hasUser(c.Messages) {
		return nil, r.bad(line, 0, "", "conversation %q has no user message", c.ID)
	}
	return c, nil
}

// helperMsg decodes one message; field and why say what is wrong with it.
func helperMsg(raw json.RawMessage) (m Message, field, why string) {
	var hm helperMessage
	if raw[0] != '{' || json.Unmarshal(raw, &hm) != nil {
		return m, "", "want a message object, got " + truncate(string(raw), 40)
	}
	role, why := text(hm.Role)
	if why != "" {
		return m, "role", why
	}
	if m.Role, _ = checkRole(role); m.Role == "" {
		return m, "role", "unknown role " + truncate(`"`+role+`"`, 40) + " (want user, assistant or staff)"
	}
	if m.Content, why = text(hm.Content); why != "" {
		return m, "content", why
	}
	if m.Role == User && strings.TrimSpace(m.Content) == "" {
		return m, "content", "empty user message"
	}
	at, why := text(hm.CreatedAt)
	if why != "" {
		return m, "createdAt", why
	}
	if m.At, why = parseTime(at); why != "" {
		return m, "createdAt", why
	}
	return m, "", ""
}

// joinField appends a field name to a path ("" field: the path itself).
func joinField(path, field string) string {
	if field == "" {
		return path
	}
	return path + "." + field
}
