package scenarios

import (
	"strings"
	"testing"
)

func TestExpandEnv(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "plain", want: "plain"},
		{in: "a $dollar and $5", want: "a $dollar and $5"},
		{in: "${HELPER_URL}/x", want: "http://127.0.0.1:9999/x"},
		{in: "${NOPE:-http://d}", want: "http://d"},
		{in: "${EMPTY:-fallback}", want: "fallback"},
		{in: "${EMPTY}", want: ""},
		{in: "${HELPER_URL:-unused}", want: "http://127.0.0.1:9999"},
		{in: "${NOPE:-}", want: ""},
		{in: "$${HELPER_URL}", want: "${HELPER_URL}"},
		{in: "a${HELPER_URL}b${NOPE:-c}d", want: "ahttp://127.0.0.1:9999bcd"},
		{in: "${NOPE}", wantErr: "environment variable NOPE is not set (write ${NOPE:-default} to give a default)"},
		{in: "${}", wantErr: `bad environment reference "${}"`},
		{in: "${A-B}", wantErr: `bad environment reference "${A-B}"`},
		{in: "${9}", wantErr: "bad environment reference"},
		{in: "x ${OPEN", wantErr: `unclosed "${OPEN"`},
		{in: "${HELPER_HMAC_SECRET}", wantErr: "names the HMAC secret's variable"},
		{in: "${HELPER_HMAC_SECRET:-x}", wantErr: "names the HMAC secret's variable"},
	}
	for _, tt := range tests {
		got, err := expandEnv(tt.in, lookupTestEnv, DefaultSecretEnv)
		switch {
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("expandEnv(%q) = %q, %v; want error containing %q", tt.in, got, err, tt.wantErr)
		case tt.wantErr == "" && (err != nil || got != tt.want):
			t.Errorf("expandEnv(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "marker") {
			t.Errorf("expandEnv(%q) error %q holds a variable's value", tt.in, err)
		}
	}
}

func TestSecretNeverInScenario(t *testing.T) {
	// Every variable holds the marker: whatever the scenario references,
	// neither the Scenario's strings nor any error may contain it, except
	// through a variable that the scenario author chose to expand (here
	// HELPER_URL, which is checked to expand).
	lookup := func(string) (string, bool) { return "http://marker.invalid", true }
	for _, src := range []string{
		strings.Replace(full, "${HELPER_URL:-http://127.0.0.1:8080}/", "${OTHER_SECRET}", 1),
		strings.Replace(full, `"${EMPTY:-none}"`, `"${OTHER_SECRET}"`, 1),
		strings.Replace(minimal, `"http://127.0.0.1:8080"`, `"${HELPER_HMAC_SECRET}"`, 1),
	} {
		s, err := Parse("t.yaml", []byte(src), WithLookupEnv(lookup))
		if err == nil {
			t.Errorf("Parse(%q) = %v, want a problem: it expands the secret's variable", src, s.Summary())
			continue
		}
		if strings.Contains(err.Error(), "marker") {
			t.Errorf("Parse error holds the secret: %v", err)
		}
	}
}

func FuzzExpandEnv(f *testing.F) {
	for _, s := range []string{"${A}", "${A:-b}", "$${A}", "${", "x${A}y${B:-}z", "${HELPER_HMAC_SECRET}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lookup := func(name string) (string, bool) {
			if name == DefaultSecretEnv {
				t.Fatalf("expandEnv(%q) looked up the secret's variable", s)
			}
			return "V", true
		}
		got, err := expandEnv(s, lookup, DefaultSecretEnv)
		if err == nil && !strings.Contains(s, "${") && got != s {
			t.Fatalf("expandEnv(%q) = %q, want it unchanged", s, got)
		}
	})
}
