package helperapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Headers of Helper's streamed reply.
var dataStreamHeader = http.Header{
	"Content-Type":            {"text/plain; charset=utf-8"},
	"X-Vercel-AI-Data-Stream": {"v1"},
}

// streamHandler answers with header and status, then writes each chunk and
// flushes it, so every chunk goes out as its own piece of the body.
func streamHandler(header http.Header, status int, chunks ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		w.(http.Flusher).Flush()
		for _, c := range chunks {
			io.WriteString(w, c)
			w.(http.Flusher).Flush()
		}
	}
}

// newTestServer starts h on a loopback httptest server closed at the end of t.
func newTestServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// testToken is the session token test sessions carry.
const testToken = "eyJhbGciOiJIUzI1NiJ9.test-token-value.c2lnbmF0dXJl"

// testSecret is the HMAC secret test clients carry.
const testSecret = "4f6c8a9e-5c1d-4d2b-9f3e-7a1b2c3d4e5f"

// newTestSession returns a client for h with testSecret and a session with
// testToken; opts are applied after the defaults.
func newTestSession(t testing.TB, h http.Handler, opts ...Option) (*Client, *Session) {
	t.Helper()
	srv := newTestServer(t, h)
	c, err := New(srv.URL, append([]Option{WithSecret(testSecret), WithTimeout(10 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatalf("New(%q) = %v", srv.URL, err)
	}
	t.Cleanup(c.hc.CloseIdleConnections)
	return c, c.ResumeSession(testToken, "ann@example.com")
}
