package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// writeValidateFile writes src to name in a fresh directory and returns its path.
func writeValidateFile(t *testing.T, dir, name, src string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const validScenario = `version: 1
name: ok
target:
  base_url: ${HELPER_URL:-http://127.0.0.1:8080}
  hmac_secret_env: MY_SECRET
load: {users: 2, duration: 10s}
conversations:
  - name: c
    turns: [{message: hi}]
`

const badScenario = `version: 1
name: bad
target: {base_url: "http://127.0.0.1:8080"}
load: {arrival_rate: 2/s, users: 5, duration: 1m}
conversations:
  - name: c
    turns:
      - message: hi
        think: {gauss: 2s}
`

func runValidateMain(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	good := writeValidateFile(t, dir, "good.yaml", validScenario)
	bad := writeValidateFile(t, dir, "bad.yaml", badScenario)
	badThreshold := writeValidateFile(t, dir, "threshold.yaml", validScenario+"thresholds:\n  - message.ttft.p95 < 1.5s\n  - message.speed > 3\n")
	missing := filepath.Join(dir, "missing.yaml")
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    []string // lines of stdout, as regexps
		wantStderr string
	}{
		{name: "ok", args: []string{good}, wantCode: exitOK,
			wantOut: []string{regexp.QuoteMeta(good + ": ok (ok: closed model, 2 users for 10s, 1 conversation with 1 turn)")}},
		{name: "problems", args: []string{good, bad}, wantCode: exitUsage,
			wantOut: []string{
				regexp.QuoteMeta(good) + `: ok \(.*\)`,
				regexp.QuoteMeta(bad + ":4:27: load.users: users (closed model) and arrival_rate/stages (open model) are mutually exclusive"),
				regexp.QuoteMeta(bad + `:9:17: conversations[0].turns[0].think: unknown distribution "gauss" (want fixed, uniform or exponential)`),
			},
			wantStderr: "loadgen validate: 1 of 2 scenario files have problems\n"},
		{name: "bad threshold", args: []string{badThreshold}, wantCode: exitUsage,
			wantOut:    []string{regexp.QuoteMeta(badThreshold+`:12:13: thresholds[1]: threshold "message.speed > 3": `) + ".+"},
			wantStderr: "loadgen validate: 1 of 1 scenario files have problems\n"},
		{name: "missing file", args: []string{missing}, wantCode: exitUsage,
			wantOut:    []string{regexp.QuoteMeta(missing) + ": scenarios: open .*: no such file or directory"},
			wantStderr: "loadgen validate: 1 of 1 scenario files have problems\n"},
		{name: "no files", args: nil, wantCode: exitUsage, wantStderr: "Usage: loadgen validate FILE..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runValidateMain(append([]string{"validate"}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("loadgen validate %q: exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", tt.args, code, tt.wantCode, out, errOut)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if out == "" {
				lines = nil
			}
			if len(lines) != len(tt.wantOut) {
				t.Fatalf("stdout has %d lines, want %d:\n%s", len(lines), len(tt.wantOut), out)
			}
			for i, re := range tt.wantOut {
				if !regexp.MustCompile("^" + re + "$").MatchString(lines[i]) {
					t.Errorf("stdout line %d = %q, want a match for %q", i+1, lines[i], re)
				}
			}
			if !strings.Contains(errOut, tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", errOut, tt.wantStderr)
			}
		})
	}
}

func TestValidateExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "scenarios", "examples", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example scenarios found: %v", err)
	}
	code, out, errOut := runValidateMain(append([]string{"validate"}, files...)...)
	if code != exitOK || strings.Count(out, ": ok (") != len(files) {
		t.Errorf("loadgen validate %q: exit code %d\nstdout:\n%s\nstderr:\n%s\nwant every file ok", files, code, out, errOut)
	}
}

// TestValidateNeverPrintsSecrets sets the secret's variables to a marker
// and validates scenarios that reference them (which is refused) and one
// that names them properly: the marker must not appear anywhere.
func TestValidateNeverPrintsSecrets(t *testing.T) {
	const marker = "s3cr3t-MARKER-value"
	t.Setenv("HELPER_HMAC_SECRET", marker)
	t.Setenv("MY_SECRET", marker)
	dir := t.TempDir()
	files := []string{
		writeValidateFile(t, dir, "good.yaml", validScenario),
		writeValidateFile(t, dir, "url.yaml", strings.Replace(validScenario, "${HELPER_URL:-http://127.0.0.1:8080}", "http://x/${MY_SECRET}", 1)),
		writeValidateFile(t, dir, "header.yaml", strings.Replace(validScenario, "  hmac_secret_env: MY_SECRET\n", "  headers: {X-Key: \"${HELPER_HMAC_SECRET}\"}\n", 1)),
		writeValidateFile(t, dir, "meta.yaml", validScenario+"users: {metadata: {k: \"${MY_SECRET:-x}\"}}\n"),
	}
	code, out, errOut := runValidateMain(append([]string{"validate"}, files...)...)
	if code != exitUsage || strings.Count(out, "names the HMAC secret's variable") != 3 {
		t.Errorf("exit code %d, stdout:\n%s\nwant exit code %d and three refused references", code, out, exitUsage)
	}
	if strings.Contains(out+errOut, marker) {
		t.Errorf("the secret appears in the output:\nstdout:\n%s\nstderr:\n%s", out, errOut)
	}
}
