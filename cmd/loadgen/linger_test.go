package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadgen/loadgen/internal/testutil"
)

// lockedBuffer is a bytes.Buffer safe for a writer and a reader at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSummaryComesBeforeTheLinger: the summary is printed as soon as the
// run ends, not after --metrics-linger's wait for a last scrape (before, a
// second Ctrl-C during that wait lost the summary and every report), and a
// Ctrl-C after the run ends the wait with the run's own verdict.
func TestSummaryComesBeforeTheLinger(t *testing.T) {
	_, target := e2eMock(t)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	code := make(chan int, 1)
	go func() {
		code <- Main(ctx, []string{"run", "--quiet", "--target", target, "--duration", "300ms", "--grace", "0",
			"--metrics-addr", testutil.FreeAddr(t), "--metrics-linger", "10m", writeScenario(t, "message.ttft.p50 < 30s")}, &stdout, &stderr)
	}()
	deadline := time.Now().Add(time.Minute) // a bound on the test, not a timing assertion
	for !strings.Contains(stdout.String(), "loadgen summary") {
		select {
		case c := <-code:
			t.Fatalf("loadgen returned %d before printing its summary; stderr:\n%s", c, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no summary while waiting for a last scrape (--metrics-linger 10m); stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
		}
	}
	cancel() // Ctrl-C after the run: ends the wait
	select {
	case c := <-code:
		if c != exitOK {
			t.Errorf("exit code %d, want %d: the run itself was not interrupted\nstderr:\n%s", c, exitOK, stderr.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("Ctrl-C after the run did not end the wait for a last scrape")
	}
	if strings.Contains(stderr.String(), "requests in flight may finish") {
		t.Errorf("a Ctrl-C after the run logged the run's stopping message:\n%s", stderr.String())
	}
}
