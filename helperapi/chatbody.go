package helperapi

import (
	"sort"
	"strconv"
	"time"

	"github.com/loadgen/loadgen/internal/jsontext"
)

// The bodies of POST /api/chat, byte for byte as Helper's clients write them:
//
//   - the widget (components/widget/Conversation.tsx, experimental_prepareRequestBody
//     of @ai-sdk/react 1.2's useChat): {id, readPageTool, guideEnabled, message,
//     conversationSlug, isToolResult}, the message as handleSubmit makes it:
//     {id, createdAt, role, content, experimental_attachments?, parts};
//   - an SDK integration with tools (@helperai/client's chat.handler, in
//     packages/client/src/client.ts): {id, message, conversationSlug, tools,
//     customerSpecificTools}.
//
// Neither carries customerInfoUrl, which would overwrite the mailbox's
// settings (helper-api.md §6).

// Attachment is a file on a message: a base64 data URL, as the widget
// attaches screenshots and files (FileReader.readAsDataURL).
type Attachment struct {
	Name        string // e.g. screenshot.png
	ContentType string // image/png, image/jpeg, image/gif, image/webp or application/pdf
	URL         string // data:<type>;base64,<data>
}

// Tool is a tool an SDK integration registers with every message
// (HelperTool in packages/client/src/types.ts, as serializeTools sends it).
type Tool struct {
	Description      string
	Parameters       map[string]ToolParam
	ServerRequestURL string // "" for a tool the browser executes
}

// ToolParam is one parameter of a Tool.
type ToolParam struct {
	Type        string // string or number
	Description string
	Optional    bool
}

// ChatBody is what one POST /api/chat says besides the text.
type ChatBody struct {
	ChatID       string // useChat's id: one per widget load (page view)
	MessageID    string // the message's client id
	CreatedAt    time.Time
	GuideEnabled bool            // the widget's guideEnabled (the mailbox's guide feature)
	Attachments  []Attachment    // experimental_attachments
	Tools        map[string]Tool // non-empty: the SDK integration's body instead of the widget's
	// CustomerSpecificTools makes Helper store the tools for this customer
	// (SDK bodies only).
	CustomerSpecificTools bool
}

// appendChatBody appends the JSON body of POST /api/chat for content in
// slug, in the widget's shape or, with tools, the SDK's.
func appendChatBody(b []byte, slug, content string, cb *ChatBody) []byte {
	b = append(b, `{"id":`...)
	b = jsontext.AppendString(b, cb.ChatID)
	if len(cb.Tools) == 0 {
		b = append(b, `,"readPageTool":null,"guideEnabled":`...)
		b = strconv.AppendBool(b, cb.GuideEnabled)
	}
	b = append(b, `,"message":{"id":`...)
	b = jsontext.AppendString(b, cb.MessageID)
	b = append(b, `,"createdAt":"`...)
	b = cb.CreatedAt.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z") // Date.prototype.toJSON
	b = append(b, `","role":"user","content":`...)
	b = jsontext.AppendString(b, content)
	if len(cb.Attachments) > 0 {
		b = append(b, `,"experimental_attachments":[`...)
		for i, a := range cb.Attachments {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = jsontext.AppendString(b, a.Name)
			b = append(b, `,"contentType":`...)
			b = jsontext.AppendString(b, a.ContentType)
			b = append(b, `,"url":`...)
			b = jsontext.AppendString(b, a.URL)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"parts":[{"type":"text","text":`...)
	b = jsontext.AppendString(b, content)
	b = append(b, `}]},"conversationSlug":`...)
	b = jsontext.AppendString(b, slug)
	if len(cb.Tools) == 0 {
		return append(b, `,"isToolResult":false}`...)
	}
	b = append(b, `,"tools":`...)
	b = appendTools(b, cb.Tools)
	b = append(b, `,"customerSpecificTools":`...)
	b = strconv.AppendBool(b, cb.CustomerSpecificTools)
	return append(b, '}')
}

// appendTools appends tools as serializeTools does, names in sorted order
// (a JavaScript object keeps its insertion order; Go maps have none).
func appendTools(b []byte, tools map[string]Tool) []byte {
	b = append(b, '{')
	for i, name := range sortedKeys(tools) {
		t := tools[name]
		if i > 0 {
			b = append(b, ',')
		}
		b = jsontext.AppendString(b, name)
		b = append(b, ":{"...)
		if t.Description != "" {
			b = append(b, `"description":`...)
			b = jsontext.AppendString(b, t.Description)
			b = append(b, ',')
		}
		b = append(b, `"parameters":{`...)
		for j, pname := range sortedKeys(t.Parameters) {
			p := t.Parameters[pname]
			if j > 0 {
				b = append(b, ',')
			}
			b = jsontext.AppendString(b, pname)
			b = append(b, `:{"type":`...)
			b = jsontext.AppendString(b, p.Type)
			if p.Description != "" {
				b = append(b, `,"description":`...)
				b = jsontext.AppendString(b, p.Description)
			}
			if p.Optional {
				b = append(b, `,"optional":true`...)
			}
			b = append(b, '}')
		}
		b = append(b, '}')
		if t.ServerRequestURL != "" {
			b = append(b, `,"serverRequestUrl":`...)
			b = jsontext.AppendString(b, t.ServerRequestURL)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// appendConversationBody appends POST /api/chat/conversation's body: the
// widget's exactly {"isPrompt":false} (or true for a prompt button), with a
// subject only when one is given (Helper then skips generating one).
func appendConversationBody(b []byte, subject string, isPrompt bool) []byte {
	b = append(b, '{')
	if subject != "" {
		b = append(b, `"subject":`...)
		b = jsontext.AppendString(b, subject)
		b = append(b, ',')
	}
	b = append(b, `"isPrompt":`...)
	b = strconv.AppendBool(b, isPrompt)
	return append(b, '}')
}
