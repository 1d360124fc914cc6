package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A --metrics-addr that cannot be bound is a usage error before the run
// starts, not a panic (it was a nil dereference in outputs.close).
func TestRunMetricsAddrErrors(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	mock, url := e2eMock(t)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	for _, addr := range []string{taken.Addr().String(), "nonsense"} {
		var stdout, stderr strings.Builder
		code := Main(context.Background(), []string{"run", "--quiet", "--target", url, "--metrics-addr", addr,
			writeScenario(t, "message.ttft.p50 < 30s")}, &stdout, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), "--metrics-addr") {
			t.Errorf("run --metrics-addr %s: exit %d, stderr %q; want %d and an error naming --metrics-addr", addr, code, stderr.String(), exitUsage)
		}
	}
	if st := mock.Stats(); st.Sessions.Email+st.Sessions.Anonymous != 0 {
		t.Errorf("the mock saw %+v sessions: the run started although /metrics could not be served", st.Sessions)
	}
}

// --secret-file reads at most a small file: /dev/zero or a log given by
// mistake is an error that names the file and never prints its content.
func TestSecretFileIsBounded(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, []byte(strings.Repeat(secretMarker, 10000)), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/dev/zero": "/dev/zero: larger than 64 KiB, the limit for a secret file",
		big:         big + ": larger than 64 KiB",
		empty:       empty + " is empty",
	} {
		var stdout, stderr strings.Builder
		code := Main(context.Background(), []string{"run", "--secret-file", path, writeScenario(t, "message.ttft.p50 < 30s")}, &stdout, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), want) {
			t.Errorf("run --secret-file %s: exit %d, stderr %q; want %d and %q", path, code, stderr.String(), exitUsage, want)
		}
		if strings.Contains(stdout.String()+stderr.String(), secretMarker) {
			t.Errorf("run --secret-file %s printed the file's content", path)
		}
	}
}
