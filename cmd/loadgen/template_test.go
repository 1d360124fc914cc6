package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnsentStepsFailTheRun: messages whose template failed for some feeder
// rows were never sent; the run says so and exits 1 instead of passing on
// the messages that were sent (before: exit 0, and the unsent messages
// counted as answered in 0 s, so message.latency.p95 < 100ms passed).
func TestUnsentStepsFailTheRun(t *testing.T) {
	_, target := e2eMock(t)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rows.csv"), []byte("topic\nbilling\n\"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sc := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(sc, []byte(`version: 1
name: tmpl
target: {base_url: "http://127.0.0.1:1"}
feeders: [{file: rows.csv, order: sequential}]
users: {email: "u-{{.Seq}}@example.com"}
load: {users: 2, duration: 1s}
conversations:
  - name: c
    turns: [{message: "about {{randInt 5 (len .Vars.topic)}}"}]
thresholds: [message.latency.p95 < 30s, errors.rate < 1%]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"run", "--quiet", "--target", target, "--grace", "0", sc}, &stdout, &stderr)
	if code != exitRunError {
		t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitRunError, stdout.String(), stderr.String())
	}
	for _, want := range []string{"steps were never sent: their templates failed to render", "randInt 5 0"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if want := "never sent: their templates failed to render (template)"; !strings.Contains(stdout.String(), want) {
		t.Errorf("the summary lacks %q:\n%s", want, stdout.String())
	}
	if n := strings.Count(stderr.String(), "template failed"); n > 5 {
		t.Errorf("%d log lines of failed templates, want at most 5", n)
	}
}
