package sweep_test

import (
	"strings"
	"testing"

	"github.com/loadgen/loadgen/capacity"
	"github.com/loadgen/loadgen/sweep"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestGauges(t *testing.T) {
	g := sweep.NewGauges("chat")
	reg := prometheus.NewRegistry()
	if err := g.Register(reg); err != nil {
		t.Fatal(err)
	}
	g.Start(capacity.Spec{Seq: 7, Control: capacity.Rate, Load: 241.5})
	g.End(capacity.Probe{Messages: 100, Attainment: capacity.Estimate{Est: 0.93}})
	g.Answers(sample())
	const want = `
# HELP loadgen_sweep_capacity_sessions_per_second The target's capacity found by the sweep, with its interval (bound: estimate, low, high).
# TYPE loadgen_sweep_capacity_sessions_per_second gauge
loadgen_sweep_capacity_sessions_per_second{bound="estimate",scenario="chat"} 320
loadgen_sweep_capacity_sessions_per_second{bound="high",scenario="chat"} 328
loadgen_sweep_capacity_sessions_per_second{bound="low",scenario="chat"} 312
# HELP loadgen_sweep_probe The number of the sweep's probe running (from 1).
# TYPE loadgen_sweep_probe gauge
loadgen_sweep_probe{scenario="chat"} 7
# HELP loadgen_sweep_probe_attainment_ratio The share of good messages in the last probe that ended.
# TYPE loadgen_sweep_probe_attainment_ratio gauge
loadgen_sweep_probe_attainment_ratio{scenario="chat"} 0.93
# HELP loadgen_sweep_probe_load The load of the probe running: sessions/s (control rate) or users (control users).
# TYPE loadgen_sweep_probe_load gauge
loadgen_sweep_probe_load{control="rate",scenario="chat"} 241.5
# HELP loadgen_sweep_slo_max The highest load that meets the objectives (unit: sessions/s or users), with its interval.
# TYPE loadgen_sweep_slo_max gauge
loadgen_sweep_slo_max{bound="estimate",scenario="chat",unit="sessions/s"} 240
loadgen_sweep_slo_max{bound="high",scenario="chat",unit="sessions/s"} 251
loadgen_sweep_slo_max{bound="low",scenario="chat",unit="sessions/s"} 228
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}
