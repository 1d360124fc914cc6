package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	stat := "4242 (loadgen (x) y) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 9 0 100 0 0"
	got, err := parseStatCPU([]byte(stat))
	if want := 3 * time.Second; err != nil || got != want {
		t.Errorf("parseStatCPU(%q) = %v, %v; want %v", stat, got, err, want)
	}
}

func TestParseStatusMem(t *testing.T) {
	status := "Name:\tloadgen\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\nThreads:\t5\n"
	rss, hwm, err := parseStatusMem([]byte(status))
	if err != nil || rss != 1024*1024 || hwm != 2048*1024 {
		t.Errorf("parseStatusMem = %d, %d, %v; want 1 MiB, 2 MiB", rss, hwm, err)
	}
}

func TestExposition(t *testing.T) {
	text := `# HELP x y
loadgen_step_duration_seconds_count{conversation="c",scenario="s",step="message"} 7
loadgen_step_duration_seconds_count{conversation="d",scenario="s",step="message"} 3
loadgen_step_duration_seconds_count{conversation="c",scenario="s",step="session"} 5
go_goroutines 12
`
	x, err := parseExposition(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if got := x.sum("loadgen_step_duration_seconds_count", `step="message"`); got != 10 {
		t.Errorf(`sum(step="message") = %g, want 10`, got)
	}
	if got := x.sum("loadgen_step_duration_seconds_count"); got != 15 {
		t.Errorf("sum(all) = %g, want 15", got)
	}
	if got := x.sum("go_goroutines"); got != 12 {
		t.Errorf("sum(go_goroutines) = %g, want 12", got)
	}
}

func TestQuantile(t *testing.T) {
	ds := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 5}, {0.99, 10}, {0, 1}, {1, 10}} {
		if got := quantile(ds, c.q); got != c.want {
			t.Errorf("quantile(1..10, %g) = %v, want %v", c.q, got, c.want)
		}
	}
}
