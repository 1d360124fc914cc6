package stats

import (
	"fmt"
	"testing"
	"time"

	"github.com/loadgen/loadgen/results"
)

func TestConversationStats(t *testing.T) {
	a := New()
	for i, conv := range []string{"faq", "faq", "billing"} {
		a.SessionStartedAt(conv, time.Unix(100, 0))
		a.Record(&results.Result{Conversation: conv, Step: results.StepMessage, Start: time.Unix(100, 0),
			Latency: time.Duration(i+1) * time.Second, TTFT: 200 * time.Millisecond, Tokens: 10, Good: i == 0})
		a.Record(&results.Result{Conversation: conv, Step: results.StepAck, Start: time.Unix(101, 0), Error: results.KindHTTP5xx})
		a.SessionEndedAt(conv, results.EndFailed, time.Unix(102, 0))
	}
	s := a.Snapshot()
	faq, billing := s.Conversations["faq"], s.Conversations["billing"]
	if faq == nil || billing == nil || len(s.Conversations) != 2 {
		t.Fatalf("conversations = %v; want faq and billing", s.Conversations)
	}
	got := fmt.Sprint(faq.Sessions, faq.Requests, faq.Errors, faq.Sent, faq.Good, faq.Tokens, faq.Latency.Count(), faq.Latency.Max(), faq.TTFT.Count())
	if want := "{2 0 2 0} 4 2 4 1 20 2 2s 2"; got != want {
		t.Errorf("faq: %s, want %s (sessions, requests, errors, sent, good, tokens, latency count and max, TTFT count)", got, want)
	}
	if billing.Latency.Max() != 3*time.Second || billing.Good != 0 {
		t.Errorf("billing: latency max %v, good %d; want 3s, 0", billing.Latency.Max(), billing.Good)
	}
}

func TestConversationsBounded(t *testing.T) {
	a := New()
	for i := range MaxConversations + 5 {
		a.Record(&results.Result{Conversation: fmt.Sprint("c", i), Step: results.StepSession})
	}
	s := a.Snapshot()
	if len(s.Conversations) != MaxConversations+1 || s.Conversations[OtherConversation].Requests != 5 {
		t.Errorf("%d conversations, other has %v; want %d and the 5 past the bound", len(s.Conversations),
			s.Conversations[OtherConversation], MaxConversations+1)
	}
}
