package mockserver

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestPreAppFaults(t *testing.T) {
	tests := []struct {
		name           string
		faults         Faults
		wantCode       int
		wantBody       string
		wantRetryAfter string
		want           FaultStats
	}{
		{"429", Faults{RateLimited: 1, RetryAfter: 1500 * time.Millisecond}, 429, "Too Many Requests\n", "2", FaultStats{RateLimited: 1}},
		{"429 default Retry-After", Faults{RateLimited: 1}, 429, "Too Many Requests\n", "1", FaultStats{RateLimited: 1}},
		{"5xx", Faults{Error5xx: 1}, 503, "Service Unavailable\n", "", FaultStats{Error5xx: 1}},
		{"slow headers", Faults{SlowHeaders: 1, SlowHeadersDelay: 30 * time.Millisecond}, 200, "", "", FaultStats{SlowHeaders: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := startMock(t, Config{Faults: tt.faults})
			start := time.Now()
			code, h, body := m.do("POST", "/api/widget/session", "", `{}`)
			elapsed := time.Since(start)
			if code != tt.wantCode || (tt.wantBody != "" && body != tt.wantBody) {
				t.Errorf("POST session: %d %q, want %d %q", code, body, tt.wantCode, tt.wantBody)
			}
			if got := h.Get("Retry-After"); got != tt.wantRetryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tt.wantRetryAfter)
			}
			if tt.faults.SlowHeadersDelay > 0 && elapsed < tt.faults.SlowHeadersDelay {
				t.Errorf("answered after %v, want ≥ %v", elapsed, tt.faults.SlowHeadersDelay)
			}
			if got := m.srv.Stats().Faults; got != tt.want {
				t.Errorf("Stats().Faults = %+v, want %+v", got, tt.want)
			}
			if got := m.srv.Stats().Sessions.Anonymous; (code == 200) != (got == 1) {
				t.Errorf("Stats().Sessions.Anonymous = %d after status %d", got, code)
			}
		})
	}
}

// streamWith starts a mock with stream faults f and returns it with a
// token and a conversation (stream faults touch only model replies).
func streamWith(t *testing.T, f Faults) (*mock, string, string) {
	t.Helper()
	m := startMock(t, Config{Tokens: Range{6, 6}, Faults: f})
	token := m.session("ann@example.com")
	slug := m.conversation(token, `{}`)
	return m, token, slug
}

func TestStreamFaults(t *testing.T) {
	tests := []struct {
		name      string
		faults    Faults
		wantErr   bool   // the body read fails (connection reset)
		wantShape string // prefixes of what arrived
		want      FaultStats
	}{
		{"reset", Faults{Reset: 1}, true, "f 0+", FaultStats{Reset: 1}},
		{"truncate", Faults{Truncate: 1}, false, "f 0+", FaultStats{Truncate: 1}},
		{"error part", Faults{ErrorPart: 1}, false, "f 0+ 3", FaultStats{ErrorPart: 1}},
		{"stall", Faults{Stall: 1, StallFor: 30 * time.Millisecond}, false, "f 0+ e d 8", FaultStats{Stall: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, token, slug := streamWith(t, tt.faults)
			start := time.Now()
			resp := m.request("POST", "/api/chat", token, chatBody(slug, "hi"))
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			elapsed := time.Since(start)
			if (err != nil) != tt.wantErr {
				t.Fatalf("read body: err %v, want error %v", err, tt.wantErr)
			}
			body := string(b)
			if tt.wantErr {
				// What arrived before the reset ends at a line boundary.
				body = body[:strings.LastIndexByte(body, '\n')+1]
			}
			parts := parseParts(t, body)
			got := prefixes(parts)
			if got != tt.wantShape && !(tt.wantShape == "f 0+" && got == "f 0") && !(tt.wantShape == "f 0+ 3" && got == "f 0 3") {
				t.Errorf("parts %q, want %q\n%s", got, tt.wantShape, body)
			}
			if tt.name == "error part" && parts[len(parts)-1].payload != `"Error generating AI response"` {
				t.Errorf("error part %s", parts[len(parts)-1].payload)
			}
			if tt.faults.StallFor > 0 && elapsed < tt.faults.StallFor {
				t.Errorf("stalled stream took %v, want ≥ %v", elapsed, tt.faults.StallFor)
			}
			// After a reset the client can see the broken connection before
			// the handler returns.
			waitFor(t, "the handler to end", func() bool { return m.srv.Stats().InFlight == 0 })
			st := m.srv.Stats()
			if st.Faults != tt.want {
				t.Errorf("Stats().Faults = %+v, want %+v", st.Faults, tt.want)
			}
			wantDone := int64(0)
			if tt.name == "stall" {
				wantDone = 1
			}
			if st.Messages.StreamCompleted != wantDone {
				t.Errorf("Stats().Messages.StreamCompleted = %d, want %d", st.Messages.StreamCompleted, wantDone)
			}
		})
	}
}

func TestResetIsAReset(t *testing.T) {
	m, token, slug := streamWith(t, Faults{Reset: 1})
	resp := m.request("POST", "/api/chat", token, chatBody(slug, "hi"))
	defer resp.Body.Close()
	_, err := io.ReadAll(resp.Body)
	if err == nil || errors.Is(err, io.EOF) {
		t.Fatalf("read body: %v, want a broken connection", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d, want 200 (the reset comes mid-stream)", resp.StatusCode)
	}
}

func TestFaultShares(t *testing.T) {
	// With a share of one half, both outcomes appear within 200 requests
	// (the chance of either never appearing is 2⁻¹⁹⁹).
	m := startMock(t, Config{Faults: Faults{Error5xx: 0.5}})
	codes := map[int]int{}
	for range 200 {
		code, _, _ := m.do("POST", "/api/widget/session", "", `{}`)
		codes[code]++
	}
	if codes[200] == 0 || codes[503] == 0 || codes[200]+codes[503] != 200 {
		t.Errorf("status counts %v, want both 200 and 503", codes)
	}
	if got := m.srv.Stats().Faults.Error5xx; got != int64(codes[503]) {
		t.Errorf("Stats().Faults.Error5xx = %d, want %d", got, codes[503])
	}
}

// A client that gives up while its response is held back (slow headers) is
// not served afterwards: the mock counts only what a client could receive,
// so a load test's counts can agree with its own exactly. (Before the body
// was read first, net/http did not notice the client leaving, and the
// session was created and counted once the hold ended.)
func TestSlowHeadersClientGone(t *testing.T) {
	const hold = 300 * time.Millisecond
	m := startMock(t, Config{Faults: Faults{SlowHeaders: 1, SlowHeadersDelay: hold}})
	ctx, cancel := context.WithTimeout(context.Background(), hold/6)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.ts.URL+"/api/widget/session", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := m.client.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("POST session answered %d before the client gave up", resp.StatusCode)
	}
	time.Sleep(2 * hold) // past the hold: a handler that missed the client leaving has answered by now
	if st := m.srv.Stats(); st.Sessions.Anonymous != 0 || st.Faults.SlowHeaders != 1 {
		t.Errorf("after the client gave up: %d anonymous sessions, %d slow headers; want 0 and 1", st.Sessions.Anonymous, st.Faults.SlowHeaders)
	}
}
