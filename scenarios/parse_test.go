package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// testEnv is the environment the tests see.
var testEnv = map[string]string{
	"HELPER_URL":         "http://127.0.0.1:9999",
	"EMPTY":              "",
	"HELPER_HMAC_SECRET": "s3cr3t-marker",
	"OTHER_SECRET":       "other-s3cr3t-marker",
}

func lookupTestEnv(name string) (string, bool) {
	v, ok := testEnv[name]
	return v, ok
}

func parseTest(t *testing.T, src string) (*Scenario, error) {
	t.Helper()
	return Parse("t.yaml", []byte(src), WithLookupEnv(lookupTestEnv))
}

// minimal is the smallest valid scenario.
const minimal = `version: 1
name: min
target: {base_url: "http://127.0.0.1:8080"}
load: {arrival_rate: 1/s, duration: 1s}
conversations:
  - name: c
    turns:
      - message: hi
`

func TestParseDefaults(t *testing.T) {
	s, err := parseTest(t, minimal)
	if err != nil {
		t.Fatalf("Parse(minimal): %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Version", s.Version, 1},
		{"File", s.File, "t.yaml"},
		{"Target.SecretEnv", s.Target.SecretEnv, DefaultSecretEnv},
		{"Target.Timeout", s.Target.Timeout, DefaultRequestTimeout},
		{"Target.ConnectTimeout", s.Target.ConnectTimeout, DefaultConnectTimeout},
		{"Users.Email", s.Users.Email.String(), DefaultEmail},
		{"Users.AnonymousShare", s.Users.AnonymousShare, 0.0},
		{"Load.Model", s.Load.Model, Open},
		{"Load.Rate", s.Load.Rate, Rate{Freq: 1, Per: time.Second}},
		{"Load.Burst", s.Load.Burst, 1},
		{"Conversations[0].Weight", s.Conversations[0].Weight, 1},
		{"Conversations[0].Mode", s.Conversations[0].Mode, Stream},
		{"Conversations[0].Subject", s.Conversations[0].Subject == nil, true}, // the widget sends none
		{"Conversations[0].Poll", s.Conversations[0].Poll, PollSpec{}},
		{"Conversations[0].PageViews", s.Conversations[0].PageViews, 1},
		{"Conversations[0].Turns[0].Kind", s.Conversations[0].Turns[0].Kind, StepMessage},
		{"Conversations[0].Turns[0].Share", s.Conversations[0].Turns[0].Share, 1.0},
		{"Widget", s.Widget, WidgetSpec{PageURL: defaultPageURL, OpenCreated: true}},
		{"Conversations[0].Turns[0].Think", s.Conversations[0].Turns[0].Think, Think{}},
		{"Conversations[0].Turns[0].Expect", s.Conversations[0].Turns[0].Expect, Expect{}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("Parse(minimal).%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// full uses every field.
const full = `version: 1
name: demo
description: Support conversations against a local mock.
target:
  base_url: ${HELPER_URL:-http://127.0.0.1:8080}/
  hmac_secret_env: OTHER_SECRET
  request_timeout: 60s
  connect_timeout: 5s
  headers: {X-Load-Test: "1", X-Env: "${EMPTY:-none}"}
users:
  email: "user-{{.Seq}}@example.com"
  anonymous: 20%
  metadata: {plan: pro}
load:
  users: 10
  duration: 20s
  max_sessions: 100
  request_rate: 200/s
  burst: 20
conversations:
  - name: order_status
    weight: 3
    subject: "Order {{randInt 1000 9999}}"
    is_prompt: true
    turns:
      - message: "Where is my order #{{randInt 1000 9999}}?"
        think: 2s
        expect: {status: 200, contains: ["order", "status"], max_ttft: 2s}
      - message: thanks
        think: {uniform: [1s, 3s]}
        expect: {contains: done}
  - name: billing
    mode: async
    poll: {interval: 250ms}
    turns:
      - message: "{{.Meta.plan}} plan"
        think: {exponential: 2s, max: 10s}
thresholds:
  - message.ttft.p95 < 1.5s
slo: {ttft: 2s, latency: 20s, inter_token: 500ms}
`

func TestParseFull(t *testing.T) {
	s, err := parseTest(t, full)
	if err != nil {
		t.Fatalf("Parse(full): %v", err)
	}
	c0, c1 := s.Conversations[0], s.Conversations[1]
	checks := []struct {
		name      string
		got, want any
	}{
		{"Description", s.Description, "Support conversations against a local mock."},
		{"Target.BaseURL", s.Target.BaseURL, "http://127.0.0.1:9999"},
		{"Target.SecretEnv", s.Target.SecretEnv, "OTHER_SECRET"},
		{"Target.Timeout", s.Target.Timeout, 60 * time.Second},
		{"Target.ConnectTimeout", s.Target.ConnectTimeout, 5 * time.Second},
		{"Target.Headers", s.Target.Headers, map[string]string{"X-Load-Test": "1", "X-Env": "none"}},
		{"Users.AnonymousShare", s.Users.AnonymousShare, 0.2},
		{"Users.Metadata", s.Users.Metadata, map[string]string{"plan": "pro"}},
		{"Load", s.Load, Load{Model: Closed, Users: 10, Duration: 20 * time.Second, MaxSessions: 100,
			RequestRate: Rate{Freq: 200, Per: time.Second}, Burst: 20}},
		{"c0.Weight", c0.Weight, 3},
		{"c0.IsPrompt", c0.IsPrompt, true},
		{"c0.Turns[0].Think", c0.Turns[0].Think, Think{Kind: ThinkFixed, Mean: 2 * time.Second}},
		{"c0.Turns[0].Expect", c0.Turns[0].Expect, Expect{Status: 200, Contains: []string{"order", "status"}, MaxTTFT: 2 * time.Second}},
		{"c0.Turns[1].Think", c0.Turns[1].Think, Think{Kind: ThinkUniform, Min: time.Second, Max: 3 * time.Second}},
		{"c0.Turns[1].Expect.Contains", c0.Turns[1].Expect.Contains, []string{"done"}},
		{"c1.Mode", c1.Mode, Async},
		{"c1.Poll", c1.Poll, PollSpec{Interval: 250 * time.Millisecond, Timeout: DefaultPollTimeout, Backoff: DefaultPollBackoff}},
		{"c1.Turns[0].Think", c1.Turns[0].Think, Think{Kind: ThinkExponential, Mean: 2 * time.Second, Max: 10 * time.Second}},
		{"Thresholds", s.Thresholds, []ThresholdExpr{{Expr: "message.ttft.p95 < 1.5s", Pos: Pos{File: "t.yaml", Line: 39, Column: 5}}}},
		{"SLO", s.SLO, SLO{MaxTTFT: 2 * time.Second, MaxLatency: 20 * time.Second, MaxGap: 500 * time.Millisecond}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("Parse(full).%s = %+v, want %+v", c.name, c.got, c.want)
		}
	}
	msg, err := c1.Turns[0].Message.Execute(&TemplateData{Meta: s.Users.Metadata})
	if msg != "pro plan" || err != nil {
		t.Errorf("Message.Execute = %q, %v; want \"pro plan\", nil", msg, err)
	}
}

func TestParseStages(t *testing.T) {
	src := strings.Replace(minimal, "load: {arrival_rate: 1/s, duration: 1s}",
		"load:\n  stages: [{duration: 5s, target: 8/s}, {duration: 15s, target: 8/s}, {duration: 1m, target: 0}]", 1)
	s, err := parseTest(t, src)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := []Stage{
		{5 * time.Second, Rate{8, time.Second}},
		{15 * time.Second, Rate{8, time.Second}},
		{time.Minute, Rate{0, time.Second}},
	}
	if !reflect.DeepEqual(s.Load.Stages, want) || s.Load.Duration != 80*time.Second || s.Load.Model != Open {
		t.Errorf("Load = %+v, want stages %v lasting 1m20s, open", s.Load, want)
	}
}

func TestParseAliases(t *testing.T) {
	src := minimal + `  - name: d
    turns:
      - &greet {message: hello, think: 1s}
      - *greet
`
	s, err := parseTest(t, src)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := s.Conversations[1].Turns; len(got) != 2 || got[1].Message.String() != "hello" || got[1].Think.Mean != time.Second {
		t.Errorf("aliased turns = %+v, want two hello turns with 1s think", got)
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(file, []byte(minimal), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := LoadFile(file)
	if err != nil || s.File != file || s.Name != "min" {
		t.Fatalf("LoadFile(%q) = %+v, %v; want scenario min from that file", file, s, err)
	}
	_, err = LoadFile(filepath.Join(dir, "missing.yaml"))
	var perr *Error
	if err == nil || errors.As(err, &perr) || !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "scenarios: ") {
		t.Errorf("LoadFile(missing) error = %v, want a wrapped os.ErrNotExist, not an *Error", err)
	}
}

func TestParseCreateOnly(t *testing.T) {
	src := `version: 1
name: create_only
target: {base_url: "http://127.0.0.1:8080"}
users: {reuse_session: true}
load: {users: 4, duration: 1s}
conversations:
  - name: c
    turns: []
`
	s, err := parseTest(t, src)
	if err != nil {
		t.Fatalf("Parse(create only): %v", err)
	}
	if got := len(s.Conversations[0].Turns); got != 0 {
		t.Errorf("len(Conversations[0].Turns) = %d, want 0", got)
	}
	if !s.Users.ReuseSession {
		t.Errorf("Users.ReuseSession = false, want true")
	}
	if s, _ := parseTest(t, minimal); s.Users.ReuseSession {
		t.Errorf("Parse(minimal).Users.ReuseSession = true, want false")
	}
}
