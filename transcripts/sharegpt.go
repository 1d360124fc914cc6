package transcripts

import (
	"encoding/json"
	"strings"
)

// shareGPTRoles maps ShareGPT "from" values to roles; "system" messages are
// dropped without counting as bad.
var shareGPTRoles = map[string]Role{
	"human": User, "user": User,
	"gpt": Assistant, "chatgpt": Assistant, "assistant": Assistant, "bard": Assistant, "bing": Assistant, "model": Assistant,
	"system": "",
}

// shareGPTMessage is one turn of a ShareGPT conversation.
type shareGPTMessage struct {
	From  json.RawMessage `json:"from"`
	Value json.RawMessage `json:"value"`
}

// shareGPTConversation converts one ShareGPT object: {"id": …,
// "conversations": [{"from": "human", "value": "…"}, …]}. A bad message is
// skipped on its own; a conversation with no user message left is skipped
// as a whole.
func shareGPTConversation(r *Reader, obj []byte, line int) (*Conversation, error) {
	fields, err := objectFields(obj)
	if err != nil {
		return nil, r.bad(line, 0, "", "bad JSON: %v", err)
	}
	c := &Conversation{Line: line}
	var why string
	if c.ID, why = idText(fields["id"].val); why != "" {
		return nil, r.bad(lineIn(obj, line, fields["id"].off), 0, "id", "%s", why)
	}
	cf, ok := fields["conversations"]
	if !ok {
		return nil, r.bad(line, 0, "conversations", `missing (want a list of {"from": "human", "value": "…"} turns)`)
	}
	elems, ok := arrayElems(cf.val)
	if !ok {
		return nil, r.bad(lineIn(obj, line, cf.off), 0, "conversations", "want a list of turns, got %s", truncate(string(cf.val), 40))
	}
	for i, e := range elems {
		l := lineIn(obj, line, cf.off+e.off)
		m, drop, field, why := shareGPTMsg(e.val)
		if why != "" {
			if err := r.bad(l, 0, joinField(elemPath("conversations", i), field), "%s", why); err != nil {
				return nil, err
			}
			continue
		}
		if !drop {
			m.Line = l
			c.Messages = append(c.Messages, m)
		}
	}
	if !hasUser(c.Messages) {
		return nil, r.bad(line, 0, "", "conversation %q has no user message", c.ID)
	}
	return c, nil
}

// shareGPTMsg decodes one turn; drop means a system message.
func shareGPTMsg(raw json.RawMessage) (m Message, drop bool, field, why string) {
	var sm shareGPTMessage
	if raw[0] != '{' || json.Unmarshal(raw, &sm) != nil {
		return m, false, "", "want a turn object, got " + truncate(string(raw), 40)
	}
	from, why := text(sm.From)
	if why != "" {
		return m, false, "from", why
	}
	role, known := shareGPTRoles[strings.ToLower(from)]
	switch {
	case !known:
		return m, false, "from", "unknown speaker " + truncate(`"`+from+`"`, 40) + " (want human or gpt)"
	case role == "":
		return m, true, "", ""
	}
	m.Role = role
	if m.Content, why = text(sm.Value); why != "" {
		return m, false, "value", why
	}
	if m.Role == User && strings.TrimSpace(m.Content) == "" {
		return m, false, "value", "empty user message"
	}
	return m, false, "", ""
}
