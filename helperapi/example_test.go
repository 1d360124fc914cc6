package helperapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/loadgen/loadgen/helperapi"
)

// fakeHelper is a tiny stand-in for a Helper deployment.
func fakeHelper() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/widget/session", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"valid":true,"token":"opaque.jwt.token","showWidget":true}`)
	})
	mux.HandleFunc("POST /api/chat/conversation", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"conversationSlug":"c-1"}`)
	})
	mux.HandleFunc("POST /api/chat", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Vercel-AI-Data-Stream", "v1")
		for _, part := range []string{
			`f:{"messageId":"msg-1"}`, `0:"Your order "`, `0:"shipped \"today\"."`,
			`e:{"finishReason":"stop","usage":{"promptTokens":12,"completionTokens":2},"isContinued":false}`,
			`d:{"finishReason":"stop","usage":{"promptTokens":12,"completionTokens":2}}`,
			`8:[{"id":"42"}]`,
		} {
			io.WriteString(w, part+"\n")
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("GET /api/chat/conversations", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "2") // as a proxy in front of Helper would
		w.WriteHeader(http.StatusTooManyRequests)
	})
	return httptest.NewServer(mux)
}

func Example() {
	srv := fakeHelper()
	defer srv.Close()

	c, err := helperapi.New(srv.URL, helperapi.WithSecret("the-mailbox-secret"))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	s, _, err := c.CreateSession(ctx, helperapi.SessionRequest{Email: "ann@example.com"})
	if err != nil {
		panic(err)
	}
	fmt.Println(s) // the token is never printed

	slug, _, err := s.CreateConversation(ctx, "Order status", false)
	if err != nil {
		panic(err)
	}
	r, err := s.SendMessage(ctx, slug, "Where is my order?", helperapi.MessageOptions{KeepText: true})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Shape, r.TextParts, r.Tokens(), r.FinishReason, r.MessageID)
	fmt.Println(r.Text)
	fmt.Println(r.TTFT > 0 && r.TTFT >= r.TTFB, len(r.Gaps))

	_, _, err = s.ListConversations(ctx, "", 20)
	var e *helperapi.Error
	if errors.As(err, &e) {
		fmt.Println(e.Op, e.Kind, e.Status, e.RetryAfter)
	}
	// Output:
	// helperapi.Session{email: ann@example.com, token: [REDACTED]}
	// model 2 2 stop 42
	// Your order shipped "today".
	// true 1
	// list rate_limited 429 2s
}
