package main

import (
	"context"
	"net"
	"strings"
	"testing"
)

// A --metrics-addr that cannot be bound is a usage error before the run
// starts, not a panic (it was a nil dereference in outputs.close).
func TestRunMetricsAddrErrors(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	mock, url := e2eMock(t)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	for _, addr := range []string{taken.Addr().String(), "nonsense"} {
		var stdout, stderr strings.Builder
		code := Main(context.Background(), []string{"run", "--quiet", "--target", url, "--metrics-addr", addr,
			writeScenario(t, "message.ttft.p50 < 30s")}, &stdout, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), "--metrics-addr") {
			t.Errorf("run --metrics-addr %s: exit %d, stderr %q; want %d and an error naming --metrics-addr", addr, code, stderr.String(), exitUsage)
		}
	}
	if st := mock.Stats(); st.Sessions.Email+st.Sessions.Anonymous != 0 {
		t.Errorf("the mock saw %+v sessions: the run started although /metrics could not be served", st.Sessions)
	}
}
