package helperapi

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var updateGolden = flag.Bool("update", false, "rewrite golden files in testdata")

// checkGolden compares got with testdata/name (go test -update rewrites it).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("body differs from %s:\n got %s\nwant %s", path, got, want)
	}
}

var bodyTime = time.Date(2026, 3, 1, 12, 0, 0, 123_000_000, time.UTC)

func TestChatBodyGolden(t *testing.T) {
	tests := []struct {
		golden  string
		content string
		body    ChatBody
	}{
		// components/widget/Conversation.tsx → useChat → POST /api/chat.
		{"chat_widget.json", `Where is my "order"?` + "\n", ChatBody{ChatID: "client_ab12cd", MessageID: "client_x9y8z7", CreatedAt: bodyTime}},
		{"chat_widget_attachments.json", "What does this error mean?", ChatBody{ChatID: "client_ab12cd", MessageID: "client_x9y8z8",
			CreatedAt: bodyTime, GuideEnabled: true, Attachments: []Attachment{
				{Name: "screenshot.png", ContentType: "image/png", URL: "data:image/png;base64,iVBORw0KGgo="},
				{Name: "invoice.pdf", ContentType: "application/pdf", URL: "data:application/pdf;base64,JVBERi0xLjQK"},
			}}},
		// @helperai/client chat.handler with tools.
		{"chat_sdk_tools.json", "Cancel order 1234", ChatBody{ChatID: "Ab3dEf6hIj9kLm0n", MessageID: "Zz1yXx2wVv3uTt4s", CreatedAt: bodyTime,
			Tools: map[string]Tool{
				"order_status": {Description: "Look up an order", Parameters: map[string]ToolParam{
					"order_id": {Type: "string", Description: "the order number"}}},
				"cancel_order": {Parameters: map[string]ToolParam{"order_id": {Type: "string"}, "refund": {Type: "number", Optional: true}},
					ServerRequestURL: "https://shop.example.com/api/helper/cancel"},
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			got := appendChatBody(nil, "c0ffee42", tt.content, &tt.body)
			if !json.Valid(got) {
				t.Fatalf("not JSON: %s", got)
			}
			checkGolden(t, tt.golden, append(got, '\n'))
		})
	}
}

func TestConversationBody(t *testing.T) {
	tests := []struct {
		subject  string
		isPrompt bool
		want     string
	}{
		{"", false, `{"isPrompt":false}`}, // the widget's typed chat: exactly this
		{"", true, `{"isPrompt":true}`},   // a prompt button
		{"Order \"42\"", false, `{"subject":"Order \"42\"","isPrompt":false}`},
	}
	for _, tt := range tests {
		if got := string(appendConversationBody(nil, tt.subject, tt.isPrompt)); got != tt.want {
			t.Errorf("appendConversationBody(%q, %v) = %s, want %s", tt.subject, tt.isPrompt, got, tt.want)
		}
	}
}
