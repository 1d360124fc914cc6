package dashboards

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// dashboard is the part of loadgen.json the tests read.
type dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []variable `json:"list"`
	} `json:"templating"`
	Annotations struct {
		List []annotation `json:"list"`
	} `json:"annotations"`
}

// annotation is a dashboard annotation; Prometheus ones have an Expr.
type annotation struct {
	Name       string      `json:"name"`
	Expr       string      `json:"expr"`
	Datasource *datasource `json:"datasource"`
}

type panel struct {
	ID         int         `json:"id"`
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Datasource *datasource `json:"datasource"`
	GridPos    *struct {
		H, W, X, Y int
	} `json:"gridPos"`
	Targets []target `json:"targets"`
	Panels  []panel  `json:"panels"` // a collapsed row's panels
}

type target struct {
	Expr       string      `json:"expr"`
	RefID      string      `json:"refId"`
	Datasource *datasource `json:"datasource"`
	Instant    bool        `json:"instant"`
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type variable struct {
	Name       string      `json:"name"`
	Type       string      `json:"type"`
	Query      any         `json:"query"`
	Definition string      `json:"definition"`
	Datasource *datasource `json:"datasource"`
	IncludeAll bool        `json:"includeAll"`
	AllValue   string      `json:"allValue"`
}

func loadDashboard(t *testing.T) *dashboard {
	t.Helper()
	b, err := os.ReadFile("loadgen.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("loadgen.json: %v", err)
	}
	return &d
}

// allPanels returns the dashboard's panels, those inside collapsed rows
// included.
func (d *dashboard) allPanels() []panel {
	var out []panel
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			out = append(out, p)
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return out
}

// query is one PromQL expression shipped in the dashboard or the rules.
type query struct {
	Where string // "dashboard: <panel> <refId>", "rules: <record or alert>", "variable: <name>"
	Expr  string // as shipped, Grafana variables unexpanded
}

// dashboardQueries returns every expression of the dashboard: panel targets
// and query variables.
func dashboardQueries(t *testing.T) []query {
	t.Helper()
	d := loadDashboard(t)
	var qs []query
	for _, p := range d.allPanels() {
		for _, tg := range p.Targets {
			qs = append(qs, query{"dashboard: " + p.Title + " " + tg.RefID, tg.Expr})
		}
	}
	for _, v := range d.Templating.List {
		if v.Type == "query" {
			qs = append(qs, query{"variable: " + v.Name, v.Definition})
		}
	}
	for _, a := range d.Annotations.List {
		if a.Expr != "" {
			qs = append(qs, query{"annotation: " + a.Name, a.Expr})
		}
	}
	return qs
}

// ruleFile is the part of a Prometheus rule file the tests read.
type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Record string `yaml:"record"`
			Alert  string `yaml:"alert"`
			Expr   string `yaml:"expr"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// ruleQueries returns every expression of rules.yml.
func ruleQueries(t *testing.T) []query {
	t.Helper()
	b, err := os.ReadFile("rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f ruleFile
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatalf("rules.yml: %v", err)
	}
	var qs []query
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			qs = append(qs, query{"rules: " + r.Record + r.Alert, strings.TrimSpace(r.Expr)})
		}
	}
	return qs
}

// grafanaVars are the values expand gives Grafana's variables.
type grafanaVars struct {
	rateInterval string // $__rate_interval
	rng          string // $__range ("" for rateInterval)
	interval     string // $__interval ("" for rateInterval)
	scenario     string // $scenario ("" for All)
	run          string // $run ("" for All)
}

// expand replaces Grafana's variables the way Grafana would with v's values,
// every label filter not set there at "All" (matching anything).
func expand(expr string, v grafanaVars) string {
	if strings.HasPrefix(expr, "label_values(") { // a variable query, not PromQL: its selector
		expr = strings.TrimSuffix(strings.TrimPrefix(expr, "label_values("), ")")
		if i := strings.LastIndex(expr, ","); i >= 0 {
			expr = expr[:i]
		}
	}
	or := func(s, def string) string {
		if s == "" {
			return def
		}
		return s
	}
	var pairs []string
	for _, x := range [][2]string{
		// Longer names first: $__range must not be read as $__r…
		{"__rate_interval", v.rateInterval}, {"__interval", or(v.interval, v.rateInterval)}, {"__range", or(v.rng, v.rateInterval)},
		{"scenario", or(v.scenario, ".*")}, // a name without regexp metacharacters stands for itself
		{"run", or(v.run, ".*")},
		{"instance", ".*"}, {"conversation", ".*"}, {"step", ".*"},
	} {
		pairs = append(pairs, "${"+x[0]+"}", x[1], "$"+x[0], x[1])
	}
	return strings.NewReplacer(pairs...).Replace(expr)
}
