package main

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/loadgen/loadgen/metrics"
	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/scenarios"
)

func TestThresholdHistogram(t *testing.T) {
	tests := []struct {
		expr string
		want metrics.HistogramName // "" for none
	}{
		{"message.ttft.p95 < 1.3s", metrics.TTFT},
		{"message.inter_token.p99 < 40ms", metrics.InterToken},
		{"session.latency.p50 < 100ms", metrics.Latency},
		{"message.ttfb.max < 3s", metrics.TTFB},
		{"schedule.lag.p99 < 50ms", metrics.Lag},
		{"message.latency_from_intended.p95 < 3s", ""},
		{"errors.rate < 1%", ""},
		{"message.goodput > 95%", ""},
	}
	for _, tt := range tests {
		th, err := report.ParseThreshold(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := thresholdHistogram(th); got != tt.want || ok != (tt.want != "") {
			t.Errorf("thresholdHistogram(%q) = %q, %v; want %q", tt.expr, got, ok, tt.want)
		}
	}
}

// TestBoundsBecomeEdges: an SLO bound and a threshold's bound are edges of
// their histograms, on top of metrics.buckets' own.
func TestBoundsBecomeEdges(t *testing.T) {
	sc, err := scenarios.Parse("t.yaml", []byte(`version: 1
name: edges
target: {base_url: "http://127.0.0.1:1"}
load: {users: 1, duration: 1s}
conversations: [{name: c, turns: [{message: hi}]}]
slo: {ttft: 1300ms}
metrics: {buckets: {ttft: [500ms, 1s, 2s]}}
`))
	if err != nil {
		t.Fatal(err)
	}
	th, err := report.ParseThreshold("message.ttft.p95 < 1.7s")
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New("edges", metricsOptions(sc, []*report.Threshold{th})...)
	m.Record(&results.Result{Conversation: "c", Step: results.StepMessage, TTFT: 1200 * time.Millisecond})
	want := `
# HELP loadgen_time_to_first_token_seconds Time from sending a message to the first non-empty text part of the reply.
# TYPE loadgen_time_to_first_token_seconds histogram
loadgen_time_to_first_token_seconds_bucket{conversation="c",scenario="edges",step="message",le="0.5"} 0
loadgen_time_to_first_token_seconds_bucket{conversation="c",scenario="edges",step="message",le="1"} 0
loadgen_time_to_first_token_seconds_bucket{conversation="c",scenario="edges",step="message",le="1.3"} 1
loadgen_time_to_first_token_seconds_bucket{conversation="c",scenario="edges",step="message",le="1.7"} 1
loadgen_time_to_first_token_seconds_bucket{conversation="c",scenario="edges",step="message",le="2"} 1
loadgen_time_to_first_token_seconds_bucket{conversation="c",scenario="edges",step="message",le="+Inf"} 1
loadgen_time_to_first_token_seconds_sum{conversation="c",scenario="edges",step="message"} 1.2
loadgen_time_to_first_token_seconds_count{conversation="c",scenario="edges",step="message"} 1
`
	if err := testutil.CollectAndCompare(m, strings.NewReader(want), "loadgen_time_to_first_token_seconds"); err != nil {
		t.Error(err)
	}
}
