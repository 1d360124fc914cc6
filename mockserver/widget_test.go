package mockserver

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestSDKScript(t *testing.T) {
	m := startMock(t, Config{SDKSize: 4096})
	code, h, body := m.do("GET", "/widget/sdk.js", "", "")
	if code != 200 || len(body) != 4096 || !strings.HasPrefix(body, "/*") || !strings.HasSuffix(body, "\n") {
		t.Fatalf("GET /widget/sdk.js: %d, %d bytes %.40q…, want 200 and 4096 bytes of script", code, len(body), body)
	}
	want := map[string]string{
		"Content-Type":                 "application/javascript",
		"Cache-Control":                "public, max-age=300, s-maxage=86400",
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Allow-Methods": "GET, OPTIONS",
		"Access-Control-Allow-Headers": "Content-Type",
		"Content-Length":               "4096",
	}
	for k, v := range want {
		if h.Get(k) != v {
			t.Errorf("GET /widget/sdk.js %s = %q, want %q", k, h.Get(k), v)
		}
	}
	for _, name := range []string{"sdk-v2.js", "embed", "other.js"} {
		if code, _, body := m.do("GET", "/widget/"+name, "", ""); code != 404 || body != `{"error":"Not found"}` {
			t.Errorf("GET /widget/%s: %d %s, want 404 Not found", name, code, body)
		}
	}
	// The route's own OPTIONS answers 200, not 204.
	if code, h, _ := m.do("OPTIONS", "/widget/sdk.js", "", ""); code != 200 || h.Get("Access-Control-Allow-Methods") != "GET, OPTIONS" {
		t.Errorf("OPTIONS /widget/sdk.js: %d %v, want 200 with GET, OPTIONS", code, h)
	}
	st := m.srv.Stats().Routes
	if got := st[RouteSDK]; got.Requests != 4 || got.Codes["200"] != 1 || got.Codes["404"] != 3 {
		t.Errorf("Stats().Routes[sdk] = %+v, want 4 requests, 1 × 200, 3 × 404", got)
	}
	if got := st[RouteSDKPreflight]; got.Requests != 1 {
		t.Errorf("Stats().Routes[sdk preflight] = %+v, want 1", got)
	}
}

func TestSDKScriptSize(t *testing.T) {
	statement := regexp.MustCompile(`^(var h\d+=\d+;| *)$`)
	for _, size := range []int{0, 1, len(sdkHeader), len(sdkHeader) + 1, len(sdkHeader) + 2, 1000, 4097} {
		b := string(sdkScript(size))
		if want := max(size, len(sdkHeader)); len(b) != want {
			t.Errorf("len(sdkScript(%d)) = %d, want %d", size, len(b), want)
		}
		lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(b, sdkHeader), "\n"), "\n")
		for _, l := range lines {
			if !statement.MatchString(l) {
				t.Errorf("sdkScript(%d) has line %q, want statements or blanks", size, l)
			}
		}
	}
}

func TestPreflights(t *testing.T) {
	m := startMock(t, Config{})
	tests := []struct {
		path, methods string
		route         Route
	}{
		// corsOptions() with no methods: Helper's session route sends ", OPTIONS".
		{"/api/widget/session", ", OPTIONS", RouteSessionPreflight},
		{"/api/chat", "POST, OPTIONS", RouteChatPreflight},
		{"/api/chat/conversation", "POST, OPTIONS", RouteChatPreflight},
		{"/api/chat/conversation/x", "GET, PATCH, OPTIONS", RouteChatPreflight},
		{"/api/chat/conversation/x/message", "POST, OPTIONS", RouteChatPreflight},
		{"/api/chat/conversation/x/message/5", "POST, OPTIONS", RouteChatPreflight},
		{"/api/chat/conversations", "GET, OPTIONS", RouteChatPreflight},
		{"/api/chat/conversations/unread", "GET, OPTIONS", RouteChatPreflight},
	}
	for _, tt := range tests {
		code, h, body := m.do("OPTIONS", tt.path, "", "")
		if code != http.StatusNoContent || body != "" || h.Get("Access-Control-Allow-Origin") != "*" ||
			h.Get("Access-Control-Allow-Headers") != "Content-Type, Authorization" || h.Get("Access-Control-Allow-Methods") != tt.methods {
			t.Errorf("OPTIONS %s: %d %v, want 204 with methods %q", tt.path, code, h, tt.methods)
		}
	}
	st := m.srv.Stats().Routes
	if st[RouteSessionPreflight].Requests != 1 || st[RouteChatPreflight].Codes["204"] != int64(len(tests)-1) {
		t.Errorf("Stats().Routes preflights: session %+v, chat %+v; want 1 and %d", st[RouteSessionPreflight], st[RouteChatPreflight], len(tests)-1)
	}
}

// Success responses carry corsResponse's headers; withWidgetAuth's 401
// carries the origin and headers only; routes answering with a bare
// Response.json carry none.
func TestCORSHeaders(t *testing.T) {
	m := startMock(t, Config{Tokens: Range{1, 1}})
	ann := m.session("ann@example.com")
	slug := m.conversation(ann, `{}`)
	tests := []struct {
		name, method, path, token, body string
		wantCode                        int
		wantOrigin, wantMethods         string
	}{
		{"list", "GET", "/api/chat/conversations", ann, "", 200, "*", "POST, OPTIONS"},
		{"chat stream", "POST", "/api/chat", ann, chatBody(slug, "hi"), 200, "*", "POST, OPTIONS"},
		{"no token", "GET", "/api/chat/conversations", "", "", 401, "*", ""},
		{"GET unknown conversation", "GET", "/api/chat/conversation/nope", ann, "", 404, "", ""},
		{"reaction on an unknown message", "POST", "/api/chat/conversation/" + slug + "/message/999", ann, `{"type":"thumbs-up"}`, 500, "", ""}, // takeUniqueOrThrow throws
	}
	for _, tt := range tests {
		code, h, _ := m.do(tt.method, tt.path, tt.token, tt.body)
		if code != tt.wantCode || h.Get("Access-Control-Allow-Origin") != tt.wantOrigin || h.Get("Access-Control-Allow-Methods") != tt.wantMethods {
			t.Errorf("%s: %d, origin %q, methods %q; want %d, %q, %q", tt.name, code,
				h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Methods"), tt.wantCode, tt.wantOrigin, tt.wantMethods)
		}
	}
	if got := strconv.Itoa(len(Routes())); got != "14" {
		t.Errorf("len(Routes()) = %s, want 14", got)
	}
}
