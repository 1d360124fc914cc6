package mockserver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const testSecret = "t3st-s3cret-5e1f0a"

// testEpoch is the fake clock's starting time.
var testEpoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeClock is a settable clock, safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: testEpoch} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// mock is a Server on a loopback httptest server with its own client.
type mock struct {
	t      testing.TB
	srv    *Server
	ts     *httptest.Server
	clock  *fakeClock
	client *http.Client
}

// startMock starts a Server for cfg (Secret and Now filled in when empty)
// and closes everything at the end of the test.
func startMock(t testing.TB, cfg Config) *mock {
	t.Helper()
	m := &mock{t: t, clock: newFakeClock()}
	if cfg.Secret == "" {
		cfg.Secret = testSecret
	}
	if cfg.Now == nil {
		cfg.Now = m.clock.Now
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	m.srv = srv
	m.ts = httptest.NewServer(srv)
	m.client = &http.Client{Transport: &http.Transport{}, Timeout: 20 * time.Second}
	t.Cleanup(func() {
		m.client.CloseIdleConnections()
		srv.Close()
		m.ts.Close()
	})
	return m
}

// request sends a request; token "" sends no Authorization header.
func (m *mock) request(method, path, token, body string) *http.Response {
	m.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, m.ts.URL+path, rd)
	if err != nil {
		m.t.Fatalf("NewRequest: %v", err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := m.client.Do(req)
	if err != nil {
		m.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// do sends a request and reads the whole response.
func (m *mock) do(method, path, token, body string) (int, http.Header, string) {
	m.t.Helper()
	resp := m.request(method, path, token, body)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		m.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// emailHash signs email and ts with secret as a client must.
func emailHash(secret, email string, ts int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(email + ":" + strconv.FormatInt(ts, 10)))
	return hex.EncodeToString(mac.Sum(nil))
}

// sessionBody returns a signed session request body for email at the clock's time.
func (m *mock) sessionBody(email string) string {
	ts := m.clock.Now().UnixMilli()
	b, _ := json.Marshal(map[string]any{"email": email, "emailHash": emailHash(testSecret, email, ts), "timestamp": ts})
	return string(b)
}

// session creates a session (email "" for anonymous) and returns its token.
func (m *mock) session(email string) string {
	m.t.Helper()
	body := `{}`
	if email != "" {
		body = m.sessionBody(email)
	}
	code, _, resp := m.do("POST", "/api/widget/session", "", body)
	if code != http.StatusOK {
		m.t.Fatalf("session %q: status %d: %s", email, code, resp)
	}
	var r struct{ Token string }
	if err := json.Unmarshal([]byte(resp), &r); err != nil || r.Token == "" {
		m.t.Fatalf("session %q: bad body %s (%v)", email, resp, err)
	}
	return r.Token
}

// conversation creates a conversation with body and returns its slug.
func (m *mock) conversation(token, body string) string {
	m.t.Helper()
	code, _, resp := m.do("POST", "/api/chat/conversation", token, body)
	if code != http.StatusOK {
		m.t.Fatalf("create conversation: status %d: %s", code, resp)
	}
	var r struct{ ConversationSlug string }
	if err := json.Unmarshal([]byte(resp), &r); err != nil || r.ConversationSlug == "" {
		m.t.Fatalf("create conversation: bad body %s (%v)", resp, err)
	}
	return r.ConversationSlug
}

// chatBody returns a POST /api/chat body.
func chatBody(slug, content string) string {
	b, _ := json.Marshal(map[string]any{
		"conversationSlug": slug,
		"message":          map[string]any{"id": "m1", "role": "user", "content": content},
	})
	return string(b)
}

// chat sends a message and returns the status, headers and streamed body.
func (m *mock) chat(token, slug, content string) (int, http.Header, string) {
	m.t.Helper()
	return m.do("POST", "/api/chat", token, chatBody(slug, content))
}

// part is one line of a data stream.
type part struct {
	prefix  string
	payload string
}

// parseParts splits a data stream body into parts; every line must end with \n.
func parseParts(t testing.TB, body string) []part {
	t.Helper()
	if body != "" && !strings.HasSuffix(body, "\n") {
		t.Fatalf("stream does not end with a newline: %q", body)
	}
	var out []part
	for _, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		if line == "" {
			continue
		}
		prefix, payload, ok := strings.Cut(line, ":")
		if !ok || !json.Valid([]byte(payload)) {
			t.Fatalf("bad part %q", line)
		}
		out = append(out, part{prefix, payload})
	}
	return out
}

// prefixes returns the parts' prefixes joined, runs of 0: collapsed to "0+".
func prefixes(parts []part) string {
	var b []string
	for _, p := range parts {
		if p.prefix == "0" && len(b) > 0 && (b[len(b)-1] == "0" || b[len(b)-1] == "0+") {
			b[len(b)-1] = "0+"
			continue
		}
		b = append(b, p.prefix)
	}
	return strings.Join(b, " ")
}

// text returns the concatenated text of the 0: parts.
func text(t testing.TB, parts []part) string {
	t.Helper()
	var b strings.Builder
	for _, p := range parts {
		if p.prefix != "0" {
			continue
		}
		var s string
		if err := json.Unmarshal([]byte(p.payload), &s); err != nil {
			t.Fatalf("text part %s: %v", p.payload, err)
		}
		b.WriteString(s)
	}
	return b.String()
}

// waitFor polls cond every few milliseconds for up to 5 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// listen returns a loopback listener on a free port.
func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}
