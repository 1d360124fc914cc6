package mockserver

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// postAsync posts a non-streaming message and fails the test unless it is accepted.
func (m *mock) postAsync(token, slug, content string) {
	m.t.Helper()
	code, _, body := m.do("POST", "/api/chat/conversation/"+slug+"/message", token, `{"content":"`+content+`"}`)
	if code != http.StatusOK {
		m.t.Fatalf("POST message: %d %s", code, body)
	}
}

func TestAsyncReply(t *testing.T) {
	tests := []struct {
		name        string
		cfg         Config
		posts       int    // messages posted back to back
		wantReplied int64  // background replies stored
		wantSkipped int64  // jobs that stored none
		wantLast    string // the last stored message's content ("": any assistant text)
		wantRole    string
		escalated   bool
	}{
		{"reply", Config{}, 1, 1, 0, "", "assistant", false},
		{"no reply share", Config{AsyncNoReply: 1}, 1, 0, 1, "hello 0", "user", false},
		{"escalated by its own reply", Config{HumanShare: 1}, 1, 1, 0, escalatedText, "assistant", true},
		// The first job finds a newer message and skips, as Helper's does.
		{"newer message", Config{AsyncDelay: Fixed(50 * time.Millisecond)}, 2, 1, 1, "", "assistant", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := startMock(t, tt.cfg)
			ann := m.session("ann@example.com")
			slug := m.conversation(ann, `{}`)
			for i := range tt.posts {
				m.postAsync(ann, slug, "hello "+string(rune('0'+i)))
			}
			waitFor(t, "the jobs", func() bool { return m.srv.Stats().Stored.PendingAsync == 0 })
			st := m.srv.Stats()
			if st.Messages.AsyncReplied != tt.wantReplied || st.Messages.AsyncNoReply != tt.wantSkipped {
				t.Errorf("Stats().Messages = %+v, want %d replied, %d without reply", st.Messages, tt.wantReplied, tt.wantSkipped)
			}
			msgs := m.conversationMessages(ann, slug)
			last := msgs[len(msgs)-1]
			if last.Role != tt.wantRole || tt.wantLast != "" && last.Content != tt.wantLast || last.Content == "" {
				t.Errorf("last message = %+v, want role %s, content %q", last, tt.wantRole, tt.wantLast)
			}
			if tt.escalated {
				// Handed to a human: the next job stays out.
				m.postAsync(ann, slug, "still there?")
				waitFor(t, "the next job", func() bool { return m.srv.Stats().Stored.PendingAsync == 0 })
				if st := m.srv.Stats(); st.Messages.AsyncNoReply != 1 || st.Escalations != 1 {
					t.Errorf("after escalation: %+v, escalations %d; want the job skipped, 1 escalation", st.Messages, st.Escalations)
				}
			}
		})
	}
}

// Background replies wait for the same capacity as streamed ones.
func TestAsyncReplyTakesCapacity(t *testing.T) {
	m := startMock(t, Config{Capacity: 1, QueueLimit: 1, TTFT: Fixed(time.Minute), Tokens: Range{1, 1}})
	ann := m.session("ann@example.com")
	slug := m.conversation(ann, `{}`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", m.ts.URL+"/api/chat", strings.NewReader(chatBody(slug, "hold the slot")))
	req.Header.Set("Authorization", "Bearer "+ann)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, err := m.client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body) // until the cancel
			resp.Body.Close()
		}
	}()
	waitFor(t, "the stream to hold the slot", func() bool { return m.srv.Stats().InFlight == 1 })
	other := m.conversation(ann, `{}`)
	m.postAsync(ann, other, "queued behind it")
	waitFor(t, "the job to queue", func() bool { return m.srv.Stats().Queued == 1 })
	// The queue is full, but the job is not refused: a third generation is.
	if code, _, _ := m.chat(ann, other, "refused"); code != http.StatusServiceUnavailable {
		t.Errorf("chat with a full queue: %d, want 503", code)
	}
	cancel()
	<-done
	waitFor(t, "the job to take the slot", func() bool {
		st := m.srv.Stats()
		return st.InFlight == 1 && st.Queued == 0 && st.Stored.PendingAsync == 1
	})
}
