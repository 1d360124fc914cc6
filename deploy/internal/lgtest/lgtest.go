// Package lgtest helps the deploy module's tests run the real loadgen: it
// builds the binary from the repository (the parent module) and starts
// processes whose output the tests read.
package lgtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/loadgen/loadgen/internal/testutil"
)

// BuildStatic builds a static Linux loadgen (CGO_ENABLED=0, as the image
// needs) into dir and returns its path. The go build cache makes a second
// build with the same flags cost only the link.
func BuildStatic(tb testing.TB, dir string) string {
	tb.Helper()
	bin, err := Build(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return bin
}

// Build is BuildStatic for callers without a testing.TB.
func Build(dir string) (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(filepath.Dir(string(bytes.TrimSpace(out)))) // …/deploy/go.mod
	bin := filepath.Join(dir, "loadgen")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/loadgen")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/loadgen: %v\n%s", err, out)
	}
	return bin, nil
}

// GetJSON decodes the JSON that GET url answers with 200.
func GetJSON(url string, v any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// StartMock starts cmd (a `loadgen mock` command with --addr 127.0.0.1:0)
// and returns its base URL, read from its first line of output. The mock is
// stopped when the test ends.
func StartMock(tb testing.TB, cmd *exec.Cmd) string {
	tb.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	var stderr testutil.SyncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start mock: %v", err)
	}
	tb.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case u := <-found:
		return u
	case <-time.After(20 * time.Second):
		tb.Fatalf("the mock did not say where it listens within 20 s; stderr:\n%s", stderr.String())
		return ""
	}
}

// Stats fetches a mock's GET /stats.
func Stats(ctx context.Context, base string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/stats", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET /stats: %s", resp.Status)
	}
	return io.ReadAll(resp.Body)
}
