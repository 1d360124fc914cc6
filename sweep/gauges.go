package sweep

import (
	"github.com/loadgen/loadgen/capacity"
	"github.com/prometheus/client_golang/prometheus"
)

// Gauges are a sweep's Prometheus gauges: the probe running and the
// answers so far, beside the run metrics every probe's results feed. They
// are safe for concurrent use; register them with Register.
type Gauges struct {
	probe      prometheus.Gauge
	load       *prometheus.GaugeVec
	attainment prometheus.Gauge
	capacity   *prometheus.GaugeVec
	sloMax     *prometheus.GaugeVec
}

// NewGauges returns the gauges of a sweep of the named scenario.
func NewGauges(scenario string) *Gauges {
	c := prometheus.Labels{"scenario": scenario}
	return &Gauges{
		probe: prometheus.NewGauge(prometheus.GaugeOpts{Name: "loadgen_sweep_probe",
			Help: "The number of the sweep's probe running (from 1).", ConstLabels: c}),
		load: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "loadgen_sweep_probe_load",
			Help: "The load of the probe running: sessions/s (control rate) or users (control users).", ConstLabels: c},
			[]string{"control"}),
		attainment: prometheus.NewGauge(prometheus.GaugeOpts{Name: "loadgen_sweep_probe_attainment_ratio",
			Help: "The share of good messages in the last probe that ended.", ConstLabels: c}),
		capacity: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "loadgen_sweep_capacity_sessions_per_second",
			Help: "The target's capacity found by the sweep, with its interval (bound: estimate, low, high).", ConstLabels: c},
			[]string{"bound"}),
		sloMax: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "loadgen_sweep_slo_max",
			Help: "The highest load that meets the objectives (unit: sessions/s or users), with its interval.", ConstLabels: c},
			[]string{"bound", "unit"}),
	}
}

// Register registers the gauges with r.
func (g *Gauges) Register(r prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{g.probe, g.load, g.attainment, g.capacity, g.sloMax} {
		if err := r.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Start shows the probe starting.
func (g *Gauges) Start(spec capacity.Spec) {
	g.probe.Set(float64(spec.Seq))
	g.load.Reset()
	g.load.WithLabelValues(spec.Control.String()).Set(spec.Load)
}

// End shows a probe that ended.
func (g *Gauges) End(p capacity.Probe) {
	if p.Messages > 0 {
		g.attainment.Set(p.Attainment.Est)
	}
}

// Answers shows the sweep's answers.
func (g *Gauges) Answers(r *Report) {
	if c := r.Capacity; c.Found {
		g.capacity.WithLabelValues("estimate").Set(c.Sessions)
		g.capacity.WithLabelValues("low").Set(lowSessions(r))
		g.capacity.WithLabelValues("high").Set(highSessions(r))
	}
	if m := r.SLOMax; m.Found {
		g.sloMax.WithLabelValues("estimate", m.Unit).Set(m.Rate)
		g.sloMax.WithLabelValues("low", m.Unit).Set(m.Interval[0])
		g.sloMax.WithLabelValues("high", m.Unit).Set(m.Interval[1])
	}
}
