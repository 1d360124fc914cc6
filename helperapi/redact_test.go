package helperapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestRedactor(t *testing.T) {
	r := redactor{"s3cret", "", "tok"}
	if got, want := r.string("a s3cret and a tok, tok"), "a [REDACTED] and a [REDACTED], [REDACTED]"; got != want {
		t.Errorf("string() = %q, want %q", got, want)
	}
	plain := io.ErrUnexpectedEOF
	if got := r.err(plain); got != plain {
		t.Errorf("err(%v) = %v, want the same error when there is nothing to hide", plain, got)
	}
	leaky := fmt.Errorf("failed with tok: %w", context.Canceled)
	got := r.err(leaky)
	if strings.Contains(got.Error(), "tok") || !errors.Is(got, context.Canceled) || errors.Unwrap(got) != nil {
		t.Errorf("err(%q) = %q; want redacted text, errors.Is still true, no Unwrap to the raw text", leaky, got)
	}
}

// TestNoSecretsInOutput makes a server echo the secret and the token in every
// place it can, then greps everything the client prints or returns.
func TestNoSecretsInOutput(t *testing.T) {
	echo := "secret " + testSecret + " token " + testToken
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/widget/session", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		io.WriteString(w, `{"valid":false,"error":"`+echo+`"}`)
	})
	mux.HandleFunc("POST /api/chat", func(w http.ResponseWriter, r *http.Request) {
		streamHandler(dataStreamHeader, 200, "f:{}\n3:\""+echo+"\"\n")(w, r)
	})
	mux.HandleFunc("POST /api/chat/conversation", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		io.WriteString(w, `{"error":"`+echo+`"}`)
	})
	mux.HandleFunc("GET /api/chat/conversations", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		io.WriteString(w, `{"error":"`+echo+`"}`)
	})
	c, s := newTestSession(t, mux)
	ctx := context.Background()

	var errs []error
	_, _, err := c.CreateSession(ctx, SessionRequest{Email: "ann@example.com", Previous: s})
	errs = append(errs, err)
	_, err = s.SendMessage(ctx, "c", "hi", MessageOptions{})
	errs = append(errs, err)
	_, _, err = s.CreateConversation(ctx, "x", false)
	errs = append(errs, err)
	_, _, err = s.ListConversations(ctx, "", 0)
	errs = append(errs, err)
	_, err = s.WaitForReply(ctx, "c", 1, PollOptions{})
	errs = append(errs, err)
	errs = append(errs, redactor{testToken}.err(fmt.Errorf("wrapped %s", testToken)))

	var out bytes.Buffer
	for _, err := range errs {
		if err == nil {
			t.Fatalf("a call that should fail returned nil")
		}
		fmt.Fprintf(&out, "%s\n%v\n%+v\n%#v\n%q\n", err.Error(), err, err, err, err)
		var e *Error
		if errors.As(err, &e) {
			fmt.Fprintf(&out, "%+v\n%#v\n", *e, *e)
		}
	}
	for _, v := range []any{s, *s, c, *c, []any{s, c}, struct{ S *Session }{s}, struct{ S Session }{*s}} {
		fmt.Fprintf(&out, "%s\n%v\n%+v\n%#v\n%q\n%x\n%d\n", v, v, v, v, v, v, v)
	}
	for _, h := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
		slog.New(h).Info("state", "session", s, "client", c, "value", *s, "error", errs[1])
	}

	if !strings.Contains(out.String(), redactedText) {
		t.Errorf("output has no %q; the echo did not reach the client:\n%s", redactedText, out.String())
	}
	for _, secret := range []string{testSecret, testToken} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("output contains %q:\n%s", secret, out.String())
		}
	}
	if !strings.Contains(out.String(), "ann@example.com") {
		t.Errorf("output lost the session's email, which is not a secret:\n%s", out.String())
	}
}
