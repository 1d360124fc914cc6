package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/mockserver"
	"github.com/loadgen/loadgen/transcripts"
)

func TestRecordWritesAReplayableTranscript(t *testing.T) {
	const secret, email = "record-test-secret", "rec@example.com"
	m, err := mockserver.New(mockserver.Config{Secret: secret, Tokens: mockserver.Range{Min: 2, Max: 2}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m)
	t.Cleanup(func() { srv.Close(); m.Close() })

	// Two conversations of the customer, and one of someone else.
	ctx := context.Background()
	client, err := helperapi.New(srv.URL, helperapi.WithSecret(secret), helperapi.WithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	sent := map[string][]string{"First": {"one", "two"}, "Second": {"three"}}
	for _, who := range []string{email, "other@example.com"} {
		sess, _, err := client.CreateSession(ctx, helperapi.SessionRequest{Email: who})
		if err != nil {
			t.Fatal(err)
		}
		for _, subject := range []string{"First", "Second"} {
			slug, _, err := sess.CreateConversation(ctx, subject, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, msg := range sent[subject] {
				if _, err := sess.SendMessage(ctx, slug, msg, helperapi.MessageOptions{}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}

	secretFile := filepath.Join(t.TempDir(), "secret")
	out := filepath.Join(t.TempDir(), "t.jsonl")
	if err := os.WriteFile(secretFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	code := Main(ctx, []string{"record", "--target", srv.URL, "--email", email, "--secret-file", secretFile, "--out", out}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("loadgen record exited %d: %s", code, stderr.String())
	}
	if want := "recorded 2 conversations (6 messages)\n"; stderr.String() != want {
		t.Errorf("stderr = %q, want %q", stderr.String(), want)
	}
	if strings.Contains(stderr.String()+stdout.String(), secret) {
		t.Errorf("output shows the secret")
	}

	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := transcripts.NewReader(f, transcripts.FormatJSONL, transcripts.WithStrict())
	for _, subject := range []string{"First", "Second"} { // the oldest first
		c, err := r.Next()
		if err != nil {
			t.Fatalf("reading the recorded transcript: %v", err)
		}
		var users []string
		for _, tr := range c.Turns() {
			users = append(users, tr.Content)
			if tr.Reference == "" {
				t.Errorf("%s: turn %q has no recorded reply", subject, tr.Content)
			}
		}
		if c.Subject != subject || c.Email != email || strings.Join(users, "|") != strings.Join(sent[subject], "|") {
			t.Errorf("recorded %q (%s) with user messages %q; want %q (%s) with %q", c.Subject, c.Email, users, subject, email, sent[subject])
		}
	}
	if _, err := r.Next(); err == nil {
		t.Errorf("the transcript holds more than the customer's 2 conversations")
	}
}

func TestRecordUsage(t *testing.T) {
	var stderr strings.Builder
	if code := Main(context.Background(), []string{"record", "--target", "http://127.0.0.1:1"}, new(strings.Builder), &stderr); code != exitUsage {
		t.Errorf("loadgen record without --email exited %d, want %d", code, exitUsage)
	}
}
