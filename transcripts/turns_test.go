package transcripts_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/loadgen/loadgen/transcripts"
)

func TestTurns(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	msg := func(r transcripts.Role, s int, content string) transcripts.Message {
		return transcripts.Message{Role: r, At: at(s), Content: content}
	}
	type turn struct {
		content, ref        string
		sincePrev, sinceRep time.Duration
	}
	tests := []struct {
		name string
		msgs []transcripts.Message
		want []turn
	}{
		{
			name: "user, replies, user",
			msgs: []transcripts.Message{
				msg(transcripts.User, 0, "Hi"),
				msg(transcripts.Assistant, 2, "Hello"),
				msg(transcripts.Assistant, 3, "How can I help?"),
				msg(transcripts.User, 10, "Refund"),
				msg(transcripts.Assistant, 12, "Done"),
			},
			want: []turn{
				{content: "Hi", ref: "Hello\n\nHow can I help?"},
				{content: "Refund", ref: "Done", sincePrev: 10 * time.Second, sinceRep: 7 * time.Second},
			},
		},
		{
			name: "greeting first, staff reply, two user messages in a row",
			msgs: []transcripts.Message{
				msg(transcripts.Assistant, 0, "Welcome"),
				msg(transcripts.User, 5, "a"),
				msg(transcripts.Staff, 65, "A human here"),
				msg(transcripts.User, 70, "b"),
				msg(transcripts.User, 75, "c"),
			},
			want: []turn{
				{content: "a", sincePrev: 5 * time.Second, sinceRep: 5 * time.Second},
				{content: "b", sincePrev: 65 * time.Second, sinceRep: 5 * time.Second},
				{content: "c", sincePrev: 5 * time.Second, sinceRep: 5 * time.Second},
			},
		},
		{
			name: "times going backwards give no negative gap",
			msgs: []transcripts.Message{msg(transcripts.User, 10, "a"), msg(transcripts.User, 5, "b")},
			want: []turn{{content: "a"}, {content: "b"}},
		},
		{
			name: "no times (ShareGPT)",
			msgs: []transcripts.Message{
				{Role: transcripts.User, Content: "a"}, {Role: transcripts.Assistant, Content: "r"}, {Role: transcripts.User, Content: "b"},
			},
			want: []turn{{content: "a", ref: "r"}, {content: "b"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &transcripts.Conversation{Messages: tc.msgs}
			var got []turn
			for _, tr := range c.Turns() {
				got = append(got, turn{tr.Content, tr.Reference, tr.SincePrevious, tr.SinceReply})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Turns():\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestSimilarity(t *testing.T) {
	tests := []struct {
		a, b     string
		min, max float64
	}{
		{"Your order shipped today.", "your ORDER shipped today!", 1, 1},
		{"Your order shipped today.", "Refunds take five days.", 0, 0},
		{"Your order shipped today.", "The order shipped yesterday.", 0.4, 0.6},
		{"", "", 1, 1},
		{"...", "words", 0, 0},
	}
	for _, tc := range tests {
		got := transcripts.Similarity(tc.a, tc.b)
		if got < tc.min-1e-9 || got > tc.max+1e-9 {
			t.Errorf("Similarity(%q, %q) = %.3f, want in [%g, %g]", tc.a, tc.b, got, tc.min, tc.max)
		}
		if back := transcripts.Similarity(tc.b, tc.a); back != got {
			t.Errorf("Similarity(%q, %q) = %.3f, not symmetric (%.3f the other way)", tc.b, tc.a, back, got)
		}
	}
}
