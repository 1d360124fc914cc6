package mockserver_test

// These tests run the real helperapi client against the real mock over
// loopback. They share no code: client and server meet only on the wire.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/internal/testutil"
	"github.com/loadgen/loadgen/mockserver"
)

const itSecret = "integration-s3cret-4c1d"

// wireLog records, from the client's side of the wire, every session token
// the server handed out or the client sent, so a test can look for them in
// what either side prints.
type wireLog struct {
	mu     sync.Mutex
	tokens map[string]bool
	next   http.RoundTripper
}

func (w *wireLog) RoundTrip(req *http.Request) (*http.Response, error) {
	if tok, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer "); ok && tok != "" {
		w.add(tok)
	}
	resp, err := w.next.RoundTrip(req)
	if err != nil || req.URL.Path != "/api/widget/session" {
		return resp, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	var body struct{ Token string }
	if json.Unmarshal(b, &body) == nil && body.Token != "" {
		w.add(body.Token)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, err
}

func (w *wireLog) add(tok string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tokens[tok] = true
}

func (w *wireLog) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for t := range w.tokens {
		out = append(out, t)
	}
	return out
}

// rig is a mock on loopback and a helperapi client for it. Everything both
// sides print goes to out (the mock's logs at debug level, its HTTP server
// errors, the client's log values), so the secret test can read it.
type rig struct {
	srv    *mockserver.Server
	url    string
	client *helperapi.Client
	wire   *wireLog
	out    *testutil.SyncBuffer
}

func newRig(t *testing.T, cfg mockserver.Config, opts ...helperapi.Option) *rig {
	t.Helper()
	out := &testutil.SyncBuffer{}
	cfg.Secret = itSecret
	cfg.Logger = slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := mockserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv)
	ts.Config.ErrorLog = log.New(out, "mock http: ", 0)
	ts.Start()
	transport := helperapi.NewTransport(16)
	wire := &wireLog{tokens: map[string]bool{}, next: transport}
	opts = append([]helperapi.Option{
		helperapi.WithSecret(itSecret),
		helperapi.WithTimeout(20 * time.Second),
		helperapi.WithHTTPClient(&http.Client{Transport: wire}),
	}, opts...)
	client, err := helperapi.New(ts.URL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		transport.CloseIdleConnections()
		srv.Close()
		ts.Close()
	})
	return &rig{srv: srv, url: ts.URL, client: client, wire: wire, out: out}
}

// session creates a session or fails the test.
func (r *rig) session(t *testing.T, email string) *helperapi.Session {
	t.Helper()
	s, _, err := r.client.CreateSession(context.Background(), helperapi.SessionRequest{Email: email})
	if err != nil {
		t.Fatalf("CreateSession(%q): %v", email, err)
	}
	return s
}

// conversation creates a conversation or fails the test.
func conversation(t *testing.T, s *helperapi.Session, isPrompt bool) string {
	t.Helper()
	slug, _, err := s.CreateConversation(context.Background(), "Order status", isPrompt)
	if err != nil {
		t.Fatalf("CreateConversation: %v", err)
	}
	return slug
}

// wantKind checks that err is a *helperapi.Error of kind and status (-1: any).
func wantKind(t *testing.T, call string, err error, kind helperapi.Kind, status int) *helperapi.Error {
	t.Helper()
	var e *helperapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: error %v, want a *helperapi.Error of kind %s", call, err, kind)
	}
	if e.Kind != kind || (status >= 0 && e.Status != status) {
		t.Errorf("%s: kind %s status %d (%v), want %s %d", call, e.Kind, e.Status, err, kind, status)
	}
	return e
}

// errorTexts collects what the client returned, for the secret test.
type errorTexts struct {
	mu    sync.Mutex
	texts []string
}

func (e *errorTexts) add(vs ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, v := range vs {
		e.texts = append(e.texts, fmt.Sprintf("%v|%+v|%#v", v, v, v))
	}
}

func TestClientSessions(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, mockserver.Config{})
	var seen errorTexts

	ann := r.session(t, "ann@example.com")
	if ann.Anonymous() {
		t.Errorf("email session is anonymous")
	}
	anon := r.session(t, "")
	slug := conversation(t, anon, false)

	// The anonymous visitor keeps its identity (and its conversation) with currentToken.
	again, _, err := r.client.CreateSession(ctx, helperapi.SessionRequest{Previous: anon})
	if err != nil {
		t.Fatalf("CreateSession with Previous: %v", err)
	}
	if _, _, err := again.GetConversation(ctx, slug); err != nil {
		t.Errorf("GetConversation with the carried-over anonymous identity: %v", err)
	}
	// Another anonymous visitor does not see it.
	_, _, err = r.session(t, "").GetConversation(ctx, slug)
	wantKind(t, "GetConversation by another anonymous visitor", err, helperapi.KindHTTP4xx, 404)

	tests := []struct {
		name    string
		client  *helperapi.Client
		wantMsg string
	}{
		{"bad HMAC", newRig(t, mockserver.Config{}, helperapi.WithSecret("wrong-secret")).client, "Invalid HMAC signature"},
		{"stale timestamp", newRig(t, mockserver.Config{}, helperapi.WithClock(func() time.Time { return time.Now().Add(-2 * time.Hour) })).client, "Timestamp is too far in the past"},
		{"future timestamp", newRig(t, mockserver.Config{}, helperapi.WithClock(func() time.Time { return time.Now().Add(2 * time.Hour) })).client, "Timestamp is too far in the past"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := tt.client.CreateSession(ctx, helperapi.SessionRequest{Email: "ann@example.com"})
			seen.add(err)
			if e := wantKind(t, "CreateSession", err, helperapi.KindAuth, 401); e.Msg != tt.wantMsg {
				t.Errorf("Msg = %q, want %q", e.Msg, tt.wantMsg)
			}
		})
	}

	for _, tt := range []struct {
		name, token, wantMsg string
	}{
		{"missing token", "", "Missing authorization header"},
		{"invalid token", "not-a-jwt", "Invalid session token"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := r.client.ResumeSession(tt.token, "")
			_, _, err := s.CreateConversation(ctx, "", false)
			seen.add(err, s)
			if e := wantKind(t, "CreateConversation", err, helperapi.KindAuth, 401); e.Msg != tt.wantMsg {
				t.Errorf("Msg = %q, want %q", e.Msg, tt.wantMsg)
			}
		})
	}
	st := r.srv.Stats()
	if st.Sessions != (mockserver.SessionStats{Email: 1, Anonymous: 3}) || st.Rejections.MissingToken != 1 || st.Rejections.BadToken != 1 {
		t.Errorf("Stats() sessions %+v, rejections %+v; want 1 email, 3 anonymous, 1 missing and 1 bad token", st.Sessions, st.Rejections)
	}
	checkNoSecrets(t, r, seen.texts, ann, anon, again)
}

func TestClientForeignConversation(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, mockserver.Config{})
	ann, bob := r.session(t, "ann@example.com"), r.session(t, "bob@example.com")
	slug := conversation(t, ann, false)

	reply, err := bob.SendMessage(ctx, slug, "hi", helperapi.MessageOptions{})
	wantKind(t, "SendMessage to a foreign conversation", err, helperapi.KindHTTP5xx, 500) // Helper's quirk
	if reply == nil || reply.Shape != "" {
		t.Errorf("reply = %+v, want a non-nil reply without a shape", reply)
	}
	_, _, err = bob.GetConversation(ctx, slug)
	if e := wantKind(t, "GetConversation of a foreign conversation", err, helperapi.KindHTTP4xx, 404); e.Msg != "Conversation not found" {
		t.Errorf("Msg = %q", e.Msg)
	}
	_, _, err = bob.PostMessage(ctx, slug, "hi")
	wantKind(t, "PostMessage to a foreign conversation", err, helperapi.KindHTTP4xx, 404)
	if got := r.srv.Stats().Rejections.ForeignConversation; got != 3 {
		t.Errorf("Stats().Rejections.ForeignConversation = %d, want 3", got)
	}
}

func TestClientModelReplies(t *testing.T) {
	tests := []struct {
		name      string
		cfg       mockserver.Config
		wantData  int
		wantTools int
		wantSteps int
		extra     int // completion tokens beyond the text parts (the tool step)
	}{
		{"plain", mockserver.Config{}, 0, 0, 1, 0},
		{"data part first", mockserver.Config{DataPart: 1}, 1, 0, 1, 0},
		{"tool step", mockserver.Config{ToolStep: 1}, 0, 1, 2, 12},
		{"parts after d:", mockserver.Config{Sources: 3}, 0, 0, 1, 0},
		{"split lines", mockserver.Config{SplitParts: 1, Sources: 1}, 0, 0, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			tt.cfg.Tokens = mockserver.Range{Min: 8, Max: 8}
			r := newRig(t, tt.cfg)
			s := r.session(t, "ann@example.com")
			slug := conversation(t, s, false)
			reply, err := s.SendMessage(ctx, slug, "Where is my order? ✓", helperapi.MessageOptions{KeepText: true})
			if err != nil {
				t.Fatalf("SendMessage: %v", err)
			}
			if reply.Shape != helperapi.ShapeModel || reply.TextParts != 8 || reply.DataParts != tt.wantData ||
				reply.ToolCalls != tt.wantTools || reply.Steps != tt.wantSteps || !reply.HasUsage ||
				reply.Usage.CompletionTokens != 8+tt.extra || reply.FinishReason != "stop" || reply.Status != 200 {
				t.Errorf("reply = %+v\nwant a model reply of 8 text parts, %d data parts, %d tool calls, %d steps, usage %d", reply, tt.wantData, tt.wantTools, tt.wantSteps, 8+tt.extra)
			}
			conv, _, err := s.GetConversation(ctx, slug)
			if err != nil {
				t.Fatal(err)
			}
			last := conv.Messages[len(conv.Messages)-1]
			if reply.MessageID != last.ID || reply.Text != last.Content || last.Role != "assistant" {
				t.Errorf("reply id %q text %q; stored %+v; want the 8: id and text of the stored message", reply.MessageID, reply.Text, last)
			}
			if reply.Chars != len([]rune(reply.Text)) {
				t.Errorf("Chars = %d, want %d", reply.Chars, len([]rune(reply.Text)))
			}
			st := r.srv.Stats()
			if st.Messages.StreamStarted != 1 || st.Messages.StreamCompleted != 1 || st.Replies.Model != 1 {
				t.Errorf("Stats() messages %+v replies %+v, want one model reply started and completed", st.Messages, st.Replies)
			}
		})
	}
}

func TestClientSingleShotReplies(t *testing.T) {
	ctx := context.Background()
	t.Run("cached", func(t *testing.T) {
		r := newRig(t, mockserver.Config{Tokens: mockserver.Range{Min: 6, Max: 6}})
		s := r.session(t, "ann@example.com")
		const prompt = "How do I reset my password?"
		first, err := s.SendMessage(ctx, conversation(t, s, true), prompt, helperapi.MessageOptions{KeepText: true})
		if err != nil || first.Shape != helperapi.ShapeModel {
			t.Fatalf("first prompt: %+v, %v; want a model reply", first, err)
		}
		slug := conversation(t, s, true)
		cached, err := s.SendMessage(ctx, slug, prompt, helperapi.MessageOptions{KeepText: true})
		if err != nil {
			t.Fatalf("cached reply: %v", err)
		}
		if cached.Shape != helperapi.ShapeSingleShot || cached.TextParts != 1 || cached.Text != first.Text || cached.Steps != 0 || cached.HasUsage || cached.MessageID == "" {
			t.Errorf("cached reply = %+v, want single-shot with the first reply's text %q and an id", cached, first.Text)
		}
		if got := r.srv.Stats().Replies.Cached; got != 1 {
			t.Errorf("Stats().Replies.Cached = %d, want 1", got)
		}
	})
	t.Run("handed to a human", func(t *testing.T) {
		r := newRig(t, mockserver.Config{HumanShare: 1})
		s := r.session(t, "ann@example.com")
		slug := conversation(t, s, true) // a prompt button's conversation
		escalating, err := s.SendMessage(ctx, slug, "I want a person", helperapi.MessageOptions{KeepText: true})
		if err != nil || escalating.Shape != helperapi.ShapeModel || escalating.ToolCalls != 1 {
			t.Errorf("first message: %+v, %v; want a model reply with a tool call", escalating, err)
		}
		canned, err := s.SendMessage(ctx, slug, "Hello?", helperapi.MessageOptions{KeepText: true})
		if err != nil || canned.Shape != helperapi.ShapeSingleShot || canned.Text != mockserver.DefaultCannedText {
			t.Errorf("second message: %+v, %v; want the canned single-shot reply", canned, err)
		}
		empty, err := s.SendMessage(ctx, slug, "hello?", helperapi.MessageOptions{KeepText: true})
		if err != nil || empty.Shape != helperapi.ShapeEmpty || empty.TextParts != 0 || empty.TTFT != 0 {
			t.Errorf("third message: %+v, %v; want an empty reply, a success without TTFT", empty, err)
		}
		conv, _, err := s.GetConversation(ctx, slug)
		if err != nil || !conv.IsEscalated {
			t.Errorf("conversation %+v, %v; want isEscalated", conv, err)
		}
	})
}

func TestClientBrokenStreams(t *testing.T) {
	tests := []struct {
		name   string
		faults mockserver.Faults
		kind   helperapi.Kind
		status int
	}{
		{"truncated", mockserver.Faults{Truncate: 1}, helperapi.KindStreamTruncated, 200},
		{"error part", mockserver.Faults{ErrorPart: 1}, helperapi.KindStreamError, 200},
		{"reset", mockserver.Faults{Reset: 1}, helperapi.KindNetwork, 200},
		{"429", mockserver.Faults{RateLimited: 1, RetryAfter: 3 * time.Second}, helperapi.KindRateLimited, 429},
		{"5xx", mockserver.Faults{Error5xx: 1}, helperapi.KindHTTP5xx, 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, mockserver.Config{Tokens: mockserver.Range{Min: 6, Max: 6}, Faults: tt.faults})
			var s *helperapi.Session
			var slug string
			if tt.status == 200 {
				s = r.session(t, "ann@example.com")
				slug = conversation(t, s, false)
			} else {
				// Pre-app faults answer before any check: no session is needed.
				s = r.client.ResumeSession("unused-token", "ann@example.com")
				slug = "unused"
			}
			reply, err := s.SendMessage(context.Background(), slug, "hi", helperapi.MessageOptions{})
			e := wantKind(t, "SendMessage", err, tt.kind, tt.status)
			if reply.Shape != "" {
				t.Errorf("broken reply has shape %q", reply.Shape)
			}
			if tt.status == 200 && (reply.TextParts == 0 || reply.Steps != 1) {
				t.Errorf("reply = %+v, want the text parts and step that came before the failure", reply)
			}
			if tt.kind == helperapi.KindRateLimited && e.RetryAfter != 3*time.Second {
				t.Errorf("RetryAfter = %v, want 3s", e.RetryAfter)
			}
		})
	}
}

// TestClientReplyCutBeforeText closes the mock while one reply waits for its
// first token and another for capacity: both streams end cleanly after their
// data part, which the client must count as truncated, not as empty replies.
func TestClientReplyCutBeforeText(t *testing.T) {
	r := newRig(t, mockserver.Config{Capacity: 1, DataPart: 1, TTFT: mockserver.Fixed(time.Minute)})
	s := r.session(t, "ann@example.com")
	slug := conversation(t, s, false)
	type result struct {
		reply *helperapi.Reply
		err   error
	}
	results := make(chan result, 2)
	for range 2 {
		go func() {
			reply, err := s.SendMessage(context.Background(), slug, "hi", helperapi.MessageOptions{})
			results <- result{reply, err}
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for st := r.srv.Stats(); st.InFlight != 1 || st.Queued != 1; st = r.srv.Stats() {
		if time.Now().After(deadline) {
			t.Fatalf("Stats() in flight %d, queued %d; want 1 and 1", st.InFlight, st.Queued)
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.srv.Close()
	for range 2 {
		res := <-results
		wantKind(t, "SendMessage", res.err, helperapi.KindStreamTruncated, 200)
		if res.reply.DataParts != 1 || res.reply.Shape != "" {
			t.Errorf("reply = %+v, want the data part and no shape", res.reply)
		}
	}
}

func TestClientTTFT(t *testing.T) {
	// The data part goes out at once; the first text part only after the
	// mock's 100 ms TTFT. TTFT must count from the text, not the first byte.
	const ttft = 100 * time.Millisecond
	r := newRig(t, mockserver.Config{TTFT: mockserver.Fixed(ttft), DataPart: 1, Tokens: mockserver.Range{Min: 3, Max: 3}})
	s := r.session(t, "ann@example.com")
	reply, err := s.SendMessage(context.Background(), conversation(t, s, false), "hi", helperapi.MessageOptions{})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if reply.TTFT < ttft {
		t.Errorf("TTFT = %v, want ≥ %v", reply.TTFT, ttft)
	}
	if reply.TTFB >= reply.TTFT || reply.TTFB >= ttft {
		t.Errorf("TTFB = %v, TTFT = %v; want TTFB (the data part) well before the mock's %v", reply.TTFB, reply.TTFT, ttft)
	}
	if reply.DataParts != 1 {
		t.Errorf("DataParts = %d, want 1", reply.DataParts)
	}
}

func TestClientAsync(t *testing.T) {
	ctx := context.Background()
	poll := helperapi.PollOptions{Interval: 10 * time.Millisecond, Timeout: 5 * time.Second}
	t.Run("reply", func(t *testing.T) {
		r := newRig(t, mockserver.Config{AsyncDelay: mockserver.Fixed(30 * time.Millisecond)})
		s := r.session(t, "ann@example.com")
		slug := conversation(t, s, false)
		id, _, err := s.PostMessage(ctx, slug, "Where is my order?")
		if err != nil || id <= 0 {
			t.Fatalf("PostMessage = %d, %v", id, err)
		}
		got, err := s.WaitForReply(ctx, slug, id, poll)
		if err != nil {
			t.Fatalf("WaitForReply: %v", err)
		}
		if got.Message == nil || got.Message.Role != "assistant" || got.Message.Content == "" || got.Polls < 1 {
			t.Errorf("WaitForReply = %+v, want an assistant message", got)
		}
		st := r.srv.Stats()
		if st.Messages.AsyncStarted != 1 || st.Messages.AsyncReplied != 1 || st.Reads.Gets != int64(got.Polls) || st.Reads.MarkedRead != 0 {
			t.Errorf("Stats() messages %+v reads %+v; want 1 started, 1 replied, %d GETs, none marking read", st.Messages, st.Reads, got.Polls)
		}
	})
	t.Run("no reply", func(t *testing.T) {
		r := newRig(t, mockserver.Config{AsyncNoReply: 1})
		s := r.session(t, "ann@example.com")
		slug := conversation(t, s, false)
		id, _, err := s.PostMessage(ctx, slug, "hello")
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.WaitForReply(ctx, slug, id, helperapi.PollOptions{Interval: 10 * time.Millisecond, Timeout: 150 * time.Millisecond})
		wantKind(t, "WaitForReply", err, helperapi.KindNoReply, -1) // the last GET may be cut short by the timeout
		if got == nil || got.Message != nil || got.Polls < 1 {
			t.Errorf("WaitForReply = %+v, want polls and no message", got)
		}
		if st := r.srv.Stats(); st.Messages.AsyncNoReply != 1 {
			t.Errorf("Stats().Messages.AsyncNoReply = %d, want 1", st.Messages.AsyncNoReply)
		}
	})
	t.Run("blank content", func(t *testing.T) {
		r := newRig(t, mockserver.Config{})
		s := r.session(t, "ann@example.com")
		_, _, err := s.PostMessage(ctx, conversation(t, s, false), "  ")
		if e := wantKind(t, "PostMessage", err, helperapi.KindHTTP4xx, 400); e.Msg != "Content is required" {
			t.Errorf("Msg = %q", e.Msg)
		}
	})
}

func TestClientListPaging(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, mockserver.Config{Tokens: mockserver.Range{Min: 2, Max: 2}})
	s := r.session(t, "ann@example.com")
	want := map[string]bool{}
	for range 5 {
		slug := conversation(t, s, false)
		if _, err := s.SendMessage(ctx, slug, "hi", helperapi.MessageOptions{}); err != nil {
			t.Fatal(err)
		}
		want[slug] = true
	}
	conversation(t, s, false) // no messages: not listed
	var cursors []string
	var got []helperapi.ListedConversation
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		page, _, err := s.ListConversations(ctx, cursor, 2)
		if err != nil {
			t.Fatalf("ListConversations(%q, 2): %v", cursor, err)
		}
		got = append(got, page.Conversations...)
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
		cursors = append(cursors, cursor)
	}
	if strings.Join(cursors, ",") != "2,4" || len(got) != 5 {
		t.Fatalf("cursors %v, %d rows; want [2 4], 5 rows", cursors, len(got))
	}
	for i, c := range got {
		if !want[c.Slug] || c.MessageCount != 2 || c.LatestMessageAt == nil {
			t.Errorf("row %d = %+v, want one of ours with 2 messages", i, c)
		}
		if i > 0 && c.LatestMessageAt.After(*got[i-1].LatestMessageAt) {
			t.Errorf("row %d is newer than row %d: want newest activity first", i, i-1)
		}
		delete(want, c.Slug)
	}
}

// checkNoSecrets looks for the secret and every token seen on the wire in
// all that client and server printed or returned.
func checkNoSecrets(t *testing.T, r *rig, returned []string, sessions ...*helperapi.Session) {
	t.Helper()
	var all strings.Builder
	for _, s := range returned {
		all.WriteString(s + "\n")
	}
	logger := slog.New(slog.NewTextHandler(&all, nil))
	logger.Info("client", "client", r.client, "sessions", sessions)
	fmt.Fprintf(&all, "%v %+v %#v\n", r.client, r.client, r.client)
	for _, s := range sessions {
		fmt.Fprintf(&all, "%v %+v %#v\n", s, s, s)
	}
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	for _, path := range []string{"/stats", "/metrics"} {
		resp, err := hc.Get(r.url + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		all.Write(b)
	}
	all.WriteString(r.out.String())
	text := all.String()
	tokens := r.wire.all()
	if len(tokens) == 0 {
		t.Fatal("no tokens recorded on the wire")
	}
	for _, secret := range append(tokens, itSecret) {
		if strings.Contains(text, secret) {
			t.Errorf("a secret or token appears in what client and server print or return")
		}
	}
	if !strings.Contains(r.out.String(), "mockserver: rejected") {
		t.Errorf("the mock's debug log is empty; the check read nothing from it")
	}
}

func TestNothingPrintsSecrets(t *testing.T) {
	// Every path at once, with every error and log collected.
	ctx := context.Background()
	r := newRig(t, mockserver.Config{Tokens: mockserver.Range{Min: 3, Max: 3}, DataPart: 0.5, ToolStep: 0.5, AsyncDelay: mockserver.Fixed(time.Millisecond)})
	faulty := newRig(t, mockserver.Config{Tokens: mockserver.Range{Min: 3, Max: 3}, Faults: mockserver.Faults{Reset: 0.25, Truncate: 0.25, ErrorPart: 0.25}})
	var seen errorTexts
	for _, rg := range []*rig{r, faulty} {
		ann, anon := rg.session(t, "ann@example.com"), rg.session(t, "")
		bob := rg.session(t, "bob@example.com")
		slug := conversation(t, ann, true)
		for range 6 {
			reply, err := ann.SendMessage(ctx, slug, "Where is my order?", helperapi.MessageOptions{KeepText: true})
			seen.add(reply, err)
		}
		_, err := bob.SendMessage(ctx, slug, "mine?", helperapi.MessageOptions{})
		seen.add(err)
		_, _, err = anon.GetConversation(ctx, slug)
		seen.add(err)
		id, _, err := ann.PostMessage(ctx, slug, "async")
		seen.add(err)
		got, err := ann.WaitForReply(ctx, slug, id, helperapi.PollOptions{Interval: 5 * time.Millisecond, Timeout: 2 * time.Second})
		seen.add(got, err)
		_, _, err = rg.client.ResumeSession("forged.token.value", "").ListConversations(ctx, "", 0)
		seen.add(err)
		page, _, err := ann.ListConversations(ctx, "", 0)
		seen.add(page, err)
		checkNoSecrets(t, rg, seen.texts, ann, anon, bob)
	}
}
