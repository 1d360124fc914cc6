package helperapi

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name, in string
		want     time.Duration
	}{
		{"seconds", "7", 7 * time.Second},
		{"spaces", " 120 ", 2 * time.Minute},
		{"zero", "0", 0},
		{"negative", "-5", 0},
		{"HTTP-date", now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{"HTTP-date in the past", now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"empty", "", 0},
		{"garbage", "soon", 0},
		{"huge", "99999999999999999", time.Duration(int64(1<<63-1)/int64(time.Second)) * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseRetryAfter(tt.in, now); got != tt.want {
				t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestHTTPStatusErrors(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name       string
		status     int
		header     http.Header
		body       string
		wantKind   Kind
		wantMsg    string
		wantRetry  time.Duration
		wantStatus int
	}{
		{"429 with seconds", 429, http.Header{"Retry-After": {"3"}}, "", KindRateLimited, "", 3 * time.Second, 429},
		{"429 with date", 429, http.Header{"Retry-After": {now.Add(time.Minute).Format(http.TimeFormat)}},
			"<html>slow down</html>", KindRateLimited, "", time.Minute, 429},
		{"429 without Retry-After", 429, nil, "", KindRateLimited, "", 0, 429},
		{"401", 401, nil, `{"error":"Missing authorization header"}`, KindAuth, "Missing authorization header", 0, 401},
		{"403", 403, nil, `{"error":"Forbidden"}`, KindAuth, "Forbidden", 0, 403},
		{"400 with details", 400, nil, `{"error":"Invalid search parameters","details":[{"path":["limit"]}]}`,
			KindHTTP4xx, "Invalid search parameters", 0, 400},
		{"404", 404, nil, `{"error":"Conversation not found"}`, KindHTTP4xx, "Conversation not found", 0, 404},
		{"500 without body", 500, nil, "", KindHTTP5xx, "", 0, 500},
		{"502 from a proxy", 502, nil, "<html>Bad Gateway</html>", KindHTTP5xx, "", 0, 502},
		{"error that is not a string", 500, nil, `{"error":{"code":1}}`, KindHTTP5xx, "", 0, 500},
		{"redirect is not followed", 302, http.Header{"Location": {"/elsewhere"}}, "", KindProtocol, "unexpected status 302", 0, 302},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, s := newTestSession(t, streamHandler(tt.header, tt.status, tt.body), WithClock(func() time.Time { return now }))
			slug, tm, err := s.CreateConversation(context.Background(), "Order", false)
			var e *Error
			if slug != "" || !errors.As(err, &e) {
				t.Fatalf("CreateConversation() = %q, %v; want an *Error", slug, err)
			}
			if e.Op != opConversation || e.Kind != tt.wantKind || e.Msg != tt.wantMsg || e.RetryAfter != tt.wantRetry || e.Status != tt.wantStatus {
				t.Errorf("CreateConversation() error = %+v; want op %q, kind %q, msg %q, retry %v, status %d",
					e, opConversation, tt.wantKind, tt.wantMsg, tt.wantRetry, tt.wantStatus)
			}
			if tm.Status != tt.wantStatus || tm.Total == 0 {
				t.Errorf("Timing = %+v, want status %d and Total set", tm, tt.wantStatus)
			}
		})
	}
}

func TestTransportErrors(t *testing.T) {
	t.Run("connect", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens there now: connection refused
		c, err := New("http://" + addr)
		if err != nil {
			t.Fatal(err)
		}
		_, tm, err := c.ResumeSession(testToken, "").CreateConversation(context.Background(), "", false)
		if got := KindOf(err); got != KindConnect {
			t.Errorf("CreateConversation() error = %v (kind %q), want kind %q", err, got, KindConnect)
		}
		if tm.Status != 0 || tm.Total == 0 {
			t.Errorf("Timing = %+v, want no status and Total set", tm)
		}
	})

	// stall answers nothing until the client goes away; started says a request arrived.
	stall := func() (http.Handler, <-chan struct{}) {
		started := make(chan struct{}, 1)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			select {
			case started <- struct{}{}:
			default:
			}
			<-r.Context().Done()
		}), started
	}

	t.Run("request timeout", func(t *testing.T) {
		h, _ := stall()
		_, s := newTestSession(t, h, WithTimeout(100*time.Millisecond))
		_, tm, err := s.CreateConversation(context.Background(), "", false)
		if got := KindOf(err); got != KindTimeout {
			t.Errorf("CreateConversation() error = %v (kind %q), want kind %q", err, got, KindTimeout)
		}
		if tm.Total < 100*time.Millisecond {
			t.Errorf("Total = %v, want >= the 100ms timeout", tm.Total)
		}
	})
	// The timeout runs from the instant the timing starts: not timed, but
	// the request's deadline itself (a slow machine made Total 99.9 ms of
	// a 100 ms timeout when the timeout started before the timing).
	t.Run("request timeout starts with the timing", func(t *testing.T) {
		c, _ := newTestSession(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), WithTimeout(time.Minute))
		ex, e := c.send(context.Background(), opConversation, http.MethodGet, "/", nil, nil, redactor{})
		if e != nil {
			t.Fatal(e)
		}
		defer ex.finish()
		if deadline, ok := ex.ctx.Deadline(); !ok || !deadline.Equal(ex.t.Start.Add(time.Minute)) {
			t.Errorf("request deadline %v (set %v); want the timing's start + the 1m timeout, %v", deadline, ok, ex.t.Start.Add(time.Minute))
		}
	})
	// Timeouts of the HTTP client or transport given with WithHTTPClient are
	// timeouts too, not broken connections.
	t.Run("http.Client timeout awaiting headers", func(t *testing.T) {
		h, _ := stall()
		_, s := newTestSession(t, h, WithHTTPClient(&http.Client{Timeout: 100 * time.Millisecond}))
		_, _, err := s.CreateConversation(context.Background(), "", false)
		if got := KindOf(err); got != KindTimeout {
			t.Errorf("CreateConversation() error = %v (kind %q), want kind %q", err, got, KindTimeout)
		}
	})
	t.Run("http.Client timeout reading the body", func(t *testing.T) {
		h := func(w http.ResponseWriter, r *http.Request) {
			streamHandler(dataStreamHeader, 200, "f:{}\n0:\"first\"\n")(w, r)
			<-r.Context().Done()
		}
		_, s := newTestSession(t, http.HandlerFunc(h), WithHTTPClient(&http.Client{Timeout: 100 * time.Millisecond}))
		_, err := s.SendMessage(context.Background(), "c", "hi", MessageOptions{})
		if got := KindOf(err); got != KindTimeout {
			t.Errorf("SendMessage() error = %v (kind %q), want kind %q", err, got, KindTimeout)
		}
	})
	t.Run("transport response header timeout", func(t *testing.T) {
		h, _ := stall()
		tr := NewTransport(1)
		tr.ResponseHeaderTimeout = 100 * time.Millisecond
		t.Cleanup(tr.CloseIdleConnections)
		_, s := newTestSession(t, h, WithHTTPClient(&http.Client{Transport: tr}))
		_, _, err := s.CreateConversation(context.Background(), "", false)
		if got := KindOf(err); got != KindTimeout {
			t.Errorf("CreateConversation() error = %v (kind %q), want kind %q", err, got, KindTimeout)
		}
	})
	t.Run("caller deadline", func(t *testing.T) {
		h, _ := stall()
		_, s := newTestSession(t, h)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, _, err := s.CreateConversation(ctx, "", false)
		if got := KindOf(err); got != KindTimeout {
			t.Errorf("CreateConversation() error = %v (kind %q), want kind %q", err, got, KindTimeout)
		}
	})
	t.Run("caller cancel", func(t *testing.T) {
		h, started := stall()
		_, s := newTestSession(t, h)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-started
			cancel()
		}()
		_, err := s.SendMessage(ctx, "c", "hi", MessageOptions{})
		if got := KindOf(err); got != KindCanceled {
			t.Errorf("SendMessage() error = %v (kind %q), want kind %q", err, got, KindCanceled)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("errors.Is(%v, context.Canceled) = false, want true", err)
		}
	})
}

func TestNew(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", false},
		{"https://helper.example.com/", "https://helper.example.com", false},
		{"https://example.com/helper/", "https://example.com/helper", false},
		{"ftp://example.com", "", true},
		{"127.0.0.1:8080", "", true},
		{"http://", "", true},
		{"http://user:pw@example.com", "", true},
		{"http://example.com/?a=1", "", true},
	}
	for _, tt := range tests {
		c, err := New(tt.in)
		if (err != nil) != tt.wantErr || (err == nil && c.BaseURL() != tt.want) {
			t.Errorf("New(%q) = %v, %v; want base %q, error %v", tt.in, c, err, tt.want, tt.wantErr)
		}
	}
}

func TestNewTransport(t *testing.T) {
	for _, tt := range []struct{ in, want int }{{250, 250}, {0, DefaultMaxConnsPerHost}} {
		tr := NewTransport(tt.in)
		if tr.MaxIdleConnsPerHost != tt.want || tr.MaxIdleConns != tt.want || tr.MaxConnsPerHost != 0 {
			t.Errorf("NewTransport(%d) pool = %d idle per host, %d idle, %d max per host; want %d, %d, 0 (no cap)",
				tt.in, tr.MaxIdleConnsPerHost, tr.MaxIdleConns, tr.MaxConnsPerHost, tt.want, tt.want)
		}
		if !tr.DisableCompression || !tr.ForceAttemptHTTP2 || tr.Proxy == nil || tr.DisableKeepAlives ||
			tr.TLSHandshakeTimeout == 0 || tr.DialContext == nil {
			t.Errorf("NewTransport(%d) = %+v; want compression off, HTTP/2 attempted, proxy from env, keep-alive, timeouts", tt.in, tr)
		}
	}
}

func TestRedirectPolicy(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/chat/conversation", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/moved", http.StatusFound)
	})
	mux.HandleFunc("GET /moved", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"conversationSlug":"followed"}`)
	})
	follow := func(*http.Request, []*http.Request) error { return nil }
	tests := []struct {
		name     string
		hc       *http.Client
		wantSlug string
		wantKind Kind
	}{
		{"caller's client without a policy", &http.Client{}, "", KindProtocol},
		{"caller's client that follows", &http.Client{CheckRedirect: follow}, "followed", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, s := newTestSession(t, mux, WithHTTPClient(tt.hc))
			slug, _, err := s.CreateConversation(context.Background(), "", false)
			if slug != tt.wantSlug || KindOf(err) != tt.wantKind {
				t.Errorf("CreateConversation() = %q, %v; want %q, kind %q", slug, err, tt.wantSlug, tt.wantKind)
			}
		})
	}
	if tests[0].hc.CheckRedirect != nil {
		t.Errorf("New set CheckRedirect on the caller's http.Client; want it left alone (a copy is used)")
	}
}
