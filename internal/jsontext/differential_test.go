//go:build goexperiment.jsonv2

// The differential test against the standard library's encoding/json/v2
// string encoder, which Go builds only with GOEXPERIMENT=jsonv2:
//
//	GOEXPERIMENT=jsonv2 go test -run '^$' -fuzz FuzzMatchesJSONv2 -fuzztime 1m ./internal/jsontext
//
// (make fuzz runs it). Without the experiment this file is left out.

package jsontext

import (
	"bytes"
	stdjsontext "encoding/json/jsontext"
	"testing"
)

// FuzzMatchesJSONv2 checks that AppendString writes exactly what
// encoding/json/jsontext.AppendQuote writes (RFC 8785's minimal form), byte
// for byte, invalid UTF-8 included (both put U+FFFD in its place; AppendQuote
// also reports an error, which AppendString has no use for).
func FuzzMatchesJSONv2(f *testing.F) {
	for _, s := range []string{"", "plain", `say "hi"`, `C:\path`, "a\nb\tc\r", "\x00\x1f\b\f\x7f",
		"<&>", "café — ✓ 🙂", "\u2028\u2029", "bad \xff byte", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := stdjsontext.AppendQuote(nil, s)
		if got := AppendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("AppendString(%q) = %s\njsontext.AppendQuote writes %s", s, got, want)
		}
	})
}
