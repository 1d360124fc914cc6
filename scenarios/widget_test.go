package scenarios

import (
	"reflect"
	"testing"
	"time"
)

func TestParseWidgetVocabulary(t *testing.T) {
	src := head + `widget: {sdk: 10%, preflight: true, unread: 0.05, page_url: "https://shop.example.com/p/{{.Seq}}"}
conversations:
  - name: browse
    weight: 7
    visit: {page_views: 3, think: 20s}
  - name: chat
    page_views: 2
    guide_enabled: true
    turns:
      - message: "Here is a screenshot"
        attachments:
          - {type: image, size: 200KB}
          - {type: pdf, size: 1.5MiB, count: 2, name: "invoice-{{.Turn}}.pdf"}
      - react: {}
        share: 30%
      - open: {mark_read: false}
      - history: {pages: 3}
        think: 2s
      - mark_read:
      - unread: true
      - page_view: {open: false}
  - name: sdk
    tools:
      order_status:
        description: Look up an order
        parameters: {order_id: {type: string, description: the number}, amount: {type: number, optional: true}}
        server_request_url: https://shop.example.com/api/helper
    customer_specific_tools: true
    mode: async
    poll: {interval: 1s, timeout: 30s, backoff: 2, max_interval: 8s}
    turns: [{message: hi}]
`
	s, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	w := s.Widget
	if w.SDK != 0.1 || !w.Preflight || w.Unread != 0.05 || w.PageURL.String() != "https://shop.example.com/p/{{.Seq}}" {
		t.Errorf("Widget = %+v", w)
	}
	browse, chat, sdk := s.Conversations[0], s.Conversations[1], s.Conversations[2]
	if browse.Visit == nil || *browse.Visit != (VisitSpec{PageViews: 3, Think: Think{Kind: ThinkFixed, Mean: 20 * time.Second}}) || browse.Turns != nil || browse.Weight != 7 {
		t.Errorf("visit = %+v %+v", browse, browse.Visit)
	}
	if chat.PageViews != 2 || !chat.GuideEnabled || chat.Subject != nil {
		t.Errorf("chat = %+v", chat)
	}
	kinds := []StepKind{}
	for _, turn := range chat.Turns {
		kinds = append(kinds, turn.Kind)
	}
	if want := []StepKind{StepMessage, StepReact, StepOpen, StepHistory, StepMarkRead, StepUnread, StepPageView}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("kinds = %v, want %v", kinds, want)
	}
	atts := chat.Turns[0].Attachments
	if len(atts) != 2 || atts[0].Type != "png" || atts[0].Size != 200_000 || atts[0].Count != 1 ||
		atts[1].Type != "pdf" || atts[1].Size != 1_572_864 || atts[1].Count != 2 || atts[1].Name.String() != "invoice-{{.Turn}}.pdf" {
		t.Errorf("attachments = %+v", atts)
	}
	for i, want := range []struct {
		share float64
		opts  StepOptions
		think Think
	}{
		{1, StepOptions{MarkRead: true, Pages: 1, Reopen: true}, Think{}},
		{0.3, StepOptions{MarkRead: true, Pages: 1, Reopen: true}, Think{}},
		{1, StepOptions{MarkRead: false, Pages: 1, Reopen: true}, Think{}},
		{1, StepOptions{MarkRead: true, Pages: 3, Reopen: true}, Think{Kind: ThinkFixed, Mean: 2 * time.Second}},
		{1, StepOptions{MarkRead: true, Pages: 1, Reopen: true}, Think{}},
		{1, StepOptions{MarkRead: true, Pages: 1, Reopen: true}, Think{}},
		{1, StepOptions{MarkRead: true, Pages: 1, Reopen: false}, Think{}},
	} {
		got := chat.Turns[i]
		if i > 0 && got.Options != want.opts || got.Share != want.share || got.Think != want.think {
			t.Errorf("turn %d = %+v, want share %g, options %+v, think %+v", i, got, want.share, want.opts, want.think)
		}
	}
	wantTools := map[string]ToolSpec{"order_status": {Description: "Look up an order", ServerRequestURL: "https://shop.example.com/api/helper",
		Parameters: map[string]ToolParamSpec{"order_id": {Type: "string", Description: "the number"}, "amount": {Type: "number", Optional: true}}}}
	if !reflect.DeepEqual(sdk.Tools, wantTools) || !sdk.CustomerSpecificTools {
		t.Errorf("tools = %+v", sdk.Tools)
	}
	if sdk.Poll != (PollSpec{Interval: time.Second, Timeout: 30 * time.Second, Backoff: 2, MaxInterval: 8 * time.Second}) {
		t.Errorf("poll = %+v", sdk.Poll)
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"4096", 4096, true}, {"200KB", 200_000, true}, {"200 kb", 200_000, true}, {"1.5MiB", 1_572_864, true},
		{"2MB", 2_000_000, true}, {"300KiB", 307_200, true}, {"10B", 10, true},
		{"", 0, false}, {"KB", 0, false}, {"1.2.3KB", 0, false}, {"5 parsecs", 0, false}, {"-3KB", 0, false}, {"99GB", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"200KB", "1.5MiB", "4096", "", ".", "1e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := ParseSize(s); err == nil && n < 0 {
			t.Errorf("ParseSize(%q) = %d", s, n)
		}
	})
}
