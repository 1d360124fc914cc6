package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadgen/loadgen/internal/testutil"
	"github.com/loadgen/loadgen/mockserver"
)

// startMockCommand runs `loadgen mock` with args until the test ends and
// returns its URL and outputs.
func startMockCommand(t *testing.T, args ...string) (url string, stdout, stderr *testutil.SyncBuffer, stop func() int) {
	t.Helper()
	stdout, stderr = &testutil.SyncBuffer{}, &testutil.SyncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() { code <- Main(ctx, append([]string{"mock", "-addr", "127.0.0.1:0"}, args...), stdout, stderr) }()
	re := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)\n`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
			break
		}
		select {
		case c := <-code:
			t.Fatalf("loadgen mock exited with %d: %s", c, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("loadgen mock printed no URL: stdout %q stderr %q", stdout.String(), stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	var once sync.Once
	exit := -1
	stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case exit = <-code:
			case <-time.After(10 * time.Second):
				t.Fatal("loadgen mock did not stop after cancel")
			}
		})
		return exit
	}
	t.Cleanup(func() { stop() })
	return url, stdout, stderr, stop
}

// signedSession creates an email session with secret and returns the status and body.
func signedSession(t *testing.T, client *http.Client, url, secret string) (int, string) {
	t.Helper()
	ts := time.Now().UnixMilli()
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "ann@example.com:%d", ts)
	body := fmt.Sprintf(`{"email":"ann@example.com","emailHash":%q,"timestamp":%d}`, hex.EncodeToString(mac.Sum(nil)), ts)
	resp, err := client.Post(url+"/api/widget/session", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMockCommandSecretFromEnv(t *testing.T) {
	const secret = "cmd-test-secret-0b9d17"
	t.Setenv("HELPER_HMAC_SECRET", secret)
	url, stdout, stderr, stop := startMockCommand(t, "-ttft", "0", "-token-interval", "0", "-fail-429", "0")
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()

	code, body := signedSession(t, client, url, secret)
	if code != 200 {
		t.Fatalf("session signed with the env secret: %d %s", code, body)
	}
	token := regexp.MustCompile(`"token":"([^"]+)"`).FindStringSubmatch(body)[1]
	if code, _ := signedSession(t, client, url, mockserver.DevSecret); code != 401 {
		t.Errorf("session signed with the dev secret: %d, want 401", code)
	}
	resp, err := client.Get(url + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	stats, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(stats), `"sessions":{"email":1,"anonymous":0}`) {
		t.Errorf("GET /stats = %s, want one email session", stats)
	}
	if got := stop(); got != exitOK {
		t.Errorf("exit code after cancel = %d, want 0", got)
	}
	out := stdout.String() + stderr.String() + string(stats)
	for _, s := range []string{secret, token} {
		if strings.Contains(out, s) {
			t.Errorf("output contains the secret or a token:\n%s", out)
		}
	}
	if strings.Contains(out, "DEVELOPMENT SECRET") {
		t.Errorf("output mentions the development secret while %s is set", "HELPER_HMAC_SECRET")
	}
	if !strings.Contains(stderr.String(), "mock started") || !strings.Contains(stderr.String(), "mock stopped") {
		t.Errorf("stderr = %q, want start and stop logs", stderr.String())
	}
}

func TestMockCommandDevSecret(t *testing.T) {
	t.Setenv("HELPER_HMAC_SECRET", "")
	os.Unsetenv("HELPER_HMAC_SECRET")
	url, _, stderr, _ := startMockCommand(t)
	if !strings.Contains(stderr.String(), "PUBLIC DEVELOPMENT SECRET \""+mockserver.DevSecret+"\"") {
		t.Errorf("stderr = %q, want the development secret announced as such", stderr.String())
	}
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	if code, body := signedSession(t, client, url, mockserver.DevSecret); code != 200 {
		t.Errorf("session signed with the dev secret: %d %s", code, body)
	}
}

func TestMockCommandUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  []string // substrings of stderr
	}{
		{"bad share", []string{"-data-part", "2"}, exitUsage, []string{"DataPart: 2 not in [0, 1]"}},
		{"bad distribution", []string{"-ttft", "fast"}, exitUsage, []string{"invalid value \"fast\" for flag -ttft"}},
		{"bad range", []string{"-tokens", "9-3"}, exitUsage, []string{"max 3 below min 9"}},
		{"bad log level", []string{"-log-level", "loud"}, exitUsage, []string{"-log-level"}},
		{"arguments", []string{"extra"}, exitUsage, []string{"unexpected arguments"}},
		{"bad address", []string{"-addr", "256.0.0.1:1"}, exitRunError, []string{"listen"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(context.Background(), append([]string{"mock"}, tt.args...), &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("loadgen mock %v = %d, want %d (stderr %s)", tt.args, code, tt.wantCode, stderr.String())
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("loadgen mock %v: stderr lacks %q:\n%s", tt.args, want, stderr.String())
				}
			}
		})
	}
}
