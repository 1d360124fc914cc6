package dashboards

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/loadgen/loadgen/internal/testutil"
)

// TestBucketAccuracy runs `loadgen demo` (the mock's default latency model
// and demo.yaml) with a real Prometheus scraping it every second,
// and holds the whole run's p95 time to first token and inter-token gap from
// the classic buckets (histogram_quantile over the final cumulative counts)
// against the summary's HDR figures: each must be within 10 % of it and
// within the width of the bucket that holds it, whichever is smaller.
func TestBucketAccuracy(t *testing.T) {
	tool(t, "prometheus")
	addr := testutil.FreeAddr(t)
	prom := startPrometheus(t, false, map[string][]string{"loadgen": {addr}})
	bin := buildLoadgen(t)
	// The run need not wait for the first scrape: only the last one counts,
	// which --metrics-linger waits for.

	dir := t.TempDir()
	sumPath := filepath.Join(dir, "summary.json")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The whole demo (20 s): a p95 needs enough observations in its tail
	// for two estimators to agree (about 300 TTFTs, 10 000 gaps here).
	out, err := exec.CommandContext(ctx, bin, "demo", "--quiet", "--metrics-addr", addr,
		"--metrics-linger", "20s", "--summary-json", sumPath).CombinedOutput()
	if err != nil {
		t.Fatalf("loadgen demo: %v\n%s", err, out)
	}
	var sum struct {
		RunID string `json:"run_id"`
		Steps map[string]*struct {
			TTFT struct {
				Count int64
				P95   float64
			} `json:"ttft"`
			InterToken struct {
				Count int64
				P95   float64
			} `json:"inter_token"`
		} `json:"steps"`
	}
	b, err := os.ReadFile(sumPath)
	if err == nil {
		err = json.Unmarshal(b, &sum)
	}
	if err != nil || sum.Steps["message"] == nil {
		t.Fatalf("summary: %v\n%s", err, b)
	}
	at := lastScrape(t, prom, liveRun{summary: runSummary{RunID: sum.RunID}})
	msg := sum.Steps["message"]
	for _, c := range []struct {
		name, metric string
		hdr          float64
		count        int64
	}{
		{"TTFT", "loadgen_time_to_first_token_seconds", msg.TTFT.P95, msg.TTFT.Count},
		{"inter-token gap", "loadgen_inter_token_seconds", msg.InterToken.P95, msg.InterToken.Count},
	} {
		sel := fmt.Sprintf(`{scenario="demo", step="message", job="loadgen"}`)
		n, err := promValueAt(prom, "sum("+c.metric+"_count"+sel+")", at)
		if err != nil || int64(n) != c.count {
			t.Errorf("%s: Prometheus has %g observations, %v; the summary %d", c.name, n, err, c.count)
			continue
		}
		got, err := promValueAt(prom, "histogram_quantile(0.95, sum by (le) ("+c.metric+"_bucket"+sel+"))", at)
		if err != nil {
			t.Error(err)
			continue
		}
		lo, hi := bucketAround(t, prom, c.metric+"_bucket"+sel, c.hdr, at)
		tol := math.Min(0.10*c.hdr, hi-lo)
		t.Logf("%s p95: histogram_quantile %.4gs, HDR %.4gs (%+.1f%%); bucket (%g, %g], tolerance %.3gs",
			c.name, got, c.hdr, (got-c.hdr)/c.hdr*100, lo, hi, tol)
		if math.Abs(got-c.hdr) > tol {
			t.Errorf("%s p95 from the buckets = %.4gs, HDR %.4gs: off by %.3gs, more than %.3gs (10%% or the bucket (%g, %g], whichever is smaller)",
				c.name, got, c.hdr, math.Abs(got-c.hdr), tol, lo, hi)
		}
	}
}

// bucketAround returns the edges of the classic bucket of series sel that
// holds v.
func bucketAround(t *testing.T, addr, sel string, v float64, at time.Time) (lo, hi float64) {
	t.Helper()
	s, err := promQueryAt(addr, "sum by (le) ("+sel+")", at)
	if err != nil {
		t.Fatal(err)
	}
	var les []float64
	for _, x := range s {
		le, err := strconv.ParseFloat(x.Metric["le"], 64)
		if err == nil && !math.IsInf(le, 1) {
			les = append(les, le)
		}
	}
	sort.Float64s(les)
	for _, le := range les {
		if v <= le {
			return lo, le
		}
		lo = le
	}
	return lo, math.Inf(1)
}
