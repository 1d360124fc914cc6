package dashboards

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loadgen/loadgen/metrics"
	"github.com/loadgen/loadgen/results"
	"gopkg.in/yaml.v3"
)

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// classicAlongsideNative is prometheus.yml's setting that keeps the
// classic buckets of histograms scraped as native ones (Prometheus 3.x).
const classicAlongsideNative = "always_scrape_classic_histograms: true"

// TestPromtoolCheckConfig checks prometheus.yml with promtool. A promtool
// older than 3.0 does not know the per-job setting that keeps classic
// buckets beside native ones (2.45-2.55 name it differently, older ones
// have none): it then checks the file without those lines, and the test
// checks that they are the only difference, one on each loadgen job.
func TestPromtoolCheckConfig(t *testing.T) {
	version := promtool(t, nil, "--version")
	b, err := os.ReadFile("prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`version (\d+)\.`).FindStringSubmatch(version); m != nil && atoi(m[1]) >= 3 {
		promtool(t, nil, "check", "config", "prometheus.yml")
		return
	}
	var kept, dropped []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), classicAlongsideNative) {
			dropped = append(dropped, line)
			continue
		}
		kept = append(kept, line)
	}
	if len(dropped) != 2 {
		t.Errorf("prometheus.yml sets %q on %d jobs, want 2 (loadgen, pushgateway)", classicAlongsideNative, len(dropped))
	}
	path := filepath.Join(t.TempDir(), "prometheus.yml")
	if err := os.WriteFile(path, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	rules, err := filepath.Abs("rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(rules, filepath.Join(filepath.Dir(path), "rules.yml")); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s predates Prometheus 3: checking prometheus.yml without its %d %q lines", strings.TrimSpace(strings.SplitN(version, "\n", 2)[0]), len(dropped), classicAlongsideNative)
	promtool(t, nil, "check", "config", path)
}

func TestPromtoolCheckRules(t *testing.T) {
	promtool(t, nil, "check", "rules", "rules.yml")
}

func TestPromtoolTestRules(t *testing.T) {
	promtool(t, nil, "test", "rules", "rules_test.yml")
}

// record feeds m one session of every step, a failure of each class and the
// session outcomes, so every loadgen metric has series.
func record(m *metrics.Metrics) {
	now := time.Now()
	for _, end := range []results.End{results.EndCompleted, results.EndFailed, results.EndCanceled} {
		m.SessionStarted("chat")
		for _, step := range results.Steps() {
			m.Record(&results.Result{Conversation: "chat", Step: step, Code: 200, Intended: now, Start: now.Add(time.Millisecond),
				Wait: time.Millisecond, Latency: 300 * time.Millisecond, TTFB: 20 * time.Millisecond,
				TTFT: 100 * time.Millisecond, Gaps: []time.Duration{10 * time.Millisecond}, Tokens: 5, Shape: "model", Good: true})
		}
		m.Record(&results.Result{Conversation: "chat", Step: results.StepMessage, Error: "connect"})
		m.SessionEnded("chat", end)
	}
}

// scrapeText serves a registry holding every loadgen metric and returns its
// text exposition as Prometheus would scrape it, plus the metric names.
func scrapeText(t *testing.T) ([]byte, map[string]bool) {
	t.Helper()
	reg := metrics.NewRegistry()
	m := metrics.New("demo", metrics.WithRunID("test-run"), metrics.WithVersion("dev"),
		metrics.WithSLO(metrics.SLO{TTFT: time.Second, Latency: 5 * time.Second, InterToken: 100 * time.Millisecond}))
	if err := m.Register(reg); err != nil {
		t.Fatalf("Register() error = %v", err)
	}
	record(m)
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := metrics.Serve(ctx, "127.0.0.1:0", reg)
	if err != nil {
		t.Fatalf("Serve() error = %v", err)
	}
	t.Cleanup(func() { cancel(); <-srv.Done() })
	req, err := http.NewRequest(http.MethodGet, srv.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", srv.URL(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, %v", srv.URL(), resp.StatusCode, err)
	}
	names := map[string]bool{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather() error = %v", err)
	}
	for _, mf := range mfs {
		names[mf.GetName()] = true
		if mf.GetType().String() == "HISTOGRAM" {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				names[mf.GetName()+s] = true
			}
		}
	}
	return body, names
}

func TestPromtoolCheckMetrics(t *testing.T) {
	body, _ := scrapeText(t)
	if out := promtool(t, body, "check", "metrics"); strings.TrimSpace(out) != "" {
		t.Errorf("promtool check metrics reported problems:\n%s", out)
	}
}

// TestQueriesParse checks that every dashboard and rule expression is valid
// PromQL, by handing them to promtool as recording rules.
func TestQueriesParse(t *testing.T) {
	qs := append(dashboardQueries(t), ruleQueries(t)...)
	type rule struct {
		Record string `yaml:"record"`
		Expr   string `yaml:"expr"`
	}
	var rules []rule
	for i, q := range qs {
		rules = append(rules, rule{fmt.Sprintf("loadgen_check:query_%d", i), expand(q.Expr, grafanaVars{rateInterval: "1m"})})
	}
	b, err := yaml.Marshal(map[string]any{"groups": []any{map[string]any{"name": "check", "rules": rules}}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "queries.yml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	promtool(t, nil, "check", "rules", path)
}

// metricRef finds loadgen metric names in an expression; ruleRef finds
// recording rule names (level:metric:operations), which are not metrics.
var (
	metricRef = regexp.MustCompile(`\bloadgen_[a-z_]+\b`)
	ruleRef   = regexp.MustCompile(`[a-z_]+:[a-z0-9_:]+`)
)

func TestQueriesUseExposedMetrics(t *testing.T) {
	_, names := scrapeText(t)
	for _, q := range append(dashboardQueries(t), ruleQueries(t)...) {
		refs := metricRef.FindAllString(ruleRef.ReplaceAllString(q.Expr, ""), -1)
		if len(refs) == 0 && !ruleRef.MatchString(q.Expr) {
			t.Errorf("%s: %q uses no loadgen metric", q.Where, q.Expr)
		}
		for _, r := range refs {
			if !names[r] {
				t.Errorf("%s: %q uses %s, which loadgen does not expose", q.Where, q.Expr, r)
			}
		}
	}
}

// runJoin keeps the series of the instances where the selected runs are
// (the run selector): every dashboard query ends its aggregation with it.
const runJoin = ` and on \(job, instance\) loadgen_run_info\{run_id=~"\$run"\}`

// classicQuantile matches histogram_quantile over classic buckets: a rate
// over the last interval, or (whole-run tables) the buckets' final counts.
var classicQuantile = regexp.MustCompile(`histogram_quantile\(([0-9.]+), sum by \(le(, [a-z_]+)*\) \(` +
	`(rate\(loadgen_[a-z_]+_seconds_bucket\{[^}]*\}\[\$__rate_interval\]\)` + runJoin +
	`|max_over_time\(\(loadgen_[a-z_]+_seconds_bucket\{[^}]*\}` + runJoin + `\)\[\$__range:\$__interval\]\))\)\)`)

// nativeQuantile matches histogram_quantile over native histograms.
var nativeQuantile = regexp.MustCompile(`histogram_quantile\(([0-9.]+), sum (by \([a-z_, ]+\) )?\(rate\(loadgen_[a-z_]+_seconds\{[^}]*\}\[\$__rate_interval\]\)` + runJoin + `\)\)`)

func TestDashboardQuantilesSumAcrossShards(t *testing.T) {
	var classic, native int
	for _, q := range dashboardQueries(t) {
		if !strings.Contains(q.Expr, "histogram_quantile") {
			continue
		}
		switch {
		case classicQuantile.MatchString(q.Expr):
			classic++
		case nativeQuantile.MatchString(q.Expr):
			native++
		default:
			t.Errorf("%s: %q is not histogram_quantile(q, sum by (le, ...) (rate(..._bucket[$__rate_interval]))) "+
				"nor its native form", q.Where, q.Expr)
		}
	}
	if classic == 0 || native == 0 {
		t.Errorf("quantile queries: %d classic, %d native; want both kinds", classic, native)
	}
}

func TestDashboardStructure(t *testing.T) {
	d := loadDashboard(t)
	if d.UID == "" || d.Title == "" {
		t.Errorf("uid %q, title %q: want both set", d.UID, d.Title)
	}
	if d.SchemaVersion < 36 || d.SchemaVersion > 41 {
		t.Errorf("schemaVersion = %d, want one of Grafana 10/11 (36..41)", d.SchemaVersion)
	}
	vars := map[string]variable{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v
	}
	if v := vars["datasource"]; v.Type != "datasource" || v.Query != "prometheus" {
		t.Errorf("datasource variable = %+v, want type datasource, query prometheus", v)
	}
	for _, name := range []string{"scenario", "run", "instance", "conversation", "step"} {
		v, ok := vars[name]
		switch {
		case !ok:
			t.Errorf("no %s variable", name)
		case v.Type != "query" || v.Datasource == nil || v.Datasource.UID != "${datasource}":
			t.Errorf("%s variable = %+v, want a query on ${datasource}", name, v)
		case !v.IncludeAll || v.AllValue != ".*":
			t.Errorf("%s variable: includeAll %v, allValue %q; want true, .*", name, v.IncludeAll, v.AllValue)
		}
	}
	ids := map[int]string{}
	titles := map[string]bool{}
	for _, p := range d.allPanels() {
		if other, dup := ids[p.ID]; dup {
			t.Errorf("panel id %d used by %q and %q", p.ID, other, p.Title)
		}
		ids[p.ID] = p.Title
		titles[p.Title] = true
		if p.GridPos == nil {
			t.Errorf("panel %q has no gridPos", p.Title)
		}
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
			t.Errorf("panel %q datasource = %+v, want uid ${datasource}", p.Title, p.Datasource)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no queries", p.Title)
		}
		for _, tg := range p.Targets {
			if tg.Datasource == nil || tg.Datasource.UID != "${datasource}" {
				t.Errorf("panel %q query %s datasource = %+v, want uid ${datasource}", p.Title, tg.RefID, tg.Datasource)
			}
			for _, v := range []string{"$scenario", "$instance", `run_id=~"$run"`} {
				if !strings.Contains(tg.Expr, v) {
					t.Errorf("panel %q query %s does not filter by %s: %s", p.Title, tg.RefID, v, tg.Expr)
				}
			}
		}
	}
	for _, want := range []string{"Active users", "Sessions per second", "Requests per second by step and code",
		"Errors per second by kind", "Step duration p50/p95/p99", "Time to first byte p50/p95/p99",
		"Time to first token p50/p95/p99", "Inter-token gap p50/p95/p99", "Tokens per second",
		"Schedule lag p50/p99", "Rate limiter wait p50/p99", "Goodput",
		"Time to first token p50/p95/p99 (native)", "Output tokens/s", "TTFT p95", "Requests", "Errors",
		"Sessions completed", "Output tokens", "Good messages", "Per step (the selected run)"} {
		if !titles[want] {
			t.Errorf("no panel %q", want)
		}
	}
}

func TestProvisioning(t *testing.T) {
	tests := []struct {
		file string
		key  string
	}{
		{"provisioning/datasources/loadgen.yml", "datasources"},
		{"provisioning/dashboards/loadgen.yml", "providers"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			var f map[string]any
			if err := yaml.Unmarshal(b, &f); err != nil {
				t.Fatalf("%s: %v", tt.file, err)
			}
			if f["apiVersion"] != 1 {
				t.Errorf("%s: apiVersion = %v, want 1", tt.file, f["apiVersion"])
			}
			if l, ok := f[tt.key].([]any); !ok || len(l) != 1 {
				t.Errorf("%s: %s = %v, want one entry", tt.file, tt.key, f[tt.key])
			}
		})
	}
}
