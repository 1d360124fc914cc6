package scenarios

import (
	"fmt"
	"strings"
)

// expandEnv replaces ${NAME} and ${NAME:-default} in s with the value of the
// environment variable NAME as lookup reports it; ${NAME:-default} uses
// default when NAME is unset or empty, and "$${" is a literal "${". A "$"
// not followed by "{" is kept as is. The variable named secret (the HMAC
// secret's) is refused so that the secret never lands in a Scenario.
func expandEnv(s string, lookup func(string) (string, bool), secret string) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		if i > 0 && s[i-1] == '$' { // "$${": a literal "${"
			b.WriteString(s[:i-1])
			b.WriteString("${")
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("unclosed %q (want ${NAME} or ${NAME:-default})", s[i:])
		}
		ref := s[i : i+end+1]
		name, def, hasDef := strings.Cut(ref[2:len(ref)-1], ":-")
		if !isEnvName(name) {
			return "", fmt.Errorf("bad environment reference %q (want ${NAME} or ${NAME:-default}, NAME of letters, digits and '_')", ref)
		}
		if name == secret {
			return "", fmt.Errorf("%s names the HMAC secret's variable, which is never expanded into a scenario (loadgen reads it itself from hmac_secret_env)", ref)
		}
		v, ok := lookup(name)
		switch {
		case hasDef && v == "":
			v = def
		case !ok:
			return "", fmt.Errorf("environment variable %s is not set (write ${%s:-default} to give a default)", name, name)
		}
		b.WriteString(v)
		s = s[i+end+1:]
	}
}

// isEnvName reports whether s is a valid environment variable name.
func isEnvName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
