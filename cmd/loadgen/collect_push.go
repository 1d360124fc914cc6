package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"

	"github.com/loadgen/loadgen/metrics"
	"github.com/loadgen/loadgen/report"
)

// pushSummary pushes the merged summary of a distributed run as gauges
// (loadgen_summary_*) to a Pushgateway, in the group of job loadgen_collect
// and the scenario: each run replaces its scenario's last summary, as a
// batch job's result is pushed, so the Pushgateway holds one group per
// scenario however many runs there are (a group per run id would grow
// forever, every series with an unbounded label); loadgen_summary_info
// names the run. They are new names, not the shards' live series, so a
// dashboard that sums the shards' series counts nothing twice.
func pushSummary(ctx context.Context, raw string, sum *report.Summary) error {
	reg := prometheus.NewRegistry()
	gauge := func(name, help string, labels ...string) *prometheus.GaugeVec {
		g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "loadgen_summary_" + name, Help: help}, labels)
		reg.MustRegister(g)
		return g
	}
	gauge("info", "The run whose summary this is: 1, labelled with its run id.", "run_id").WithLabelValues(sum.RunID).Set(1)
	requests := gauge("requests", "Results of the merged run, by step.", "step")
	errs := gauge("errors", "Failed results of the merged run, by step.", "step")
	latency := gauge("latency_seconds", "Latency from the actual send in the merged run, by step and quantile (1 = max).", "step", "quantile")
	ttft := gauge("ttft_seconds", "Time to first token in the merged run, by quantile (1 = max).", "quantile")
	threshold := gauge("threshold_pass", "1 when the threshold passed on the merged results.", "threshold")
	duration := gauge("duration_seconds", "How long the run ran.")
	shards := gauge("shards", "Shards of the run, by what became of their results.", "state")
	skew := gauge("start_skew_seconds", "Latest minus earliest actual start of the shards.")
	complete := gauge("complete", "1 when every shard's results arrived complete.")

	quantiles := func(g *prometheus.GaugeVec, p report.Percentiles, labels ...string) {
		for q, v := range map[string]float64{"0.5": p.P50, "0.9": p.P90, "0.95": p.P95, "0.99": p.P99, "1": p.Max} {
			g.WithLabelValues(append(labels, q)...).Set(v)
		}
	}
	for _, st := range sum.Steps {
		if st.Count == 0 {
			continue
		}
		step := string(st.Step)
		requests.WithLabelValues(step).Set(float64(st.Count))
		errs.WithLabelValues(step).Set(float64(st.Errors))
		quantiles(latency, st.Latency, step)
		if st.MessageSummary != nil && st.TTFT.Count > 0 {
			quantiles(ttft, st.TTFT)
		}
	}
	for _, v := range sum.Thresholds {
		threshold.WithLabelValues(v.Expr).Set(b2f(v.Pass))
	}
	duration.WithLabelValues().Set(sum.DurationS)
	if d := sum.Distributed; d != nil {
		shards.WithLabelValues("received").Set(float64(d.Received))
		shards.WithLabelValues("missing").Set(float64(len(d.Missing)))
		shards.WithLabelValues("interrupted").Set(float64(len(d.Interrupted)))
		skew.WithLabelValues().Set(d.StartSkewS)
		complete.WithLabelValues().Set(b2f(d.Complete))
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return errors.New("--pushgateway: want http(s)://host:port") // the URL may hold credentials: not repeated
	}
	p := push.New((&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String(), "loadgen_collect").
		Gatherer(reg).Grouping("scenario", sum.Scenario).Client(&http.Client{Timeout: metrics.DefaultPushTimeout})
	if u.User != nil {
		pw, _ := u.User.Password()
		p = p.BasicAuth(u.User.Username(), pw)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), metrics.DefaultPushTimeout)
	defer cancel()
	return p.PushContext(ctx)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
