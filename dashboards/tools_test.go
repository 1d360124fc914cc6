package dashboards

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// tool returns the path of a Prometheus binary (from the Debian packages
// prometheus and prometheus-pushgateway). When it is missing the test is
// skipped on a developer machine and fails in CI (CI set).
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := name + " not found in PATH: install the Debian packages prometheus and prometheus-pushgateway " +
		"(apt-get install -y prometheus prometheus-pushgateway)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg + "; CI is set, so this is a failure")
	}
	t.Skip(msg + "; skipping (set CI to make this a failure)")
	return ""
}

// promtool runs promtool with args and stdin, failing the test with its
// output when it exits non-zero. It returns the combined output.
func promtool(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool(t, "promtool"), args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
