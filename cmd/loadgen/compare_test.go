package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadgen/loadgen/results/resultstest"
)

// editedSummary writes the JSON summary of the results files with edit
// applied to its fields.
func editedSummary(t *testing.T, name string, files []string, edit func(map[string]any)) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name+".json")
	if code, _, stderr := runMain(append([]string{"report", "-type", "json", "-o", p}, files...)...); code != exitOK {
		t.Fatal(stderr)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// compare refuses runs of another scenario or target (it compared them
// without a word), unless --force; a changed scenario file or planned rate
// is a warning.
func TestCompareMismatchedRuns(t *testing.T) {
	files := writeShards(t, resultstest.Config{Seed: 1, Sessions: 200, Rate: 20}, 1)
	base := editedSummary(t, "base", files, func(m map[string]any) { m["scenario_hash"] = "sha256:aa" })
	other := editedSummary(t, "other", files, func(m map[string]any) { m["scenario"] = "soak" })
	elsewhere := editedSummary(t, "elsewhere", files, func(m map[string]any) { m["target"] = "https://prod.example.com" })
	edited := editedSummary(t, "edited", files, func(m map[string]any) { m["scenario_hash"] = "sha256:bb" })
	tests := []struct {
		name       string
		args       []string
		code       int
		wantStderr string
	}{
		{"other scenario", []string{base, other}, exitUsage, `the baseline ran scenario "demo", the new run "soak"`},
		{"other target", []string{base, elsewhere}, exitUsage, "the new run against https://prod.example.com"},
		{"other scenario, forced", []string{"--force", base, other}, exitOK, `warning: the baseline ran scenario "demo"`},
		{"edited scenario file", []string{base, edited}, exitOK, `warning: scenario "demo" changed between the runs`},
		{"same run", []string{base, base}, exitOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runMain(append([]string{"compare"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("compare %s: exit %d, stderr %q; want %d and %q", tt.name, code, stderr, tt.code, tt.wantStderr)
			}
			if tt.code == exitOK && !strings.Contains(stdout, "loadgen compare: baseline") {
				t.Errorf("compare %s printed no comparison:\n%s", tt.name, stdout)
			}
			if tt.wantStderr == "" && stderr != "" {
				t.Errorf("compare of a run with itself warned: %s", stderr)
			}
		})
	}
}
