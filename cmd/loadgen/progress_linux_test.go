package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/loadgen/loadgen/internal/testutil"
)

// openPTY returns a pseudo-terminal pair 250 columns wide.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 250}); err != nil {
		t.Fatal(err)
	}
	return m, s
}

// drainScenario runs 2 users for 1s whose second turn comes 2s after the
// first reply: when the duration ends both are thinking, so the run drains
// for the grace period (until the second turns are done).
const drainScenario = `version: 1
name: drain
target: {base_url: "http://127.0.0.1:1"}
users: {email: "d-{{.Seq}}@example.com"}
load: {users: 2, duration: 1s}
conversations:
  - name: c
    turns:
      - message: hi
      - message: again
        think: 2s
`

func writeDrainScenario(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "drain.yaml")
	if err := os.WriteFile(p, []byte(drainScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestProgressOnATerminal runs loadgen with its stderr on a pseudo-terminal,
// as a person would, and reads the screen: the progress line has its bar
// and figures, and after the duration it shows the drain with the grace
// period counting down.
func TestProgressOnATerminal(t *testing.T) {
	master, tty := openPTY(t)
	defer master.Close()
	var screen testutil.SyncBuffer
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); io.Copy(&screen, master) }()

	_, url := e2eMock(t)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	var stdout bytes.Buffer
	// 3 s, not the scenario's 1 s: the progress lines while running come
	// every 500 ms, and a busy machine may not have a first reply (a TTFT
	// to show) by the first of them.
	code := Main(context.Background(), []string{"run", "--target", url, "--grace", "5s", "--duration", "3s", writeDrainScenario(t)}, &stdout, tty)
	tty.Close() // the reader sees the end once the terminal is closed
	wg.Wait()
	out := screen.String()
	if code != exitOK {
		t.Fatalf("exit code %d\n%s", code, out)
	}
	lines := strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\r")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`\[#+\.+\] [0-2]s/3s running · users 2 · sessions [1-9][0-9]*: [0-9]+ ok, 0 failed, 0 canceled · [1-9][0-9.]* req/s, [1-9][0-9.]* msg/s · errors 0\.0% · TTFT p95 \(last 5s\) [0-9]+ms$`),
		regexp.MustCompile(`\[#{20}\] 3s/3s draining [0-9]s: sessions finishing, grace [1-5]s left · users [12] · `),
	} {
		found := false
		for _, l := range lines {
			found = found || want.MatchString(l)
		}
		if !found {
			t.Errorf("the terminal never showed a line like %q:\n%q", want, lines)
		}
	}
	if !strings.Contains(stdout.String(), "loadgen summary: drain") {
		t.Errorf("no summary on stdout:\n%s", stdout.String())
	}
	assertNoSecrets(t, out)
}

// TestInterruptOnATerminal: Ctrl-C on a terminal. The warning it logs
// starts a line of its own (it never lands at the end of the progress
// line), and the progress line comes back below it in the interrupted
// phase, counting the grace period down while the replies drain.
func TestInterruptOnATerminal(t *testing.T) {
	master, tty := openPTY(t)
	defer master.Close()
	var screen testutil.SyncBuffer
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); io.Copy(&screen, master) }()

	url := slowMock(t, 1500*time.Millisecond)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(700*time.Millisecond, cancel) // after the first progress line (500 ms)
	code := Main(ctx, []string{"run", "--target", url, "--grace", "5s", writeScenarioText(t, "interrupt.yaml", interruptScenario)},
		&bytes.Buffer{}, tty)
	tty.Close()
	wg.Wait()
	out := screen.String()
	if code != exitRunError {
		t.Fatalf("exit code %d, want %d\n%q", code, exitRunError, out)
	}
	// What stays on the screen: the text between line ends, after the last
	// carriage return of each (where the line was rewritten).
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n") {
		parts := strings.Split(l, "\r")
		lines = append(lines, strings.TrimPrefix(parts[len(parts)-1], "\033[K"))
	}
	var warned, interrupted bool
	for _, l := range lines {
		if strings.Contains(l, `msg="stopping`) {
			warned = true
			if !strings.HasPrefix(l, "level=WARN") {
				t.Errorf("the Ctrl-C warning does not start its line: %q", l)
			}
		}
	}
	for _, l := range strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\r") {
		// The figures are the runner's (its synctest tests hold them to
		// the nanosecond, TestProgressText and TestProgressAfterCtrlC
		// their text); here, how a busy machine times the Ctrl-C may move
		// them by a second.
		interrupted = interrupted || regexp.MustCompile(`\] [0-9]s/20s interrupted, draining [0-9]s: requests finishing, grace [1-5]s left · users [12] · `).MatchString(l)
	}
	if !warned || !interrupted {
		t.Errorf("want the Ctrl-C warning (%v) and a progress line in the interrupted phase (%v) on the terminal:\n%q", warned, interrupted, out)
	}
	assertNoSecrets(t, out)
}
