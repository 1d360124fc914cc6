package main

import (
	"bytes"
	"context"
	"runtime/debug"
	"strings"
	"testing"
)

// TestHelpGoesToStdout: every command's -h prints its help to stdout and
// exits 0 (so that `loadgen run -h | grep push` works), with examples
// where the command has them and the exit codes.
func TestHelpGoesToStdout(t *testing.T) {
	want := map[string][]string{
		"run":      {"Distributed runs", "--collector URL", "--start-at T", "Target:", "Load (overrides", "Live metrics:", "--pushgateway URL", "--out FILE", "- for stdout", "Examples:", "HELPER_HMAC_SECRET", "Exit codes:", "3  thresholds"},
		"mock":     {"--ttft DIST", "--capacity N", "--fail-reset P", "--stall-for DURATION", "--tokens N", "HELPER_HMAC_SECRET", "lognormal", "Examples:"},
		"report":   {"-type TYPE", "csv", "overlays", "--labels LABELS", "Examples:"},
		"compare":  {"Holm-Bonferroni", "block", "--fail-on RULE", "sweep's JSON", "Examples:"},
		"sweep":    {"SLO-max", "--attainment SHARE", "--require EXPR", "--control MODEL", "--expect EXPR", "--budget D", "Examples:", "HELPER_HMAC_SECRET"},
		"validate": {"file:line:col", "Examples:"},
		"demo":     {"--duration D", "Examples:"},
		"record":   {"--email EMAIL", "Examples:"},
		"profile":  {"--snippet FILE", "--attachment-bytes SIZE", "Combined Log Format", "Examples:"},
		"version":  {"VCS commit"},
		"collect":  {"--shards N", "--timeout D", "start instant", "Examples:", "merged"},
	}
	for _, c := range commands() {
		for _, h := range []string{"-h", "--help"} {
			var stdout, stderr bytes.Buffer
			code := Main(context.Background(), []string{c.name, h}, &stdout, &stderr)
			out := stdout.String()
			if code != exitOK || stderr.Len() != 0 || !strings.HasPrefix(out, "Usage: loadgen "+c.name) {
				t.Errorf("loadgen %s %s: exit %d, stderr %q, stdout starts %q; want 0, nothing, the usage", c.name, h, code, stderr.String(), out[:min(len(out), 40)])
			}
			for _, w := range append(want[c.name], "Exit codes:") {
				if !strings.Contains(out, w) {
					t.Errorf("loadgen %s %s lacks %q:\n%s", c.name, h, w, out)
				}
			}
		}
		if _, ok := want[c.name]; !ok {
			t.Errorf("no help expectations for the command %q", c.name)
		}
	}
}

func TestRunHelpGroupsEveryFlag(t *testing.T) {
	var stdout bytes.Buffer
	Main(context.Background(), []string{"run", "-h"}, &stdout, &bytes.Buffer{})
	if strings.Contains(stdout.String(), "Other flags:") {
		t.Errorf("loadgen run -h has flags outside the groups:\n%s", stdout.String())
	}
}

func TestTopLevelUsage(t *testing.T) {
	tests := []struct {
		args             []string
		wantCode         int
		wantOut, wantErr string
	}{
		{[]string{"-h"}, exitOK, "Commands:", ""},
		{[]string{"help"}, exitOK, "Exit codes:", ""},
		{nil, exitUsage, "", "Commands:"},
		{[]string{"nope"}, exitUsage, "", `unknown command "nope"`},
		{[]string{"--version"}, exitOK, "commit  ", ""},
		{[]string{"version"}, exitOK, "go      go1.", ""},
		{[]string{"run", "--nope"}, exitUsage, "", "Run 'loadgen run -h' for help."},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := Main(context.Background(), tt.args, &stdout, &stderr)
		if code != tt.wantCode || !strings.Contains(stdout.String(), tt.wantOut) || !strings.Contains(stderr.String(), tt.wantErr) {
			t.Errorf("loadgen %q: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
				tt.args, code, stdout.String(), stderr.String(), tt.wantCode, tt.wantOut, tt.wantErr)
		}
	}
}

func TestBuildCommit(t *testing.T) {
	tests := []struct {
		name     string
		settings []debug.BuildSetting
		want     string
	}{
		{"none", nil, ""},
		{"clean", []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0123456789abcdef0123"},
			{Key: "vcs.time", Value: "2026-03-01T12:00:00Z"}, {Key: "vcs.modified", Value: "false"}}, "0123456789ab 2026-03-01T12:00:00Z"},
		{"modified", []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "true"}}, "abc (modified)"},
	}
	for _, tt := range tests {
		if got := buildCommit(tt.settings); got != tt.want {
			t.Errorf("%s: buildCommit(%v) = %q, want %q", tt.name, tt.settings, got, tt.want)
		}
	}
}
