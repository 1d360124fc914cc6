package headless

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// StartForTest starts Chromium for a test and stops it when the test ends.
// Without Chromium the test is skipped on a developer machine and fails in
// CI (CI set), as the Prometheus integration tests do.
func StartForTest(tb testing.TB) *Browser {
	tb.Helper()
	path, err := Find()
	if err != nil {
		msg := err.Error() + " (Debian: apt-get install -y chromium)"
		if os.Getenv("CI") != "" {
			tb.Fatal(msg + "; CI is set, so this is a failure")
		}
		tb.Skip(msg + "; skipping (set CI to make this a failure)")
	}
	b, err := Start(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { b.Close() })
	return b
}

// OpenForTest writes page to a file in the test's temporary directory and
// loads it in a new tab of b at the given viewport width, failing the test
// on any error. It returns the tab and the page's file:// URL.
func OpenForTest(tb testing.TB, b *Browser, page []byte, width int) (*Page, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "page.html")
	if err := os.WriteFile(path, page, 0o644); err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := b.NewPage(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if err := p.SetViewport(ctx, width, 900); err != nil {
		tb.Fatal(err)
	}
	url := "file://" + path
	if err := p.Navigate(ctx, url); err != nil {
		tb.Fatal(err)
	}
	return p, url
}
