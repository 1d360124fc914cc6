package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestShardUsageErrors: a shard's flags that cannot work with a collector
// fail before the run, with exit 2, rather than after it or never.
func TestShardUsageErrors(t *testing.T) {
	sc := writeScenario(t, "message.ttft.p50 < 30s")
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	notCollector := httptest.NewServer(http.NotFoundHandler()) // any other server: the target, a typo'd path
	defer notCollector.Close()
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"--threshold is the collector's", []string{"--threshold", "errors.rate < 1%"}, "give --threshold to loadgen collect"},
		{"--abort-on-fail is the collector's", []string{"--abort-on-fail"}, "--abort-on-fail with --collector"},
		{"a URL that is not a collector's", []string{"--collector", notCollector.URL + "/typo"}, "no loadgen collector at this URL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"run", "--quiet", "--shard", "0/2", "--collector", notCollector.URL}, tt.args...)
			var stdout, stderr bytes.Buffer
			if code := Main(context.Background(), append(args, sc), &stdout, &stderr); code != exitUsage {
				t.Errorf("exit code %d, want %d (usage)\nstderr:\n%s", code, exitUsage, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, stderr.String())
			}
		})
	}
}
