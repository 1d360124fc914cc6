package dashboards

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/internal/testutil"
)

// startProcess starts a program that the test owns, stops it at cleanup and
// prints its output when the test failed. It returns the output so far
// (stdout and stderr together), which keeps growing while the program runs.
func startProcess(t *testing.T, path string, args ...string) *testutil.SyncBuffer {
	t.Helper()
	out := new(testutil.SyncBuffer)
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill() // only this child, by its pid
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s %s output:\n%s", path, strings.Join(args, " "), out.String())
		}
	})
	return out
}

// waitFor polls cond every 200 ms until it returns nil, failing the test
// with cond's last error after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting %v for %s: %v", timeout, what, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// httpGet returns the body of a 200 response to GET url.
func httpGet(ctx context.Context, url string, accept string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d: %s", url, resp.StatusCode, body)
	}
	return body, nil
}

// waitReady waits until GET url answers 200.
func waitReady(t *testing.T, url string) {
	t.Helper()
	waitFor(t, 30*time.Second, url, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err := httpGet(ctx, url, "")
		return err
	})
}

// sample is one element of a Prometheus instant vector.
type sample struct {
	Metric map[string]string
	Value  float64
	At     time.Time // the sample's timestamp (the evaluation time for an instant vector)
}

// promQuery evaluates expr at now through Prometheus's HTTP API at addr and
// returns the resulting samples (a scalar comes back as one sample, a range
// vector as each series' last sample).
func promQuery(addr, expr string) ([]sample, error) { return promQueryAt(addr, expr, time.Time{}) }

// promQueryAt is promQuery at time at (now when zero).
func promQueryAt(addr, expr string, at time.Time) ([]sample, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	q := url.Values{"query": {expr}}
	if !at.IsZero() {
		q.Set("time", strconv.FormatFloat(float64(at.UnixMilli())/1e3, 'f', 3, 64))
	}
	body, err := httpGet(ctx, "http://"+addr+"/api/v1/query?"+q.Encode(), "")
	if err != nil {
		return nil, err
	}
	var r struct {
		Status string
		Error  string
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		}
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("query %q: %w", expr, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %q: %s", expr, r.Error)
	}
	type series struct {
		Metric map[string]string
		Value  [2]any   // [unix seconds, "value"]
		Values [][2]any // a range vector's
	}
	var raw []series
	switch r.Data.ResultType {
	case "vector", "matrix":
		if err := json.Unmarshal(r.Data.Result, &raw); err != nil {
			return nil, fmt.Errorf("query %q: %w", expr, err)
		}
	case "scalar":
		raw = make([]series, 1)
		if err := json.Unmarshal(r.Data.Result, &raw[0].Value); err != nil {
			return nil, fmt.Errorf("query %q: %w", expr, err)
		}
	default:
		return nil, fmt.Errorf("query %q: result type %s, want vector, matrix or scalar", expr, r.Data.ResultType)
	}
	out := make([]sample, 0, len(raw))
	for _, s := range raw {
		if n := len(s.Values); n > 0 {
			s.Value = s.Values[n-1]
		}
		ts, _ := s.Value[0].(float64)
		str, _ := s.Value[1].(string)
		v, err := strconv.ParseFloat(str, 64)
		if err != nil {
			return nil, fmt.Errorf("query %q: value %v: %w", expr, s.Value[1], err)
		}
		out = append(out, sample{s.Metric, v, time.UnixMilli(int64(math.Round(ts * 1e3)))})
	}
	return out, nil
}

// promValue evaluates expr, which must give exactly one sample.
func promValue(addr, expr string) (float64, error) { return promValueAt(addr, expr, time.Time{}) }

// promValueAt is promValue at time at (now when zero).
func promValueAt(addr, expr string, at time.Time) (float64, error) {
	s, err := promQueryAt(addr, expr, at)
	if err != nil {
		return 0, err
	}
	if len(s) != 1 {
		return 0, fmt.Errorf("query %q: %d samples, want 1", expr, len(s))
	}
	return s[0].Value, nil
}
