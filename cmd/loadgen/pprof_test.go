package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestRunWritesProfiles(t *testing.T) {
	_, url := e2eMock(t)
	t.Setenv("HELPER_HMAC_SECRET", secretMarker)
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "heap.pprof")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"run", "--quiet", "--target", url, "--duration", "500ms",
		"--cpuprofile", cpu, "--memprofile", mem, writeScenario(t, "message.ttft.p50 < 30s")}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit code %d, want 0\nstderr:\n%s", code, stderr.String())
	}
	for _, p := range []string{cpu, mem} {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		// A pprof profile is a gzipped protocol buffer.
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: not gzipped: %v", filepath.Base(p), err)
		}
		if n, err := io.Copy(io.Discard, zr); err != nil || n == 0 {
			t.Errorf("%s: %d bytes, %v; want a profile", filepath.Base(p), n, err)
		}
	}
}
