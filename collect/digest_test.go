package collect

import (
	"bytes"
	"crypto/sha256"
	"testing"
)

func TestParseDigest(t *testing.T) {
	sum := sha256.Sum256([]byte("hello"))
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{ContentDigest(sum[:]), true},
		{"sha-512=:AAAA:, " + ContentDigest(sum[:]), true}, // other algorithms are skipped
		{"SHA-256=:" + ContentDigest(sum[:])[len("sha-256=:"):], true},
		{"", false},
		{"sha-256=abc", false},
		{"sha-256=:AAAA:", false}, // not 32 bytes
		{"md5=:AAAA:", false},
	} {
		got, err := parseDigest(tc.in)
		if (err == nil) != tc.ok || (tc.ok && !bytes.Equal(got, sum[:])) {
			t.Errorf("parseDigest(%q) = %x, %v; want ok=%v", tc.in, got, err, tc.ok)
		}
	}
}

func FuzzParseDigest(f *testing.F) {
	sum := sha256.Sum256(nil)
	f.Add(ContentDigest(sum[:]))
	f.Add("sha-256=::")
	f.Add("a=b, sha-256=:x:")
	f.Fuzz(func(t *testing.T, v string) {
		got, err := parseDigest(v)
		if err == nil && len(got) != sha256.Size {
			t.Fatalf("parseDigest(%q) = %d bytes without an error", v, len(got))
		}
		if err == nil {
			if again, err := parseDigest(ContentDigest(got)); err != nil || !bytes.Equal(again, got) {
				t.Fatalf("round trip of %x: %x, %v", got, again, err)
			}
		}
	})
}
