package jsontext

import (
	"encoding/json"
	"testing"
)

func TestAppendString(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", `""`},
		{"plain", `"plain"`},
		{`say "hi"`, `"say \"hi\""`},
		{`C:\path`, `"C:\\path"`},
		{"a\nb\tc\r", `"a\nb\tc\r"`},
		{"\x00\x1f\b\f", `"\u0000\u001f\b\f"`},
		{"<&>", `"<&>"`}, // JSON.stringify does not escape HTML
		{"café — ✓ 🙂", `"café — ✓ 🙂"`},
		{"\u2028", "\"\u2028\""},
		{"bad \xff byte", "\"bad \ufffd byte\""},
	}
	for _, tt := range tests {
		if got := string(AppendString(nil, tt.in)); got != tt.want {
			t.Errorf("AppendString(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "hi", "\"\\\n", "é✓🙂", "\xff\xfe", "\u2028<>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := AppendString(nil, s)
		var got string
		if err := json.Unmarshal(enc, &got); err != nil {
			t.Fatalf("AppendString(%q) = %s: not JSON: %v", s, enc, err)
		}
		if want := string([]rune(s)); got != want { // []rune maps each bad byte to U+FFFD
			t.Errorf("AppendString(%q) decodes to %q, want %q", s, got, want)
		}
	})
}
