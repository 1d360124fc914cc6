// Package sweep is `loadgen sweep` apart from its flags: a capacity.Prober
// that runs each probe of a scenario with loadgen's runner against a real
// target (its load replaced by the probe's, Poisson arrivals for the open
// model unless the scenario says otherwise, every probe's results file
// kept), the objectives that judge each message from its intended start,
// and what a sweep writes: the live table, the JSON report and each probe's
// JSON line, the HTML page with its charts, Prometheus gauges, the
// --expect gates and the comparison of two sweeps.
//
// The search itself, and its statistics, are package capacity's.
package sweep
