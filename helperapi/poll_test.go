package helperapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"
)

// asyncServer is a small fake of Helper's non-streaming path: a posted
// message gets an assistant reply after replyAfterGets GETs (never when < 0).
type asyncServer struct {
	t              *testing.T
	replyAfterGets int

	mu       sync.Mutex // guards the fields below; handlers run concurrently with the test
	messages []Message
	gets     int
	nextID   int64
}

func newAsyncServer(t *testing.T, replyAfterGets int) *asyncServer {
	return &asyncServer{t: t, replyAfterGets: replyAfterGets, nextID: 100,
		// An older reply that must not count as the answer to the new message.
		messages: []Message{{ID: "50", Role: "user", Content: "old"}, {ID: "51", Role: "assistant", Content: "old reply"}}}
}

func (s *asyncServer) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/chat/conversation/{slug}/message", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]string
		json.NewDecoder(r.Body).Decode(&body)
		if body["content"] == "" {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"Content is required"}`)
			return
		}
		s.mu.Lock()
		s.nextID++
		id := s.nextID
		s.messages = append(s.messages, Message{ID: strconv.FormatInt(id, 10), Role: "user", Content: body["content"]})
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"messageId":`+strconv.FormatInt(id, 10)+`,"conversationSlug":"`+r.PathValue("slug")+`"}`)
	})
	mux.HandleFunc("GET /api/chat/conversation/{slug}", func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.RawQuery; got != "markRead=false" {
			s.t.Errorf("GET conversation query = %q, want markRead=false", got)
		}
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			w.WriteHeader(401)
			io.WriteString(w, `{"error":"Invalid session token"}`)
			return
		}
		s.mu.Lock()
		s.gets++
		if s.gets == s.replyAfterGets {
			s.nextID++
			s.messages = append(s.messages, Message{ID: strconv.FormatInt(s.nextID, 10), Role: "assistant",
				Content: "Your order shipped.", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 678e6, time.UTC)})
		}
		conv := Conversation{Slug: r.PathValue("slug"), Subject: "Order", Messages: s.messages}
		b, _ := json.Marshal(conv)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	})
	return mux
}

func TestPostMessageAndWaitForReply(t *testing.T) {
	srv := newAsyncServer(t, 3)
	_, s := newTestSession(t, srv.handler())
	ctx := context.Background()
	id, tm, err := s.PostMessage(ctx, "conv/1", "Where is my order?")
	if err != nil || id != 101 || tm.Status != 200 {
		t.Fatalf("PostMessage() = %d, %+v, %v; want 101, status 200, nil", id, tm, err)
	}
	r, err := s.WaitForReply(ctx, "conv/1", id, PollOptions{Interval: 5 * time.Millisecond, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("WaitForReply() = %v", err)
	}
	if r.Polls != 3 || r.Message == nil || r.Message.ID != "102" || r.Message.Role != "assistant" {
		t.Errorf("WaitForReply() = %d polls, message %+v; want 3 polls and assistant message 102", r.Polls, r.Message)
	}
	if r.Status != 200 || r.BytesIn == 0 || r.Total <= 0 || r.Start.IsZero() {
		t.Errorf("WaitForReply() Timing = %+v, want status 200, bytes in, Start and Total set", r.Timing)
	}
}

func TestWaitForReplyNoReply(t *testing.T) {
	srv := newAsyncServer(t, -1)
	_, s := newTestSession(t, srv.handler())
	ctx := context.Background()
	id, _, err := s.PostMessage(ctx, "c", "hello")
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.WaitForReply(ctx, "c", id, PollOptions{Interval: 10 * time.Millisecond, Timeout: 150 * time.Millisecond})
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindNoReply || e.Op != opPoll {
		t.Fatalf("WaitForReply() error = %v, want kind %q op %q", err, KindNoReply, opPoll)
	}
	if r.Polls < 1 || r.Message != nil || r.Total < 150*time.Millisecond {
		t.Errorf("WaitForReply() = %d polls, message %v, Total %v; want >= 1 poll, no message, Total >= timeout",
			r.Polls, r.Message, r.Total)
	}
}

func TestWaitForReplyErrors(t *testing.T) {
	t.Run("failed GET", func(t *testing.T) {
		srv := newAsyncServer(t, 1)
		c, _ := newTestSession(t, srv.handler())
		bad := c.ResumeSession("expired", "")
		r, err := bad.WaitForReply(context.Background(), "c", 101, PollOptions{Interval: time.Millisecond, Timeout: 5 * time.Second})
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindAuth || e.Op != opPoll || e.Msg != "Invalid session token" {
			t.Fatalf("WaitForReply() error = %v, want auth from the GET with op %q", err, opPoll)
		}
		if r.Polls != 1 || r.Status != 401 {
			t.Errorf("WaitForReply() = %d polls, status %d; want 1, 401", r.Polls, r.Status)
		}
	})
	t.Run("caller cancel", func(t *testing.T) {
		srv := newAsyncServer(t, -1)
		_, s := newTestSession(t, srv.handler())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := s.WaitForReply(ctx, "c", 101, PollOptions{Interval: time.Millisecond, Timeout: 5 * time.Second})
		if got := KindOf(err); got != KindCanceled {
			t.Errorf("WaitForReply(canceled ctx) error = %v (kind %q), want %q", err, got, KindCanceled)
		}
	})
}

func TestReplyAfter(t *testing.T) {
	msgs := []Message{
		{ID: "10", Role: "user"}, {ID: "11", Role: "assistant"},
		{ID: "20", Role: "user"}, {ID: "21", Role: "user"}, {ID: "22", Role: "staff"},
	}
	tests := []struct {
		name    string
		afterID int64
		want    string // "" for none
	}{
		{"first reply after the message", 10, "11"},
		{"skips later user messages", 20, "22"},
		{"nothing after the last one", 22, ""},
		{"message not listed: numeric ids above", 15, "22"},
		{"message not listed: none above", 99, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if m := replyAfter(msgs, strconv.FormatInt(tt.afterID, 10), tt.afterID); m != nil {
				got = m.ID
			}
			if got != tt.want {
				t.Errorf("replyAfter(msgs, %d) = %q, want %q", tt.afterID, got, tt.want)
			}
		})
	}
}

func TestPostMessageFailures(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		want       Kind
	}{
		{"string messageId", `{"messageId":"101"}`, 200, KindProtocol},
		{"no messageId", `{"conversationSlug":"c"}`, 200, KindProtocol},
		{"not JSON", `<html>`, 200, KindProtocol},
		{"blank content", `{"error":"Content is required"}`, 400, KindHTTP4xx},
		{"unknown conversation", `{"error":"Conversation not found"}`, 404, KindHTTP4xx},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, s := newTestSession(t, streamHandler(http.Header{"Content-Type": {"application/json"}}, tt.status, tt.body))
			id, _, err := s.PostMessage(context.Background(), "c", "x")
			if got := KindOf(err); id != 0 || got != tt.want {
				t.Errorf("PostMessage() = %d, %v (kind %q); want 0 and kind %q", id, err, got, tt.want)
			}
		})
	}
}

func TestConversations(t *testing.T) {
	var createBody map[string]any
	var listQueries []string
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/chat/conversation", func(w http.ResponseWriter, r *http.Request) {
		createBody = nil
		json.NewDecoder(r.Body).Decode(&createBody)
		io.WriteString(w, `{"conversationSlug":"slug-1"}`)
	})
	mux.HandleFunc("GET /api/chat/conversation/{slug}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("slug") != "slug 1" || r.URL.RawQuery != "markRead=false" {
			t.Errorf("GET %s, want slug \"slug 1\" with markRead=false", r.URL)
		}
		io.WriteString(w, `{"slug":"slug 1","subject":"Order","isEscalated":true,"messages":[`+
			`{"id":"1","role":"user","content":"hi","createdAt":"2026-01-02T03:04:05.678Z","reactions":null},`+
			`{"id":"2","role":"staff","content":"hello","createdAt":"2026-01-02T03:05:00.000Z","staffName":"Sam"}],`+
			`"experimental_guideSessions":[]}`)
	})
	mux.HandleFunc("GET /api/chat/conversations", func(w http.ResponseWriter, r *http.Request) {
		listQueries = append(listQueries, r.URL.RawQuery)
		if r.URL.Query().Get("cursor") == "" {
			io.WriteString(w, `{"conversations":[{"slug":"a","subject":"A","createdAt":"2026-01-02T03:04:05.000Z",`+
				`"latestMessage":"hi","latestMessageAt":"2026-01-02T03:04:06.000Z","messageCount":2,"isEscalated":false,"isUnread":true}],"nextCursor":"1"}`)
			return
		}
		io.WriteString(w, `{"conversations":[{"slug":"b","subject":"B","createdAt":"2026-01-01T00:00:00.000Z",`+
			`"latestMessage":null,"latestMessageAt":null,"messageCount":0,"isEscalated":false,"isUnread":false}],"nextCursor":null}`)
	})
	_, s := newTestSession(t, mux)
	ctx := context.Background()

	slug, tm, err := s.CreateConversation(ctx, "Order status", true)
	if err != nil || slug != "slug-1" || tm.Status != 200 {
		t.Fatalf("CreateConversation() = %q, %+v, %v; want slug-1", slug, tm, err)
	}
	if want := map[string]any{"subject": "Order status", "isPrompt": true}; !reflect.DeepEqual(createBody, want) {
		t.Errorf("create body = %v, want %v", createBody, want)
	}
	if _, _, err := s.CreateConversation(ctx, "", false); err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"isPrompt": false}; !reflect.DeepEqual(createBody, want) {
		t.Errorf("create body without subject = %v, want %v", createBody, want)
	}

	conv, _, err := s.GetConversation(ctx, "slug 1")
	if err != nil {
		t.Fatalf("GetConversation() = %v", err)
	}
	want := &Conversation{Slug: "slug 1", Subject: "Order", IsEscalated: true, Messages: []Message{
		{ID: "1", Role: "user", Content: "hi", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 678e6, time.UTC)},
		{ID: "2", Role: "staff", Content: "hello", CreatedAt: time.Date(2026, 1, 2, 3, 5, 0, 0, time.UTC), StaffName: "Sam"},
	}}
	if !reflect.DeepEqual(conv, want) {
		t.Errorf("GetConversation() = %+v, want %+v", conv, want)
	}

	var slugs []string
	cursor := ""
	for range 3 {
		page, _, err := s.ListConversations(ctx, cursor, 1)
		if err != nil {
			t.Fatalf("ListConversations(%q, 1) = %v", cursor, err)
		}
		for _, c := range page.Conversations {
			slugs = append(slugs, c.Slug)
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	if want := []string{"a", "b"}; !reflect.DeepEqual(slugs, want) {
		t.Errorf("listed slugs = %v, want %v", slugs, want)
	}
	if want := []string{"limit=1", "cursor=1&limit=1"}; !reflect.DeepEqual(listQueries, want) {
		t.Errorf("list queries = %q, want %q", listQueries, want)
	}
	if _, _, err := s.ListConversations(ctx, "", 0); err != nil || listQueries[len(listQueries)-1] != "" {
		t.Errorf("ListConversations(\"\", 0) = %v, query %q; want no parameters", err, listQueries[len(listQueries)-1])
	}
}
