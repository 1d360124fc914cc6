package mockserver_test

import (
	"context"
	"testing"
	"time"

	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/internal/attachment"
	"github.com/loadgen/loadgen/mockserver"
)

// TestClientWidgetJourney runs every request a widget sends, with the real
// client against the real mock, and holds the mock's counts per route
// against the calls made.
func TestClientWidgetJourney(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, mockserver.Config{Tokens: mockserver.Range{Min: 3, Max: 3}, SDKSize: 5000})
	const page = "https://shop.example.com/orders/42"

	tm, err := r.client.FetchSDK(ctx)
	if err != nil || tm.Status != 200 || tm.BytesIn != 5000 {
		t.Fatalf("FetchSDK = %+v, %v; want 200 and 5000 bytes", tm, err)
	}
	if tm, err := r.client.Preflight(ctx, "/api/widget/session", "POST", page); err != nil || tm.Status != 204 {
		t.Fatalf("Preflight = %+v, %v; want 204", tm, err)
	}
	s, _, err := r.client.CreateSession(ctx, helperapi.SessionRequest{Email: "ann@example.com", PageURL: page})
	if err != nil {
		t.Fatal(err)
	}
	slug, _, err := s.CreateConversation(ctx, "", false) // the widget's {"isPrompt":false}
	if err != nil {
		t.Fatal(err)
	}
	png, _ := attachment.File(attachment.PNG, 40_000, 1)
	reply, err := s.SendMessage(ctx, slug, "What does this error mean?", helperapi.MessageOptions{
		GuideEnabled: true,
		Attachments:  []helperapi.Attachment{{Name: "screenshot.png", ContentType: "image/png", URL: attachment.DataURL(attachment.PNG, png)}},
	})
	if err != nil || reply.MessageID == "" {
		t.Fatalf("SendMessage = %+v, %v; want a reply with its stored id", reply, err)
	}
	if _, err := s.React(ctx, slug, reply.MessageID); err != nil {
		t.Errorf("React: %v", err)
	}
	conv, _, err := s.OpenConversation(ctx, slug, true)
	if err != nil || len(conv.Messages) != 2 {
		t.Errorf("OpenConversation = %+v, %v; want 2 messages", conv, err)
	}
	page1, _, err := s.ListConversations(ctx, "", 0)
	if err != nil || len(page1.Conversations) != 1 {
		t.Errorf("ListConversations = %+v, %v", page1, err)
	}
	if _, err := s.MarkRead(ctx, slug); err != nil {
		t.Errorf("MarkRead: %v", err)
	}
	if n, _, err := s.UnreadCount(ctx); err != nil || n != 0 {
		t.Errorf("UnreadCount = %d, %v; want 0 after marking it read", n, err)
	}
	tools := map[string]helperapi.Tool{"order_status": {Description: "Look up an order", Parameters: map[string]helperapi.ToolParam{"id": {Type: "string"}}}}
	if _, err := s.SendMessage(ctx, slug, "Where is order 42?", helperapi.MessageOptions{Tools: tools}); err != nil {
		t.Errorf("SendMessage with tools: %v", err)
	}

	st := r.srv.Stats()
	for rt, want := range map[mockserver.Route]int64{
		mockserver.RouteSDK: 1, mockserver.RouteSessionPreflight: 1, mockserver.RouteSession: 1,
		mockserver.RouteCreateConversation: 1, mockserver.RouteChat: 2, mockserver.RouteReact: 1, mockserver.RouteOpen: 1,
		mockserver.RouteList: 1, mockserver.RouteMarkRead: 1, mockserver.RouteUnread: 1, mockserver.RoutePoll: 0,
	} {
		if got := st.Routes[rt]; got.Requests != want || got.Codes["200"]+got.Codes["204"] != want {
			t.Errorf("Stats().Routes[%s] = %+v, want %d answered with success", rt, got, want)
		}
	}
	if st.DefaultSubject != 1 || st.Chat.GuideEnabled != 1 || st.Chat.ToolsStored != 1 || st.Chat.MailboxOverwrites != 0 ||
		st.Attachments != (mockserver.AttachmentStats{Messages: 1, Files: 1, Bytes: 40_000}) || st.Reactions.ThumbsUp != 1 {
		t.Errorf("Stats() = %+v, want the widget's body: no subject, guideEnabled, one 40 000-byte file, tools once, a thumbs-up", st)
	}
}

// TestClientSparsePolling: with a backoff the poller reads less often.
func TestClientSparsePolling(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, mockserver.Config{AsyncDelay: mockserver.Fixed(300 * time.Millisecond), Tokens: mockserver.Range{Min: 1, Max: 1}})
	s := r.session(t, "ann@example.com")
	polls := func(opts helperapi.PollOptions) int {
		slug := conversation(t, s, false)
		id, _, err := s.PostMessage(ctx, slug, "hello")
		if err != nil {
			t.Fatal(err)
		}
		reply, err := s.WaitForReply(ctx, slug, id, opts)
		if err != nil {
			t.Fatalf("WaitForReply(%+v): %v", opts, err)
		}
		return reply.Polls
	}
	dense := polls(helperapi.PollOptions{Interval: 20 * time.Millisecond})
	sparse := polls(helperapi.PollOptions{Interval: 20 * time.Millisecond, Backoff: 3, MaxInterval: time.Second})
	if sparse >= dense || sparse > 6 {
		t.Errorf("polls: %d with backoff 3, %d without; want far fewer with it", sparse, dense)
	}
}
