package faultmatrix

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"time"

	"github.com/loadgen/loadgen/internal/testutil"
)

// mockSecret is the HMAC secret the mock and (unless a case says otherwise)
// loadgen share.
const mockSecret = "faultmatrix-s3cret-9f2e"

// proc is a child process of the matrix: loadgen or the mock.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr *testutil.SyncBuffer
	start          time.Time
	done           chan struct{} // closed when the process was reaped
	end            time.Time     // set before done is closed
	err            error         // from Wait, set before done is closed
}

func startProc(cmd *exec.Cmd) (*proc, error) {
	p := &proc{cmd: cmd, stdout: new(testutil.SyncBuffer), stderr: new(testutil.SyncBuffer), done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	cmd.WaitDelay = 5 * time.Second
	p.start = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		p.err = cmd.Wait()
		p.end = time.Now()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// signal sends sig to the process (only this child, by its pid).
func (p *proc) signal(sig syscall.Signal) error {
	if p.exited() {
		return errors.New("process already ended")
	}
	return p.cmd.Process.Signal(sig)
}

// status returns the exit code, or the signal that killed the process.
func (p *proc) status() (code int, sig syscall.Signal) {
	<-p.done
	ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ok && ws.Signaled() {
		return -1, ws.Signal()
	}
	return p.cmd.ProcessState.ExitCode(), 0
}

// waitFor polls cond every 50 ms until it is true; an error when timeout
// passes or stop is closed first.
func waitFor(timeout time.Duration, stop <-chan struct{}, what string, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("waited %v for %s", timeout, what)
		}
		select {
		case <-stop:
			return fmt.Errorf("the process ended while waiting for %s", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

// mock is one life of a `loadgen mock` process.
type mock struct {
	*proc
	addr string
}

var listeningRE = regexp.MustCompile(`listening on http://(\S+)`)

// startMock starts `loadgen mock` on addr (port 0: a free one) with flags
// and waits until it listens.
func startMock(ctx context.Context, addr string, flags []string) (*mock, error) {
	cmd := exec.CommandContext(ctx, loadgenBin, append([]string{"mock", "--addr", addr, "--log-level", "error"}, flags...)...)
	cmd.Env = append(os.Environ(), "HELPER_HMAC_SECRET="+mockSecret)
	p, err := startProc(cmd)
	if err != nil {
		return nil, err
	}
	m := &mock{proc: p}
	err = waitFor(30*time.Second, p.done, "the mock to listen", func() bool {
		if sm := listeningRE.FindStringSubmatch(p.stdout.String()); sm != nil {
			m.addr = sm[1]
			return true
		}
		return false
	})
	if err != nil {
		p.cmd.Process.Kill()
		return nil, fmt.Errorf("mock: %w; stderr: %s", err, p.stderr.String())
	}
	return m, nil
}

// mockStats is the part of the mock's GET /stats that the matrix compares.
type mockStats struct {
	Sessions struct {
		Email     int64 `json:"email"`
		Anonymous int64 `json:"anonymous"`
	} `json:"sessions"`
	Conversations int64 `json:"conversations"`
	Messages      struct {
		StreamStarted int64 `json:"stream_started"`
	} `json:"messages"`
	Rejections struct {
		BadHMAC        int64 `json:"bad_hmac"`
		StaleTimestamp int64 `json:"stale_timestamp"`
		MissingToken   int64 `json:"missing_token"`
		BadToken       int64 `json:"bad_token"`
	} `json:"rejections"`
	Faults struct {
		Error5xx    int64 `json:"error_5xx"`
		RateLimited int64 `json:"rate_limited"`
		SlowHeaders int64 `json:"slow_headers"`
		Reset       int64 `json:"reset"`
		Truncate    int64 `json:"truncate"`
		ErrorPart   int64 `json:"error_part"`
		Stall       int64 `json:"stall"`
	} `json:"faults"`
	InFlight int64 `json:"in_flight"`
	Queued   int64 `json:"queued"`
}

func (m *mock) stats() (mockStats, error) {
	var st mockStats
	body, err := httpGet("http://" + m.addr + "/stats")
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(body, &st)
}

// settledStats waits (a few seconds at most) until the mock has no reply in
// flight, so that requests of a client that died have ended, and returns
// its counts.
func (m *mock) settledStats() (mockStats, error) {
	var st mockStats
	var err error
	werr := waitFor(10*time.Second, m.done, "the mock to settle", func() bool {
		st, err = m.stats()
		return err == nil && st.InFlight == 0 && st.Queued == 0
	})
	return st, errors.Join(err, werr)
}

func httpGet(url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return b, err
}

// scraper scrapes a loadgen's /metrics every 100 ms while it runs and keeps
// the last answer: with --metrics-linger, loadgen answers one scrape that
// began after its last result before it exits, so the last answer holds
// the final values.
type scraper struct {
	mu    sync.Mutex // guards last and n
	last  []byte
	n     int
	ended chan struct{}
}

var metricsURLRE = regexp.MustCompile(`url=(http://\S+/metrics)`)

func scrape(p *proc) *scraper {
	s := &scraper{ended: make(chan struct{})}
	go func() {
		defer close(s.ended)
		var url string
		if waitFor(time.Minute, p.done, "the metrics URL", func() bool {
			sm := metricsURLRE.FindStringSubmatch(p.stderr.String())
			if sm != nil {
				url = sm[1]
			}
			return sm != nil
		}) != nil {
			return
		}
		for {
			if b, err := httpGet(url); err == nil {
				s.mu.Lock()
				s.last, s.n = b, s.n+1
				s.mu.Unlock()
			}
			select {
			case <-p.done:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return s
}

// result returns the last scrape and how many there were, once the
// process ended.
func (s *scraper) result() ([]byte, int) {
	<-s.ended
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last, s.n
}
