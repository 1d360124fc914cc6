package main

import (
	"strings"
	"time"

	"github.com/loadgen/loadgen/metrics"
	"github.com/loadgen/loadgen/report"
	"github.com/loadgen/loadgen/scenarios"
)

// metricsOptions shapes a run's Prometheus metrics from its scenario: the
// SLO bounds (loadgen_slo_seconds), the classic bucket edges of
// metrics.buckets, and every SLO and threshold bound on a duration added as
// an edge of its histogram, so that "within 2 s" is read off a bucket
// exactly instead of interpolated.
func metricsOptions(sc *scenarios.Scenario, ths []*report.Threshold) []metrics.Option {
	opts := []metrics.Option{
		metrics.WithSLO(metrics.SLO{TTFT: sc.SLO.MaxTTFT, Latency: sc.SLO.MaxLatency, InterToken: sc.SLO.MaxGap}),
		metrics.WithBucketEdges(metrics.TTFT, sc.SLO.MaxTTFT),
		metrics.WithBucketEdges(metrics.Latency, sc.SLO.MaxLatency),
		metrics.WithBucketEdges(metrics.InterToken, sc.SLO.MaxGap),
	}
	for name, edges := range sc.Metrics.Buckets {
		opts = append(opts, metrics.WithBuckets(metrics.HistogramName(name), edges...))
	}
	for _, th := range ths {
		if h, ok := thresholdHistogram(th); ok {
			opts = append(opts, metrics.WithBucketEdges(h, time.Duration(th.Value*float64(time.Second))))
		}
	}
	return opts
}

// thresholdHistogram returns the histogram a threshold on a duration
// percentile reads, e.g. message.ttft.p95 → TTFT, schedule.lag.p99 → Lag.
func thresholdHistogram(th *report.Threshold) (metrics.HistogramName, bool) {
	if th.Unit != report.UnitSeconds {
		return "", false
	}
	segs := strings.Split(th.Metric, ".")
	if len(segs) != 3 {
		return "", false
	}
	switch segs[1] {
	case "latency":
		return metrics.Latency, true
	case "ttfb":
		return metrics.TTFB, true
	case "ttft":
		return metrics.TTFT, true
	case "inter_token":
		return metrics.InterToken, true
	case "lag":
		return metrics.Lag, true
	case "rate_limit_wait", "wait":
		return metrics.RateLimitWait, true
	}
	return "", false
}
