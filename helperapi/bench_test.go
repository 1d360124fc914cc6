package helperapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
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
	c, err := New("http://helper.invalid", WithHTTPClient(&http.Client{Transport: cannedTransport{benchReply(tokens)}}))
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
