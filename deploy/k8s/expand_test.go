package k8s

import (
	"slices"
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	env := map[string]string{"I": "2", "N": "4", "URL": "http://c:8080", "EMPTY": ""}
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	for _, tc := range []struct{ in, want string }{
		{"--shard=$(I)/$(N)", "--shard=2/4"},
		{"$(URL)", "http://c:8080"},
		{"$(EMPTY)x", "x"},
		{"$(UNDEFINED)", "$(UNDEFINED)"}, // left as written
		{"$$(I)", "$(I)"},                // escaped
		{"$$$(I)", "$2"},                 // an escaped $, then a reference
		{"cost: $5", "cost: $5"},         // not a reference
		{"$(I", "$(I"},                   // incomplete
		{"$", "$"},                       // a lone operator at the end
		{"$(I)$(N)$", "24$"},             // adjacent references
		{"a$(I)b$$c", "a2b$c"},           // mixed
		{"$()", "$()"},                   // empty name: unknown
		{"no references", "no references"},
	} {
		if got := Expand(tc.in, lookup); got != tc.want {
			t.Errorf("Expand(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestReferences(t *testing.T) {
	got := References("--shard=$(JOB_COMPLETION_INDEX)/$(SHARDS) $$(NOT) $(URL)")
	want := []string{"JOB_COMPLETION_INDEX", "SHARDS", "URL"}
	if !slices.Equal(got, want) {
		t.Errorf("References = %q, want %q", got, want)
	}
}

func FuzzExpand(f *testing.F) {
	for _, s := range []string{"$(A)", "$$(A)", "$(A", "$", "a$b$(B)c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// With no variables known, expansion changes only "$$" into "$".
		got := Expand(s, func(string) (string, bool) { return "", false })
		if len(got) > len(s) {
			t.Fatalf("Expand(%q) = %q grew", s, got)
		}
		// Each known reference is looked up and replaced by its value
		// exactly once. The marker is a byte s does not hold (a NUL inside
		// a reference's name, "$(\x00)", once made the count come out 0).
		n := len(References(s))
		var looked int
		marker := absentByte(s)
		marked := Expand(s, func(string) (string, bool) { looked++; return string(marker), true })
		if looked != n {
			t.Fatalf("Expand(%q) looked up %d references, References found %d", s, looked, n)
		}
		if c := countByte(marked, marker); c != n && strings.IndexByte(s, marker) < 0 {
			t.Fatalf("Expand(%q) replaced %d references, References found %d", s, c, n)
		}
	})
}

// absentByte returns a byte that s does not hold (0 when s holds them all).
func absentByte(s string) byte {
	var seen [256]bool
	for i := range len(s) {
		seen[s[i]] = true
	}
	for b := range 256 {
		if !seen[b] {
			return byte(b)
		}
	}
	return 0
}

func countByte(s string, b byte) int {
	n := 0
	for i := range len(s) {
		if s[i] == b {
			n++
		}
	}
	return n
}
