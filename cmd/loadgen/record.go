package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/scenarios"
	"github.com/loadgen/loadgen/transcripts"
)

// recordOptions are the flags of `loadgen record`.
type recordOptions struct {
	target     string
	email      string
	secretFile string
	out        string
	limit      int
	timeout    time.Duration
}

// recordPage is how many conversations a list request asks for (Helper's maximum).
const recordPage = 100

func runRecord(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o recordOptions
	fs := newFlags("record", "--target URL --email EMAIL [flags]", stdout, stderr)
	fs.about = "Saves a customer's conversations from a Helper deployment as a transcript (loadgen JSONL) " +
		"that a scenario can replay with their original timing (conversations[].transcript)."
	fs.examples = []string{"loadgen record --target https://helper.example.com --email jane@example.com --out data/jane.jsonl"}
	fs.env = []string{scenarios.DefaultSecretEnv + "\tthe mailbox's HMAC secret (or --secret-file); never printed"}
	fs.StringVar(&o.target, "target", "", "base `URL` of the Helper deployment (required)")
	fs.StringVar(&o.email, "email", "", "record the conversations of the customer with this `EMAIL` (required; a session only sees its own)")
	fs.StringVar(&o.secretFile, "secret-file", "", "read the HMAC secret from `PATH` instead of $"+scenarios.DefaultSecretEnv)
	fs.StringVar(&o.out, "out", "", "write the transcript to `FILE` (default stdout)")
	fs.IntVar(&o.limit, "limit", 0, "record at most `N` conversations, the oldest first (default all)")
	fs.DurationVar(&o.timeout, "timeout", 60*time.Second, "per request timeout")
	if err := fs.parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() != 0:
		fs.hint()
		return usageError(errors.New("no arguments expected"))
	case o.target == "" || o.email == "":
		fs.hint()
		return usageError(errors.New("--target and --email are required"))
	case o.limit < 0:
		return usageError(fmt.Errorf("--limit: want 0 or more, got %d", o.limit))
	}
	secret, err := recordSecret(o.secretFile)
	if err != nil {
		return usageError(err)
	}
	client, err := helperapi.New(o.target, helperapi.WithSecret(secret), helperapi.WithTimeout(o.timeout))
	if err != nil {
		return usageError(err)
	}
	w := stdout
	var f *os.File
	if o.out != "" {
		if f, err = os.Create(o.out); err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	convs, msgs, err := record(ctx, client, o.email, o.limit, w)
	if err != nil {
		return err
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return fmt.Errorf("write %s: %w", o.out, err)
		}
	}
	fmt.Fprintf(stderr, "recorded %d conversations (%d messages)\n", convs, msgs)
	return nil
}

// recordSecret reads the HMAC secret from path, or from the default env var.
func recordSecret(path string) (string, error) {
	if path != "" {
		return readSecretFile(path)
	}
	if s := os.Getenv(scenarios.DefaultSecretEnv); s != "" {
		return s, nil
	}
	return "", fmt.Errorf("no HMAC secret: set %s or use --secret-file", scenarios.DefaultSecretEnv)
}

// record signs in as email, lists its conversations and writes each, the
// oldest first (so that a replay with start: original can stream them), as
// loadgen transcript JSONL to w.
func record(ctx context.Context, client *helperapi.Client, email string, limit int, w io.Writer) (convs, msgs int, err error) {
	sess, _, err := client.CreateSession(ctx, helperapi.SessionRequest{Email: email})
	if err != nil {
		return 0, 0, fmt.Errorf("record: sign in: %w", err)
	}
	var list []helperapi.ListedConversation
	for cursor := ""; ; {
		page, _, err := sess.ListConversations(ctx, cursor, recordPage)
		if err != nil {
			return 0, 0, fmt.Errorf("record: list conversations: %w", err)
		}
		list = append(list, page.Conversations...)
		if page.NextCursor == nil || *page.NextCursor == cursor {
			break
		}
		cursor = *page.NextCursor
	}
	slices.Reverse(list) // the list is newest activity first: ties in createdAt keep a likely order
	slices.SortStableFunc(list, func(a, b helperapi.ListedConversation) int { return a.CreatedAt.Compare(b.CreatedAt) })
	if limit > 0 && len(list) > limit {
		list = list[:limit]
	}
	tw := transcripts.NewWriter(w)
	for _, cs := range list {
		conv, _, err := sess.GetConversation(ctx, cs.Slug)
		if err != nil {
			return convs, msgs, fmt.Errorf("record: conversation %s: %w", cs.Slug, err)
		}
		tc := &transcripts.Conversation{ID: conv.Slug, Subject: cmp.Or(conv.Subject, cs.Subject), Email: email}
		for _, m := range conv.Messages {
			tc.Messages = append(tc.Messages, transcripts.Message{Role: transcripts.Role(m.Role), Content: m.Content, At: m.CreatedAt})
		}
		if tc.ID == "" {
			tc.ID = cs.Slug
		}
		if err := tw.Write(tc); err != nil {
			return convs, msgs, fmt.Errorf("record: %w", err)
		}
		convs++
		msgs += len(tc.Messages)
	}
	if err := tw.Flush(); err != nil {
		return convs, msgs, fmt.Errorf("record: write: %w", err)
	}
	return convs, msgs, nil
}
