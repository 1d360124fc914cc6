package mockserver

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCreateConversation(t *testing.T) {
	m := startMock(t, Config{})
	token := m.session("ann@example.com")
	const invalid = `{"error":"Invalid request parameters"}`
	tests := []struct {
		name        string
		body        string
		wantCode    int
		wantBody    string // exact, for errors
		wantSubject string
	}{
		{"empty object", `{}`, 200, "", "Chat"},
		{"subject and isPrompt", `{"subject":"Order status","isPrompt":true}`, 200, "", "Order status"},
		{"null subject", `{"subject":null,"isPrompt":false}`, 200, "", "Chat"},
		{"empty body", ``, 500, "", ""},
		{"not JSON", `subject=x`, 500, "", ""},
		{"subject a number", `{"subject":5}`, 400, invalid, ""},
		{"isPrompt a string", `{"isPrompt":"yes"}`, 400, invalid, ""},
		{"array", `[]`, 400, invalid, ""},
		{"null", `null`, 400, invalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, h, body := m.do("POST", "/api/chat/conversation", token, tt.body)
			if code != tt.wantCode {
				t.Fatalf("POST conversation %s: status %d, want %d (%s)", tt.body, code, tt.wantCode, body)
			}
			switch code {
			case 500:
				if body != "" {
					t.Errorf("500 body = %q, want empty", body)
				}
			case 400:
				if body != tt.wantBody {
					t.Errorf("body = %s, want %s", body, tt.wantBody)
				}
			case 200:
				var r struct{ ConversationSlug string }
				if err := json.Unmarshal([]byte(body), &r); err != nil || r.ConversationSlug == "" {
					t.Fatalf("body = %s, want a conversationSlug", body)
				}
				if h.Get("Access-Control-Allow-Origin") != "*" {
					t.Errorf("no CORS header on success")
				}
				_, _, got := m.do("GET", "/api/chat/conversation/"+r.ConversationSlug+"?markRead=false", token, "")
				if !strings.Contains(got, fmt.Sprintf(`"subject":%q`, tt.wantSubject)) {
					t.Errorf("GET conversation = %s, want subject %q", got, tt.wantSubject)
				}
			}
		})
	}
	if got := m.srv.Stats().Conversations; got != 3 {
		t.Errorf("Stats().Conversations = %d, want 3", got)
	}
}

func TestGetConversation(t *testing.T) {
	m := startMock(t, Config{Tokens: Range{3, 3}})
	ann := m.session("ann@example.com")
	bob := m.session("bob@example.com")
	slug := m.conversation(ann, `{"subject":"Where is it?"}`)
	m.clock.Advance(1500 * time.Millisecond)
	if code, _, body := m.chat(ann, slug, "Where is my order?"); code != 200 {
		t.Fatalf("chat: %d %s", code, body)
	}
	const notFound = `{"error":"Conversation not found"}`
	tests := []struct {
		name     string
		token    string
		path     string
		wantCode int
		wantBody string
	}{
		{"unknown", ann, "/api/chat/conversation/nope", 404, notFound},
		{"foreign", bob, "/api/chat/conversation/" + slug, 404, notFound},
		{"no token", "", "/api/chat/conversation/" + slug, 401, `{"error":"Missing authorization header"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := m.do("GET", tt.path, tt.token, "")
			if code != tt.wantCode || body != tt.wantBody {
				t.Errorf("GET %s: %d %s, want %d %s", tt.path, code, body, tt.wantCode, tt.wantBody)
			}
		})
	}

	code, _, body := m.do("GET", "/api/chat/conversation/"+slug+"?markRead=false", ann, "")
	if code != 200 {
		t.Fatalf("GET own conversation: %d %s", code, body)
	}
	var conv struct {
		Slug, Subject string
		IsEscalated   bool
		Messages      []map[string]any
		GuideSessions []any `json:"experimental_guideSessions"`
	}
	if err := json.Unmarshal([]byte(body), &conv); err != nil {
		t.Fatal(err)
	}
	if conv.Slug != slug || conv.Subject != "Where is it?" || conv.IsEscalated || conv.GuideSessions == nil || len(conv.Messages) != 2 {
		t.Fatalf("GET conversation = %s, want slug, subject, 2 messages, guide sessions []", body)
	}
	iso := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	for i, want := range []string{"user", "assistant"} {
		msg := conv.Messages[i]
		id, _ := msg["id"].(string)
		created, _ := msg["createdAt"].(string)
		if msg["role"] != want || id == "" || !iso.MatchString(created) || msg["content"] == "" {
			t.Errorf("message %d = %v, want role %s, a string id, content, ISO createdAt with ms", i, msg, want)
		}
	}
	if created := conv.Messages[0]["createdAt"]; created != "2026-03-01T12:00:01.500Z" {
		t.Errorf("createdAt = %v, want 2026-03-01T12:00:01.500Z", created)
	}
	if conv.Messages[0]["content"] != "Where is my order?" {
		t.Errorf("user content = %v", conv.Messages[0]["content"])
	}
	// The fields of Helper's serializeMessageForWidget.
	wantKeys := []string{"content", "createdAt", "id", "privateAttachments", "publicAttachments",
		"reactionCreatedAt", "reactionFeedback", "reactionType", "role", "staffName"}
	for i, msg := range conv.Messages {
		keys := slices.Sorted(maps.Keys(msg))
		if !slices.Equal(keys, wantKeys) {
			t.Errorf("message %d has fields %v, want %v", i, keys, wantKeys)
		}
		if pub, priv := msg["publicAttachments"], msg["privateAttachments"]; pub == nil || priv == nil {
			t.Errorf("message %d attachments public %v private %v, want [] and []", i, pub, priv)
		}
	}
}

// staffReply stores a staff message in slug, as a human agent's reply
// would arrive (the mock has no inbox; tests write it directly).
func (m *mock) staffReply(slug, text string) {
	m.t.Helper()
	c := m.srv.store.get(slug)
	if c == nil {
		m.t.Fatalf("no conversation %s", slug)
	}
	m.srv.storeReply(c, roleStaff, text)
}

func TestMarkRead(t *testing.T) {
	m := startMock(t, Config{Tokens: Range{2, 2}})
	ann := m.session("ann@example.com")
	slug := m.conversation(ann, `{}`)
	m.chat(ann, slug, "hi")
	unread := func() bool {
		_, _, body := m.do("GET", "/api/chat/conversations", ann, "")
		return strings.Contains(body, `"isUnread":true`)
	}
	path := "/api/chat/conversation/" + slug
	const required = `{"error":"markRead parameter is required"}`
	steps := []struct {
		name       string
		method     string // STAFF: a staff reply arrives; "": nothing
		query      string
		body       string
		wantCode   int
		wantBody   string
		wantUnread bool
		wantMarked int64
	}{
		{"after the AI reply", "", "", "", 0, "", false, 0}, // AI replies never make it unread
		{"staff reply", "STAFF", "", "", 0, "", true, 0},
		{"GET markRead=false", "GET", "?markRead=false", "", 200, "", true, 0},
		{"GET markRead=true", "GET", "?markRead=true", "", 200, "", false, 1},
		{"another staff reply", "STAFF", "", "", 0, "", true, 1},
		{"GET without markRead", "GET", "", "", 200, "", false, 2},
		{"staff again", "STAFF", "", "", 0, "", true, 2},
		{"PATCH markRead", "PATCH", "", `{"markRead":true}`, 200, `{"success":true}`, false, 3},
		{"staff once more", "STAFF", "", "", 0, "", true, 3},
		{"PATCH with an unknown key (stripped)", "PATCH", "", `{"markRead":true,"x":1}`, 200, `{"success":true}`, false, 4},
		{"PATCH false", "PATCH", "", `{"markRead":false}`, 400, required, false, 4},
		{"PATCH array", "PATCH", "", `[]`, 400, required, false, 4},
		{"PATCH null", "PATCH", "", `null`, 400, required, false, 4},
		{"PATCH not JSON", "PATCH", "", `markRead`, 500, ``, false, 4},
		{"user message", "CHAT", "", "", 200, "", false, 4}, // the user's own message marks it read
	}
	for _, st := range steps {
		var code int
		var body string
		switch st.method {
		case "STAFF":
			m.staffReply(slug, "A human here.")
		case "CHAT":
			code, _, _ = m.chat(ann, slug, "more")
		case "":
		default:
			code, _, body = m.do(st.method, path+st.query, ann, st.body)
		}
		m.clock.Advance(time.Second)
		if code != st.wantCode || (st.wantBody != "" || code == 500) && body != st.wantBody {
			t.Errorf("%s: %d %s, want %d %s", st.name, code, body, st.wantCode, st.wantBody)
		}
		if got := unread(); got != st.wantUnread {
			t.Errorf("%s: isUnread = %v, want %v", st.name, got, st.wantUnread)
		}
		if got := m.srv.Stats().Reads.MarkedRead; got != st.wantMarked {
			t.Errorf("%s: Stats().Reads.MarkedRead = %d, want %d", st.name, got, st.wantMarked)
		}
	}
	if code, h, body := m.do("PATCH", "/api/chat/conversation/nope", ann, `{"markRead":true}`); code != 404 || body != `{"error":"Conversation not found"}` || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("PATCH unknown: %d %s (CORS %q), want 404 with CORS headers", code, body, h.Get("Access-Control-Allow-Origin"))
	}
}

func TestPostMessage(t *testing.T) {
	m := startMock(t, Config{AsyncDelay: Fixed(time.Hour)})
	ann := m.session("ann@example.com")
	bob := m.session("bob@example.com")
	slug := m.conversation(ann, `{}`)
	path := "/api/chat/conversation/" + slug + "/message"
	const blank = `{"error":"Content is required"}`
	tests := []struct {
		name     string
		token    string
		path     string
		body     string
		wantCode int
		wantBody string // exact for errors; a regexp for 200
	}{
		{"ok", ann, path, `{"content":"Where is my order?"}`, 200, `^\{"messageId":\d+,"conversationSlug":"` + slug + `"\}$`},
		{"with attachment", ann, path, `{"content":"see","attachments":[{"name":"a.png","url":"data:image/png;base64,AAAA","contentType":"image/png"}]}`, 200, `^\{"messageId":\d+,`},
		{"blank content", ann, path, `{"content":"   "}`, 400, blank},
		{"empty content", ann, path, `{"content":""}`, 400, blank},
		// content is a required string of Helper's schema, whose parse throws.
		{"no content", ann, path, `{}`, 500, ``},
		{"null content", ann, path, `{"content":null}`, 500, ``},
		{"attachment missing fields", ann, path, `{"content":"x","attachments":[{"name":"a.png"}]}`, 500, ``},
		{"attachments null", ann, path, `{"content":"x","attachments":null}`, 500, ``},
		// validateAttachments' messages, joined by ", ".
		{"attachment with empty URL", ann, path, `{"content":"x","attachments":[{"name":"a.png","url":"","contentType":"image/png"}]}`, 400, `{"error":"a.png: Missing URL"}`},
		{"attachment bad URL", ann, path, `{"content":"x","attachments":[{"name":"","url":"nocomma","contentType":"image/png"},{"name":"b.txt","url":"data:text/plain;base64,AA","contentType":"text/plain"}]}`, 400, `{"error":"unknown: Invalid data URL format, b.txt: Only image and PDF files are supported"}`},
		{"too many attachments", ann, path, `{"content":"x","attachments":[` + strings.Repeat(`{"name":"a.png","url":"data:image/png;base64,AAAA","contentType":"image/png"},`, 5) + `{"name":"a.png","url":"data:image/png;base64,AAAA","contentType":"image/png"}]}`, 400, `{"error":"Cannot upload more than 5 files total"}`},
		// The route's own check takes the text between the first and second comma.
		{"attachment with an empty data field", ann, path, `{"content":"x","attachments":[{"name":"","url":"data:image/png;base64,,AAAA","contentType":"image/png"}]}`, 400, `{"error":"Attachment unknown has invalid URL format"}`},
		{"unknown", ann, "/api/chat/conversation/nope/message", `{"content":"x"}`, 404, `{"error":"Conversation not found"}`},
		{"foreign", bob, path, `{"content":"x"}`, 404, `{"error":"Conversation not found"}`},
		{"content a number", ann, path, `{"content":5}`, 500, ``},
		{"not JSON", ann, path, `content`, 500, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := m.do("POST", tt.path, tt.token, tt.body)
			if code != tt.wantCode {
				t.Fatalf("POST %s: %d %s, want %d", tt.body, code, body, tt.wantCode)
			}
			if code == 200 {
				if !regexp.MustCompile(tt.wantBody).MatchString(body) {
					t.Errorf("body = %s, want a numeric messageId matching %s", body, tt.wantBody)
				}
				return
			}
			if body != tt.wantBody {
				t.Errorf("body = %s, want %s", body, tt.wantBody)
			}
		})
	}
	st := m.srv.Stats()
	if st.Messages.AsyncStarted != 2 || st.Stored.PendingAsync != 2 {
		t.Errorf("Stats(): async started %d, pending %d; want 2, 2", st.Messages.AsyncStarted, st.Stored.PendingAsync)
	}
}

// conversationMessages returns the roles and ids of slug's messages.
func (m *mock) conversationMessages(token, slug string) []struct{ ID, Role, Content string } {
	m.t.Helper()
	code, _, body := m.do("GET", "/api/chat/conversation/"+slug+"?markRead=false", token, "")
	if code != http.StatusOK {
		m.t.Fatalf("GET conversation: %d %s", code, body)
	}
	var c struct {
		Messages []struct{ ID, Role, Content string }
	}
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		m.t.Fatal(err)
	}
	return c.Messages
}

func TestEviction(t *testing.T) {
	m := startMock(t, Config{MaxConversations: 2, MaxMessages: 3, Tokens: Range{1, 1}})
	ann := m.session("ann@example.com")
	first := m.conversation(ann, `{}`)
	second := m.conversation(ann, `{}`)
	for range 3 {
		m.chat(ann, second, "again") // 6 messages, 3 kept
	}
	m.conversation(ann, `{}`) // evicts the first
	if code, _, _ := m.do("GET", "/api/chat/conversation/"+first, ann, ""); code != 404 {
		t.Errorf("GET evicted conversation: %d, want 404", code)
	}
	if msgs := m.conversationMessages(ann, second); len(msgs) != 3 {
		t.Errorf("kept %d messages, want 3", len(msgs))
	}
	_, _, body := m.do("GET", "/api/chat/conversations", ann, "")
	if !strings.Contains(body, `"messageCount":6`) {
		t.Errorf("list = %s, want messageCount 6 (counts stay exact)", body)
	}
	if st := m.srv.Stats().Stored; st.Conversations != 2 || st.Evicted != 1 {
		t.Errorf("Stats().Stored = %+v, want 2 held, 1 evicted", st)
	}
}

func TestStoreEvictsOldestOfEachOwner(t *testing.T) {
	s := newStore(3, DefaultMaxMessages, DefaultReplyCacheSize)
	add := func(slug, owner string) { s.add(&conversation{slug: slug, owner: owner}) }
	add("a1", "a")
	add("b1", "b")
	add("a2", "a")
	add("a3", "a") // evicts a1
	add("b2", "b") // evicts b1
	add("a4", "a") // evicts a2
	slugs := func(owner string) (out []string) {
		for _, c := range s.owners[owner] {
			out = append(out, c.slug)
		}
		return out
	}
	if got, want := slugs("a"), []string{"a3", "a4"}; !slices.Equal(got, want) {
		t.Errorf("owner a holds %v, want %v", got, want)
	}
	if got, want := slugs("b"), []string{"b2"}; !slices.Equal(got, want) {
		t.Errorf("owner b holds %v, want %v", got, want)
	}
	if held, evicted := s.sizes(); held != 3 || evicted != 3 {
		t.Errorf("sizes() = %d held, %d evicted; want 3, 3", held, evicted)
	}
}
