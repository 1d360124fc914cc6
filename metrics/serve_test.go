package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// serve starts a Server for a registry holding sample data and stops it at
// the end of the test.
func serve(t *testing.T) *Server {
	t.Helper()
	reg := NewRegistry()
	m := New("demo", WithRunID("run-1"), WithVersion("dev"))
	if err := m.Register(reg); err != nil {
		t.Fatalf("Register() error = %v", err)
	}
	sample(m)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Serve(ctx, "127.0.0.1:0", reg)
	if err != nil {
		t.Fatalf("Serve() error = %v", err)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.Done():
		case <-time.After(10 * time.Second):
			t.Error("server did not shut down within 10s of its context ending")
		}
		if err := s.Err(); err != nil {
			t.Errorf("Err() = %v, want nil after a clean shutdown", err)
		}
	})
	return s
}

func scrape(t *testing.T, url, accept string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200", url, resp.StatusCode)
	}
	return resp, body
}

func TestServeFormats(t *testing.T) {
	s := serve(t)
	if !strings.HasPrefix(s.Addr(), "127.0.0.1:") || strings.HasSuffix(s.Addr(), ":0") {
		t.Errorf("Addr() = %q, want 127.0.0.1 and the bound port", s.Addr())
	}
	tests := []struct {
		name, accept, wantType, wantBody string
	}{
		{"text", "text/plain", "text/plain", "loadgen_run_info{"},
		{"openmetrics", "application/openmetrics-text; version=1.0.0", "application/openmetrics-text", "# EOF"},
		{"go collector", "text/plain", "text/plain", "go_goroutines "},
		{"process collector", "text/plain", "text/plain", "process_cpu_seconds_total "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := scrape(t, s.URL(), tt.accept)
			if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, tt.wantType) {
				t.Errorf("Content-Type = %q, want %s", got, tt.wantType)
			}
			if !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("body does not contain %q", tt.wantBody)
			}
		})
	}
}

// TestServeNativeHistograms scrapes like a Prometheus with native histograms
// enabled (protobuf) and checks the native buckets arrive.
func TestServeNativeHistograms(t *testing.T) {
	s := serve(t)
	resp, body := scrape(t, s.URL(),
		"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited")
	dec := expfmt.NewDecoder(strings.NewReader(string(body)), expfmt.ResponseFormat(resp.Header))
	var found bool
	for {
		var mf dto.MetricFamily
		if err := dec.Decode(&mf); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatalf("Decode() error = %v", err)
		}
		if mf.GetName() != "loadgen_time_to_first_token_seconds" {
			continue
		}
		h := mf.GetMetric()[0].GetHistogram()
		found = true
		if len(h.GetPositiveSpan()) == 0 || len(h.GetPositiveDelta()) == 0 {
			t.Errorf("TTFT histogram has no native buckets: spans %v deltas %v", h.GetPositiveSpan(), h.GetPositiveDelta())
		}
		if len(h.GetBucket()) == 0 {
			t.Error("TTFT histogram has no classic buckets")
		}
	}
	if !found {
		t.Error("loadgen_time_to_first_token_seconds not in the protobuf scrape")
	}
}

func TestServeListenError(t *testing.T) {
	s := serve(t)
	if _, err := Serve(context.Background(), s.Addr(), NewRegistry()); err == nil {
		t.Errorf("Serve(%q) on a bound port: error = nil, want one", s.Addr())
	}
	if _, err := Serve(context.Background(), "127.0.0.1:99999", NewRegistry()); err == nil {
		t.Error("Serve(bad address): error = nil, want one")
	}
}

func TestServeOnlyMetricsPath(t *testing.T) {
	s := serve(t)
	resp, err := http.Get("http://" + s.Addr() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET / status = %d, want 404", resp.StatusCode)
	}
}

func TestAwaitScrape(t *testing.T) {
	s := serve(t)
	scrape(t, s.URL(), "text/plain") // a scrape before the wait does not count

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.AwaitScrape(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("AwaitScrape() with no scrape = %v, want context.DeadlineExceeded", err)
	}

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- s.AwaitScrape(ctx)
	}()
	// Scrape until the waiter has seen one that began after it registered.
	for {
		scrape(t, s.URL(), "text/plain")
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("AwaitScrape() = %v, want nil after a scrape", err)
			}
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}
