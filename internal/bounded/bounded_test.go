package bounded_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/loadgen/loadgen/internal/bounded"
)

func TestReadAll(t *testing.T) {
	tests := []struct {
		in      string
		limit   int64
		wantErr bool
	}{
		{"", 0, false},
		{"abc", 3, false},
		{"abcd", 3, true},
		{strings.Repeat("x", 1<<16), 1 << 16, false},
		{strings.Repeat("x", 1<<16+1), 1 << 16, true},
	}
	for _, tt := range tests {
		b, err := bounded.ReadAll(strings.NewReader(tt.in), "f", "a test", tt.limit)
		if tt.wantErr {
			if !bounded.IsTooLarge(err) || b != nil {
				t.Errorf("ReadAll(%d bytes, limit %d) = %d bytes, %v; want a *TooLargeError", len(tt.in), tt.limit, len(b), err)
			}
			continue
		}
		if err != nil || string(b) != tt.in {
			t.Errorf("ReadAll(%d bytes, limit %d) = %d bytes, %v; want them all", len(tt.in), tt.limit, len(b), err)
		}
	}
}

func TestReader(t *testing.T) {
	for _, n := range []int{0, 1, 9, 10, 11, 100} {
		r := bounded.Reader(strings.NewReader(strings.Repeat("x", n)), "f", "a test", 10)
		b, err := io.ReadAll(r)
		switch {
		case n <= 10 && (err != nil || len(b) != n):
			t.Errorf("read %d bytes through a 10-byte Reader: %d bytes, %v; want all, nil", n, len(b), err)
		case n > 10 && (!bounded.IsTooLarge(err) || len(b) != 10):
			t.Errorf("read %d bytes through a 10-byte Reader: %d bytes, %v; want 10 bytes and a *TooLargeError", n, len(b), err)
		}
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 bytes", 1000: "1000 bytes", 64 << 10: "64 KiB", 8 << 20: "8 MiB", 3 << 30: "3 GiB", 1<<20 + 1: "1048577 bytes"} {
		if got := bounded.Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}

func ExampleReadAll() {
	_, err := bounded.ReadAll(strings.NewReader("a very long secret"), "secret.txt", "a secret file", 8)
	fmt.Println(err)
	var tl *bounded.TooLargeError
	fmt.Println(errors.As(err, &tl), tl.Limit)
	// Output:
	// secret.txt: larger than 8 bytes, the limit for a secret file (is this the right file?)
	// true 8
}
