// Package dashboards holds no Go code: it ships what a person needs to watch
// a loadgen run live, and the tests that prove it works against the real
// Prometheus tools.
//
//   - loadgen.json: the Grafana dashboard (Grafana 10/11, datasource chosen
//     by the ${datasource} variable; scenario, instance, conversation and
//     step variables).
//   - provisioning/: Grafana datasource and dashboard provider files.
//   - prometheus.yml: a scrape configuration for `loadgen run
//     --metrics-addr`, `loadgen mock` and a Pushgateway.
//   - rules.yml: recording rules for the heavy quantiles and example alerts,
//     unit-tested by rules_test.yml.
//
// The tests run promtool (check config, check rules, test rules, check
// metrics on a scrape of loadgen's /metrics), parse every PromQL expression
// of the dashboard, and, in the integration test, evaluate each one against
// a real Prometheus scraping a real run. They skip when promtool or
// prometheus is not installed, unless the CI environment variable is set,
// in which case they fail. See README.md for the "watch it live" recipe.
package dashboards
