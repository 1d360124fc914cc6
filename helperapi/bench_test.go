package helperapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/loadgen/loadgen/helperapi/internal/streamtest"
)

// cannedTransport answers every request with the same streamed reply, with
// no network: it isolates the client's own cost per exchange.
type cannedTransport struct{ body []byte }

func (t cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusOK,
		Header: http.Header{
			"Content-Type":            {"text/plain; charset=utf-8"},
			"X-Vercel-Ai-Data-Stream": {"v1"},
		},
		Body:    io.NopCloser(bytes.NewReader(t.body)),
		Request: req,
	}, nil
}

// BenchmarkSendMessage measures one streamed exchange of a 40-token model
// reply on the client side: request building, timing, parsing and the
// Reply, without a network or a server.
func BenchmarkSendMessage(b *testing.B) {
	const tokens = 40
	c, err := New("http://helper.invalid", WithHTTPClient(&http.Client{Transport: cannedTransport{streamtest.BenchReply(tokens)}}))
	if err != nil {
		b.Fatal(err)
	}
	s := c.ResumeSession("token", "bench@example.com")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		r, err := s.SendMessage(ctx, "slug-1", "Where is my order?", MessageOptions{})
		if err != nil || r.TextParts != tokens {
			b.Fatalf("SendMessage: %d parts, %v", r.TextParts, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tokens), "ns/token")
}

// BenchmarkCreateSession measures signing in on the client side: the HMAC,
// the request and the decoded reply, without a network or a server.
func BenchmarkCreateSession(b *testing.B) {
	body := []byte(`{"valid":true,"token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJlbWFpbCI6ImJlbmNoQGV4YW1wbGUuY29tIiwic2hvd1dpZGdldCI6dHJ1ZSwiaXNXaGl0ZWxhYmVsIjpmYWxzZSwidGl0bGUiOiJMb2FkZ2VuIE1vY2sgU3VwcG9ydCIsImlhdCI6MTc2NDExNTIwMCwiZXhwIjoxNzY0MTU4NDAwfQ.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU","supabaseUrl":"https://mock.supabase.invalid","supabaseAnonKey":"mock-anon-key","showWidget":true,"notifications":[]}`)
	c, err := New("http://helper.invalid", WithSecret("bench-secret"),
		WithHTTPClient(&http.Client{Transport: cannedJSON{body}}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.CreateSession(ctx, SessionRequest{Email: "bench@example.com"}); err != nil {
			b.Fatal(err)
		}
	}
}

// cannedJSON answers every request with the same JSON body.
type cannedJSON struct{ body []byte }

func (t cannedJSON) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(t.body)), Request: req}, nil
}
