package jsonscan

import (
	"encoding/json"
	"testing"
)

func TestUnquoteJSON(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   string
		wantOK bool
	}{
		{"plain", `"hello"`, "hello", true},
		{"empty", `""`, "", true},
		{"non-ASCII without escapes", `"café 😀"`, "café 😀", true},
		{"short escapes", `"a\"b\\c\/d\be\ff\ng\rh\ti"`, "a\"b\\c/d\be\ff\ng\rh\ti", true},
		{"unicode escape", `"\u00e9\u00C9"`, "éÉ", true},
		{"surrogate pair", `"\ud83d\ude00"`, "😀", true},
		{"lone high surrogate", `"\ud83dx"`, "\uFFFDx", true},
		{"lone low surrogate", `"\ude00"`, "\uFFFD", true},
		{"high surrogate then non-surrogate escape", `"\ud83d\u0041"`, "\uFFFDA", true},
		{"invalid UTF-8 byte", "\"a\xffb\"", "a\uFFFDb", true},
		{"no quotes", `hello`, "", false},
		{"unterminated", `"abc`, "", false},
		{"trailing garbage", `"abc"x`, "", false},
		{"quote inside", `"a"b"`, "", false},
		{"raw newline", "\"a\nb\"", "", false},
		{"bad escape", `"\x41"`, "", false},
		{"short unicode escape", `"\u12"`, "", false},
		{"non-hex unicode escape", `"\u12g4"`, "", false},
		{"escape at end", `"abc\`, "", false},
		{"lone quote", `"`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, ok := Unquote([]byte(tt.in), nil)
			if ok != tt.wantOK || (ok && string(got) != tt.want) {
				t.Errorf("Unquote(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestUnquoteJSONFastPathAliases(t *testing.T) {
	in := []byte(`"no escapes here"`)
	got, _, ok := Unquote(in, nil)
	if !ok || &got[0] != &in[1] {
		t.Errorf("Unquote(%q) copied the text; want a sub-slice of the input", in)
	}
}

// FuzzUnquoteJSON holds Unquote to encoding/json on every input.
func FuzzUnquoteJSON(f *testing.F) {
	for _, s := range []string{`"a"`, `"\ud83d\ude00"`, `"\ud83d"`, "\"\xff\"", `"\u00e9\n\""`, `"x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		in = TrimSpace(in)
		got, _, ok := Unquote(in, nil)
		var want string
		err := json.Unmarshal(in, &want)
		wantOK := err == nil && len(in) > 0 && in[0] == '"'
		if ok != wantOK || (ok && string(got) != want) {
			t.Fatalf("Unquote(%q) = %q, %v; encoding/json: %q, %v", in, got, ok, want, err)
		}
	})
}

func BenchmarkUnquoteJSON(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"plain", `"a typical token "`},
		{"escaped", `"line\n \"quoted\" caf\u00e9 \ud83d\ude00"`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			in := []byte(bc.in)
			var buf []byte
			b.ReportAllocs()
			for b.Loop() {
				var ok bool
				if _, buf, ok = Unquote(in, buf); !ok {
					b.Fatal("not ok")
				}
			}
		})
	}
}
