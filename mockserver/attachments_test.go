package mockserver

import (
	"encoding/json"
	"strings"
	"testing"
)

// dataURL returns a data URL of contentType whose payload decodes to n bytes.
func dataURL(contentType string, n int) string {
	return "data:" + contentType + ";base64," + strings.Repeat("A", (n+2)/3*4)
}

func TestValidateAttachments(t *testing.T) {
	png := func(name string, n int) attachmentIn { return attachmentIn{name, dataURL("image/png", n), "image/png"} }
	tests := []struct {
		name string
		atts []attachmentIn
		want string
	}{
		{"none", nil, ""},
		{"a screenshot and a PDF", []attachmentIn{png("screenshot.png", 200<<10), {"a.pdf", dataURL("application/pdf", 3000), "application/pdf"}}, ""},
		{"no content type", []attachmentIn{{"x", dataURL("image/jpeg", 10), ""}}, ""},
		{"missing URL", []attachmentIn{{"a.png", "", "image/png"}}, "a.png: Missing URL"},
		{"missing URL and name", []attachmentIn{{"", "", ""}}, "unknown: Missing URL"},
		{"a text file", []attachmentIn{{"notes.txt", "data:text/plain;base64,AAAA", "text/plain"}}, "notes.txt: Only image and PDF files are supported"},
		{"a type the URL contradicts", []attachmentIn{{"a.png", "data:text/plain;base64,AAAA", "image/png"}}, "a.png: Invalid data URL format"},
		{"not base64", []attachmentIn{{"a.png", "data:image/png,AAAA", "image/png"}}, "a.png: Invalid data URL format"},
		{"six files", []attachmentIn{png("1", 3), png("2", 3), png("3", 3), png("4", 3), png("5", 3), png("6", 3)}, "Cannot upload more than 5 files total"},
		{"26 MB", []attachmentIn{png("big.png", 26<<20)}, "big.png: File size (26MB) exceeds limit (25MB)"},
		{"three of 20 MB", []attachmentIn{png("a", 20<<20), png("b", 20<<20), png("c", 20<<20)}, "Total file size (60MB) exceeds limit (50MB)"},
		{"several errors, joined", []attachmentIn{{"a", "", ""}, {"b.txt", "x", "text/plain"}}, "a: Missing URL, b.txt: Only image and PDF files are supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := validateAttachments(tt.atts); got != tt.want {
				t.Errorf("validateAttachments() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDataField(t *testing.T) {
	for _, tt := range []struct{ url, want string }{
		{"data:image/png;base64,QUJD", "QUJD"}, {"data:image/png;base64,,QUJD", ""}, {"a,b,c", "b"}, {"nocomma", ""},
	} {
		if got := dataField(tt.url); got != tt.want {
			t.Errorf("dataField(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
	if got := decodedSize(dataURL("image/png", 300)); got != 300 {
		t.Errorf("decodedSize(300 bytes) = %d, want 300", got)
	}
	for _, tt := range []struct {
		data string
		want int
	}{{"", 0}, {"QQ==", 1}, {"QUI=", 2}, {"QUJD", 3}, {"QUJDRA==", 4}, {"QUJDRA", 4}} {
		if got := base64Len(tt.data); got != tt.want {
			t.Errorf("base64Len(%q) = %d, want %d", tt.data, got, tt.want)
		}
	}
}

// widgetChatBody is POST /api/chat's body as Helper's widget sends it, with
// the given attachments (JSON) and extra top-level fields.
func widgetChatBody(slug, content, attachments, extra string) string {
	msg := `{"id":"client_a1b2c3","createdAt":"2026-03-01T12:00:00.000Z","role":"user","content":` + jsonString(content)
	if attachments != "" {
		msg += `,"experimental_attachments":` + attachments
	}
	msg += `,"parts":[{"type":"text","text":` + jsonString(content) + `}]}`
	return `{"id":"client_x9y8z7","readPageTool":null,"guideEnabled":false,"message":` + msg +
		`,"conversationSlug":"` + slug + `","isToolResult":false` + extra + `}`
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestChatAttachments(t *testing.T) {
	m := startMock(t, Config{Tokens: Range{1, 1}})
	ann := m.session("ann@example.com")
	shot := `[{"name":"screenshot.png","contentType":"image/png","url":"` + dataURL("image/png", 3000) + `"}]`
	tests := []struct {
		name        string
		content     string
		attachments string
		wantCode    int
		wantBody    string // exact for errors
		wantStored  string // the stored user message's content
		wantFiles   int
	}{
		{"a screenshot", "What is this error?", shot, 200, "", "What is this error?", 1},
		{"a file and no text", "", shot, 200, "", "[Image]", 1},
		{"none", "hi", "", 200, "", "hi", 0},
		{"null", "hi", "null", 200, "", "hi", 0},
		{"a text file", "hi", `[{"name":"a.txt","contentType":"text/plain","url":"data:text/plain;base64,QQ=="}]`, 400,
			`{"error":"a.txt: Only image and PDF files are supported"}`, "", 0},
		{"no URL, no name", "hi", `[{"contentType":"image/png"}]`, 400, `{"error":"unknown: Missing URL"}`, "", 0},
		// The route's own split(",")[1] check throws on /api/chat.
		{"an empty data field", "hi", `[{"name":"a.png","contentType":"image/png","url":"data:image/png;base64,,QQ=="}]`, 500, "", "", 0},
		{"not an array", "hi", `{"name":"a.png"}`, 500, "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slug := m.conversation(ann, `{}`)
			code, h, body := m.do("POST", "/api/chat", ann, widgetChatBody(slug, tt.content, tt.attachments, ""))
			if code != tt.wantCode || code != 200 && body != tt.wantBody {
				t.Fatalf("POST /api/chat: %d %s, want %d %s", code, body, tt.wantCode, tt.wantBody)
			}
			if code == 400 && h.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("400 without corsResponse's headers")
			}
			if code != 200 {
				return
			}
			_, _, conv := m.do("GET", "/api/chat/conversation/"+slug+"?markRead=false", ann, "")
			var c struct {
				Messages []struct {
					Content           string
					PublicAttachments []attachmentView
				}
			}
			json.Unmarshal([]byte(conv), &c)
			user := c.Messages[0]
			if user.Content != tt.wantStored || len(user.PublicAttachments) != tt.wantFiles {
				t.Errorf("stored %+v, want content %q and %d public attachments", user, tt.wantStored, tt.wantFiles)
			}
			if tt.wantFiles > 0 {
				if a := user.PublicAttachments[0]; a.Name != "screenshot.png" || a.ContentType != "image/png" || !strings.HasPrefix(a.URL, "https://") {
					t.Errorf("attachment %+v, want screenshot.png, image/png, a URL", a)
				}
			}
		})
	}
	st := m.srv.Stats()
	if st.Attachments != (AttachmentStats{Messages: 2, Files: 2, Bytes: 6000}) || st.Rejections.InvalidAttachment != 3 {
		t.Errorf("Stats() attachments %+v, invalid %d; want 2 messages, 2 files, 6000 bytes; 3 invalid", st.Attachments, st.Rejections.InvalidAttachment)
	}
}

func TestChatBodyFields(t *testing.T) {
	m := startMock(t, Config{Tokens: Range{1, 1}})
	ann := m.session("ann@example.com")
	slug := m.conversation(ann, `{}`)
	tools := `,"tools":{"order_status":{"description":"Look up an order","parameters":{"id":{"type":"string"}}}},"customerSpecificTools":false`
	bodies := []string{
		widgetChatBody(slug, "plain widget", "", ""),
		strings.Replace(widgetChatBody(slug, "guide", "", ""), `"guideEnabled":false`, `"guideEnabled":true`, 1),
		strings.Replace(widgetChatBody(slug, "read page", "", ""), `"readPageTool":null`, `"readPageTool":{"toolName":"read_page","toolDescription":"x"}`, 1),
		widgetChatBody(slug, "SDK tools", "", tools),
		widgetChatBody(slug, "overwrite", "", `,"customerInfoUrl":"https://example.com/info"`),
		widgetChatBody(slug, "not an overwrite", "", `,"customerInfoUrl":"https://example.com/info","customerSpecificInfoUrl":true`),
	}
	for _, b := range bodies {
		if code, _, body := m.do("POST", "/api/chat", ann, b); code != 200 {
			t.Fatalf("POST /api/chat %s: %d %s", b, code, body)
		}
	}
	want := ChatFieldStats{GuideEnabled: 1, ReadPageTool: 1, ToolsStored: 1, MailboxOverwrites: 1}
	if got := m.srv.Stats().Chat; got != want {
		t.Errorf("Stats().Chat = %+v, want %+v", got, want)
	}
}
