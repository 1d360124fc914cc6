package mockserver

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// discardWriter is a minimal http.ResponseWriter and http.Flusher that
// keeps nothing, so benchmarks measure the server alone.
type discardWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }
func (w *discardWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }
func (w *discardWriter) Flush()                      {}

// benchServer returns a zero-latency server, a token and a conversation.
func benchServer(b *testing.B, cfg Config) (*mock, string, string) {
	b.Helper()
	m := startMock(b, cfg)
	token := m.session("bench@example.com")
	return m, token, m.conversation(token, `{}`)
}

// serve runs one request through the handler directly.
func serve(b *testing.B, h http.Handler, method, path, token, body string) *discardWriter {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := &discardWriter{h: http.Header{}}
	h.ServeHTTP(w, req)
	if w.code != http.StatusOK {
		b.Fatalf("%s %s: status %d", method, path, w.code)
	}
	return w
}

func BenchmarkChatStream(b *testing.B) {
	for _, tokens := range []int{1, 40} {
		b.Run(fmt.Sprintf("tokens=%d", tokens), func(b *testing.B) {
			m, token, slug := benchServer(b, Config{Tokens: Range{tokens, tokens}, Sources: 1})
			body := chatBody(slug, "Where is my order?")
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				serve(b, m.srv, "POST", "/api/chat", token, body)
			}
		})
	}
}

func BenchmarkSession(b *testing.B) {
	m := startMock(b, Config{})
	body := m.sessionBody("bench@example.com")
	b.ReportAllocs()
	for b.Loop() {
		serve(b, m.srv, "POST", "/api/widget/session", "", body)
	}
}

func BenchmarkAuthedList(b *testing.B) {
	m, token, _ := benchServer(b, Config{})
	b.ReportAllocs()
	for b.Loop() {
		serve(b, m.srv, "GET", "/api/chat/conversations", token, "")
	}
}

func BenchmarkTokenParts(b *testing.B) {
	// Writing a 40-token reply's text parts: no allocation per token.
	sw := &streamWriter{s: &Server{}, w: &discardWriter{h: http.Header{}}}
	plan := planReply(nil, 40)
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range plan.tokens {
			sw.write(t.line)
		}
	}
}

// BenchmarkChatLoopback measures whole streamed exchanges over loopback
// HTTP with parallel clients, the way a load test hits the mock.
func BenchmarkChatLoopback(b *testing.B) {
	m, token, slug := benchServer(b, Config{Tokens: Range{20, 20}})
	body := chatBody(slug, "Where is my order?")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", m.ts.URL+"/api/chat", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// BenchmarkStoreAddEvicting adds conversations of one owner to a full store:
// each add evicts the oldest, which must not cost a scan of the owner's list.
func BenchmarkStoreAddEvicting(b *testing.B) {
	const max = 100_000
	s := newStore(max, DefaultMaxMessages, DefaultReplyCacheSize)
	for i := range max {
		s.add(&conversation{slug: fmt.Sprint("c", i), owner: "email:one@example.com"})
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.add(&conversation{slug: fmt.Sprint("n", i), owner: "email:one@example.com"})
		i++
	}
	if got := len(s.owners["email:one@example.com"]); got != max {
		b.Fatalf("owner holds %d conversations, want %d", got, max)
	}
}
