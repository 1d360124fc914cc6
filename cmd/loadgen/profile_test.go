package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProfileCommand(t *testing.T) {
	log := filepath.Join("..", "..", "accesslog", "testdata", "access.log")
	snippet := filepath.Join(t.TempDir(), "profiled.yaml")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"profile", "--snippet", snippet, log}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("loadgen profile: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	// The fixture's known counts (accesslog/testdata/README.md).
	for _, want := range []string{
		"216 read, 210 requests, 5 bad (skipped)",
		"  session                60",
		"  message                30",
		"  chats (C, conversations)   12  20.0% of page views",
		"  line 151: ",
		"Scenario written to " + snippet,
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	stdout.Reset()
	if code := Main(context.Background(), []string{"validate", snippet}, &stdout, &stderr); code != 0 {
		t.Errorf("loadgen validate of the profiled scenario: exit %d\n%s", code, stdout.String())
	}
}

func TestProfileBadInput(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.log")
	os.WriteFile(junk, []byte("junk\n\x00\x01\nnot a log\n"), 0o644)
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), []string{"profile", junk}, &stdout, &stderr); code != 1 ||
		!strings.Contains(stdout.String(), "3 bad (skipped)") || !strings.Contains(stderr.String(), "no request could be read") {
		t.Errorf("profile of garbage: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	for _, args := range [][]string{{"profile"}, {"profile", "a", "b"}, {"profile", "--bad-lines", "0", junk}, {"profile", "--attachment-bytes", "lots", junk}} {
		if code := Main(context.Background(), args, &stdout, &stderr); code != 2 {
			t.Errorf("loadgen %v: exit %d, want 2", args, code)
		}
	}
	if code := Main(context.Background(), []string{"profile", filepath.Join(dir, "missing.log")}, &stdout, &stderr); code != 1 {
		t.Errorf("profile of a missing file: exit %d, want 1", code)
	}
}
