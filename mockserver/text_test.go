package mockserver

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCorpus(t *testing.T) {
	var nonASCII, escaped bool
	for i, s := range sentences {
		var joined strings.Builder
		for _, tok := range s {
			joined.WriteString(tok.text)
			var decoded string
			line := string(tok.line)
			if !strings.HasPrefix(line, "0:") || !strings.HasSuffix(line, "\n") ||
				json.Unmarshal([]byte(line[2:len(line)-1]), &decoded) != nil || decoded != tok.text {
				t.Errorf("token line %q does not encode %q", line, tok.text)
			}
			escaped = escaped || strings.Contains(line, `\`)
			nonASCII = nonASCII || utf8.RuneCountInString(tok.text) != len(tok.text)
		}
		if joined.String() != corpus[i] {
			t.Errorf("sentence %d tokens join to %q, want %q", i, joined.String(), corpus[i])
		}
	}
	if !nonASCII || !escaped {
		t.Errorf("corpus has non-ASCII %v, escapes %v; want both", nonASCII, escaped)
	}
}

func TestPlanReply(t *testing.T) {
	for _, n := range []int{1, 7, 200} {
		p := planReply(nil, n)
		var b strings.Builder
		for _, tok := range p.tokens {
			b.WriteString(tok.text)
		}
		if len(p.tokens) != n || b.String() != p.text {
			t.Errorf("planReply(%d): %d tokens, text %q; want %d tokens joining to the text", n, len(p.tokens), p.text, n)
		}
	}
}
