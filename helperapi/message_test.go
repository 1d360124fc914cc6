package helperapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadgen/loadgen/helperapi/internal/streamtest"
	"github.com/loadgen/loadgen/helperapi/stream"
)

func TestSendMessage(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		chunks []string
		kind   Kind   // of the error, "" for none
		msg    string // the error's Msg
		want   stream.Parts
	}{
		{
			name:   "model reply, lines split across writes",
			header: dataStreamHeader,
			chunks: []string{"f:{\"messageId\":\"m\"}\n0:\"Hel", "lo\"\n0", ":\" there\"\nd:{\"finishReason\":\"st", "op\"}\n"},
			want:   stream.Parts{Shape: ShapeModel, TextParts: 2, Chars: 11, Steps: 1, FinishReason: "stop", Text: "Hello there"},
		},
		{
			name:   "many parts in one write, parts after d",
			header: dataStreamHeader,
			chunks: []string{streamtest.ModelReply},
			want: stream.Parts{Shape: ShapeModel, TextParts: 3, Chars: 25, Steps: 1, Usage: Usage{PromptTokens: 10, CompletionTokens: 3}, HasUsage: true,
				FinishReason: "stop", MessageID: "43", Text: "Sure, your order shipped."},
		},
		{
			name:   "data part first",
			header: dataStreamHeader,
			chunks: []string{"2:[{\"status\":\"searching\"}]\n", "f:{}\n", "0:\"ok\"\n", "e:{}\n", "d:{}\n"},
			want:   stream.Parts{Shape: ShapeModel, TextParts: 1, Chars: 2, DataParts: 1, Steps: 1, Text: "ok"},
		},
		{
			name:   "single shot",
			header: dataStreamHeader,
			chunks: []string{"8:[{\"id\":\"77\"}]\n", "0:\"Our team will get back to you.\"\n"},
			want:   stream.Parts{Shape: ShapeSingleShot, TextParts: 1, Chars: 30, MessageID: "77", Text: "Our team will get back to you."},
		},
		{
			name:   "empty",
			header: dataStreamHeader,
			chunks: []string{"8:[{\"id\":\"78\"}]\n0:\"\"\n"},
			want:   stream.Parts{Shape: ShapeEmpty, MessageID: "78"},
		},
		{
			name:   "truncated",
			header: dataStreamHeader,
			chunks: []string{"f:{}\n", "0:\"half\"\n"},
			kind:   KindStreamTruncated,
			msg:    "a step started but the message did not finish",
			want:   stream.Parts{TextParts: 1, Chars: 4, Steps: 1, Text: "half"},
		},
		{
			name:   "error part with status 200",
			header: dataStreamHeader,
			chunks: []string{"f:{}\n", "3:\"Error generating AI response\"\n"},
			kind:   KindStreamError,
			msg:    "Error generating AI response",
			want:   stream.Parts{Steps: 1},
		},
		{
			name:   "a long error part is shortened",
			header: dataStreamHeader,
			chunks: []string{"f:{}\n3:\"" + strings.Repeat("é", 150) + "\"\n"},
			kind:   KindStreamError,
			msg:    strings.Repeat("é", 100) + "…",
			want:   stream.Parts{Steps: 1},
		},
		{
			name:   "text/plain without the header is sniffed",
			header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}},
			chunks: []string{"f:{}\n0:\"sniffed\"\nd:{}\n"},
			want:   stream.Parts{Shape: ShapeModel, TextParts: 1, Chars: 7, Steps: 1, Text: "sniffed"},
		},
		{
			name:   "SSE",
			header: http.Header{"Content-Type": {"text/event-stream"}},
			chunks: []string{"data: {\"type\":\"text\",\"text\":\"Hi\"}\n\n", "data: [DONE]\n\n"},
			want:   stream.Parts{Shape: ShapeModel, TextParts: 1, Chars: 2, Text: "Hi"},
		},
		{
			name:   "JSON",
			header: http.Header{"Content-Type": {"application/json"}},
			chunks: []string{`{"text":"whole"}`},
			want:   stream.Parts{Shape: ShapeSingleShot, TextParts: 1, Chars: 5, Text: "whole"},
		},
		{
			name:   "unexpected content type",
			header: http.Header{"Content-Type": {"text/html"}},
			chunks: []string{"<html></html>"},
			kind:   KindProtocol,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, s := newTestSession(t, streamHandler(tt.header, http.StatusOK, tt.chunks...))
			r, err := s.SendMessage(context.Background(), "conv-1", "Where is my order?", MessageOptions{KeepText: true})
			if r == nil {
				t.Fatalf("SendMessage() returned a nil Reply")
			}
			var kind Kind
			var msg string
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("SendMessage() error %T %v, want *Error", err, err)
				}
				kind, msg = e.Kind, e.Msg
				if e.Op != opMessage || e.Status != http.StatusOK {
					t.Errorf("SendMessage() error Op, Status = %q, %d; want %q, 200", e.Op, e.Status, opMessage)
				}
			}
			if kind != tt.kind || msg != tt.msg {
				t.Errorf("SendMessage() error Kind, Msg = %q, %q; want %q, %q", kind, msg, tt.kind, tt.msg)
			}
			got := r.Parts
			got.TTFT, got.Gaps = 0, nil // timings depend on the reads
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SendMessage() Parts\n got %+v\nwant %+v", got, tt.want)
			}
			if r.Status != http.StatusOK || r.BytesOut == 0 || r.Total < r.Headers {
				t.Errorf("SendMessage() Timing = %+v; want status 200, bytes sent, Total >= Headers", r.Timing)
			}
			if kind != KindProtocol && r.BytesIn == 0 {
				t.Errorf("SendMessage() BytesIn = 0, want the body's bytes")
			}
			if r.TextParts > 0 && !(r.Headers <= r.TTFB && r.TTFB <= r.TTFT && r.TTFT <= r.Total) {
				t.Errorf("SendMessage() Headers %v, TTFB %v, TTFT %v, Total %v; want them in that order",
					r.Headers, r.TTFB, r.TTFT, r.Total)
			}
		})
	}
}

func TestSendMessageRequest(t *testing.T) {
	var bodies []map[string]any
	var auth []string
	h := func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/chat" {
			t.Errorf("request %s %s, want POST /api/chat", r.Method, r.URL.Path)
		}
		if got := r.Header.Get("Content-Type"); got != "application/json" {
			t.Errorf("Content-Type = %q, want application/json", got)
		}
		auth = append(auth, r.Header.Get("Authorization"))
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			t.Errorf("request body: %v", err)
		}
		bodies = append(bodies, m)
		streamHandler(dataStreamHeader, 200, "8:[{\"id\":\"1\"}]\n0:\"x\"\n")(w, r)
	}
	_, s := newTestSession(t, http.HandlerFunc(h), WithHeader("X-Test", "yes"))
	for range 2 {
		if _, err := s.SendMessage(context.Background(), "conv-9", "Hi \"there\"\n", MessageOptions{}); err != nil {
			t.Fatalf("SendMessage() = %v", err)
		}
	}
	for i, b := range bodies {
		// The widget's body (chatbody.go; its bytes are in testdata/chat_widget.json).
		if got, want := keys(b), []string{"conversationSlug", "guideEnabled", "id", "isToolResult", "message", "readPageTool"}; !reflect.DeepEqual(got, want) {
			t.Errorf("body %d keys = %v, want %v (never customerInfoUrl)", i, got, want)
		}
		msg, _ := b["message"].(map[string]any)
		if got, want := keys(msg), []string{"content", "createdAt", "id", "parts", "role"}; !reflect.DeepEqual(got, want) {
			t.Errorf("body %d message keys = %v, want %v", i, got, want)
		}
		if id, _ := msg["id"].(string); !regexp.MustCompile(`^client_[0-9a-z]{6}$`).MatchString(id) || b["id"] != bodies[0]["id"] {
			t.Errorf("body %d ids: chat %v, message %v; want the widget's client_xxxxxx, one chat id per session", i, b["id"], msg["id"])
		}
		if b["conversationSlug"] != "conv-9" || msg["role"] != "user" || msg["content"] != "Hi \"there\"\n" {
			t.Errorf("body %d = %v, want slug conv-9, role user, the content as sent", i, b)
		}
		if auth[i] != "Bearer "+testToken {
			t.Errorf("Authorization = %q, want the Bearer token", auth[i])
		}
	}
	if len(bodies) == 2 {
		id0, id1 := bodies[0]["message"].(map[string]any)["id"], bodies[1]["message"].(map[string]any)["id"]
		if id0 == id1 || id0 == "" {
			t.Errorf("message ids %v and %v, want two different non-empty ids", id0, id1)
		}
	}
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// TestTTFTAfterDataPart: with an immediate data part and the first text part
// 100 ms later, TTFB is small and TTFT is at least the delay. The server
// sends the text only once the client has read the data part: a client
// that a busy machine held back for the 100 ms would otherwise read both
// at once, and TTFB would rightly equal TTFT.
func TestTTFTAfterDataPart(t *testing.T) {
	const delay = 100 * time.Millisecond
	firstRead := make(chan struct{})
	h := func(w http.ResponseWriter, r *http.Request) {
		for k, v := range dataStreamHeader {
			w.Header()[k] = v
		}
		io.WriteString(w, "2:[{\"status\":\"searching\"}]\n")
		w.(http.Flusher).Flush()
		select {
		case <-firstRead:
		case <-r.Context().Done():
			return
		}
		time.Sleep(delay) // the server's "retrieval" time, not a timing assertion
		io.WriteString(w, "f:{}\n0:\"Hi\"\n0:\" there\"\nd:{}\n")
	}
	hc := &http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err == nil {
			resp.Body = &signalingBody{ReadCloser: resp.Body, read: firstRead}
		}
		return resp, err
	})}
	_, s := newTestSession(t, http.HandlerFunc(h), WithHTTPClient(hc))
	r, err := s.SendMessage(context.Background(), "c", "hi", MessageOptions{})
	if err != nil {
		t.Fatalf("SendMessage() = %v", err)
	}
	if r.TTFT < delay {
		t.Errorf("TTFT = %v, want >= %v (the server's delay before the first text part)", r.TTFT, delay)
	}
	if !(r.TTFB > 0 && r.TTFB < r.TTFT) {
		t.Errorf("TTFB = %v, TTFT = %v; want 0 < TTFB < TTFT (the data part comes first)", r.TTFB, r.TTFT)
	}
	if r.DataParts != 1 || r.TextParts != 2 || len(r.Gaps) != 1 {
		t.Errorf("DataParts, TextParts, len(Gaps) = %d, %d, %d; want 1, 2, 1", r.DataParts, r.TextParts, len(r.Gaps))
	}
}

// hijackHandler writes a chunked data stream response by hand, then closes
// the connection in the middle of the body (with a reset when rst is set).
func hijackHandler(t *testing.T, rst bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		conn, bufrw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("Hijack() = %v", err)
			return
		}
		bufrw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n" +
			"X-Vercel-AI-Data-Stream: v1\r\nTransfer-Encoding: chunked\r\n\r\n")
		chunk := "f:{}\n0:\"par\"\n0:\"ti"
		fmt.Fprintf(bufrw, "%x\r\n%s\r\n", len(chunk), chunk)
		bufrw.Flush()
		if rst {
			conn.(*net.TCPConn).SetLinger(0)
		}
		conn.Close()
	}
}

func TestSendMessageConnectionLost(t *testing.T) {
	t.Run("closed mid-body", func(t *testing.T) {
		_, s := newTestSession(t, hijackHandler(t, false))
		r, err := s.SendMessage(context.Background(), "c", "hi", MessageOptions{KeepText: true})
		if got := KindOf(err); got != KindNetwork {
			t.Fatalf("SendMessage() error = %v (kind %q), want kind %q", err, got, KindNetwork)
		}
		if r.TextParts != 1 || r.Text != "par" || r.TTFB == 0 || r.Shape != "" {
			t.Errorf("Reply = %+v; want what arrived before the break: 1 text part \"par\", TTFB set, no Shape", r)
		}
	})
	t.Run("reset", func(t *testing.T) {
		_, s := newTestSession(t, hijackHandler(t, true))
		_, err := s.SendMessage(context.Background(), "c", "hi", MessageOptions{})
		if got := KindOf(err); got != KindNetwork {
			t.Fatalf("SendMessage() error = %v (kind %q), want kind %q", err, got, KindNetwork)
		}
	})
	t.Run("close-delimited body ends cleanly without d", func(t *testing.T) {
		h := func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			conn, bufrw, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Errorf("Hijack() = %v", err)
				return
			}
			bufrw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"X-Vercel-AI-Data-Stream: v1\r\nConnection: close\r\n\r\nf:{}\n0:\"par\"\n")
			bufrw.Flush()
			conn.Close()
		}
		_, s := newTestSession(t, http.HandlerFunc(h))
		_, err := s.SendMessage(context.Background(), "c", "hi", MessageOptions{})
		if got := KindOf(err); got != KindStreamTruncated {
			t.Fatalf("SendMessage() error = %v (kind %q), want kind %q", err, got, KindStreamTruncated)
		}
	})
}

func TestSendMessageTimeoutMidStream(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) {
		streamHandler(dataStreamHeader, 200, "f:{}\n0:\"first\"\n")(w, r)
		<-r.Context().Done() // stall until the client gives up
	}
	_, s := newTestSession(t, http.HandlerFunc(h), WithTimeout(200*time.Millisecond))
	r, err := s.SendMessage(context.Background(), "c", "hi", MessageOptions{})
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindTimeout || e.Status != 200 {
		t.Fatalf("SendMessage() error = %v, want kind %q with status 200", err, KindTimeout)
	}
	if r.TextParts != 1 || r.TTFT == 0 || r.Total < 200*time.Millisecond {
		t.Errorf("Reply TextParts %d, TTFT %v, Total %v; want the part before the stall and Total >= the timeout",
			r.TextParts, r.TTFT, r.Total)
	}
}

func TestSendMessageHTTPError(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":"Invalid session token"}`)
	}
	_, s := newTestSession(t, http.HandlerFunc(h))
	r, err := s.SendMessage(context.Background(), "c", "hi", MessageOptions{})
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindAuth || e.Msg != "Invalid session token" || e.Status != 401 {
		t.Fatalf("SendMessage() error = %#v, want auth, 401, the server's message", err)
	}
	if r == nil || r.Status != 401 || r.Headers == 0 || r.Shape != "" {
		t.Errorf("Reply = %+v, want the measured 401 exchange", r)
	}
	if !strings.Contains(err.Error(), "helperapi: message: auth (status 401): Invalid session token") {
		t.Errorf("Error() = %q", err.Error())
	}
}

// TestSendMessageHTTP2 streams a reply over TLS through NewTransport, which
// must negotiate HTTP/2 when the server offers it.
func TestSendMessageHTTP2(t *testing.T) {
	var proto int
	h := func(w http.ResponseWriter, r *http.Request) {
		proto = r.ProtoMajor
		streamHandler(dataStreamHeader, 200, "f:{}\n0:\"over \"\n", "0:\"h2\"\nd:{}\n")(w, r)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(h))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	tr := NewTransport(4)
	tr.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	t.Cleanup(tr.CloseIdleConnections)
	c, err := New(srv.URL, WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.ResumeSession(testToken, "").SendMessage(context.Background(), "c", "hi", MessageOptions{KeepText: true})
	if err != nil || r.Shape != ShapeModel || r.Text != "over h2" {
		t.Fatalf("SendMessage() = %+v, %v; want a model reply \"over h2\"", r, err)
	}
	if proto != 2 {
		t.Errorf("server saw HTTP/%d, want HTTP/2", proto)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// signalingBody closes read after its first read that returned bytes.
type signalingBody struct {
	io.ReadCloser
	read chan struct{}
	once sync.Once
}

func (b *signalingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.once.Do(func() { close(b.read) })
	}
	return n, err
}
