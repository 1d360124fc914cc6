// Package jsonscan reads JSON that json.Valid has accepted, without
// allocating, for the fast paths of the Helper client: the session reply,
// the conversation slug and the d: and 8: parts of a streamed reply.
//
// Every function here either gives exactly what encoding/json would decode
// or reports false, meaning the input needs encoding/json (an escaped or
// non-ASCII key or string, a value of an unexpected type); the callers then
// fall back to it, and their fuzz tests hold each fast path to encoding/json's
// result. Member and Elements require valid JSON: they do not check it again.
//
// The package is internal to helperapi so that the mock server, which must
// meet the client only on the wire, cannot share it.
package jsonscan

import "encoding/json"

// Object reports whether v is a valid JSON object (no surrounding space).
func Object(v []byte) bool { return len(v) > 0 && v[0] == '{' && json.Valid(v) }

// Array reports whether v is a valid JSON array (no surrounding space).
func Array(v []byte) bool { return len(v) > 0 && v[0] == '[' && json.Valid(v) }

// Members calls set for each member of the valid JSON object obj whose key
// matches one of keys as encoding/json matches a field name (ASCII case
// folded), with the key's index in keys and the member's whole value, in the
// order the members appear (so the last of repeated keys wins, as in
// encoding/json). It returns false as soon as set does, or when a key is
// not plain (PlainASCII): an escaped or non-ASCII key might match after
// decoding, which takes encoding/json.
func Members(obj []byte, keys []string, set func(key int, val []byte) bool) bool {
	v := obj
	i := 1 // just after '{'
	for {
		i = skipSpace(v, i)
		if v[i] == ',' {
			i = skipSpace(v, i+1)
		}
		if v[i] == '}' {
			return true
		}
		end := skipString(v, i)
		key := v[i+1 : end-1]
		i = skipSpace(v, end)
		i = skipSpace(v, i+1) // past ':'
		end = skipValue(v, i)
		val := v[i:end]
		i = end
		if !PlainASCII(key) {
			return false
		}
		for k, name := range keys {
			if equalFold(key, name) {
				if !set(k, val) {
					return false
				}
				break
			}
		}
	}
}

// Elements calls each for every element of the valid JSON array arr, in
// order; it returns false as soon as each does.
func Elements(arr []byte, each func(val []byte) bool) bool {
	v := arr
	for i := skipSpace(v, 1); v[i] != ']'; {
		end := skipValue(v, i)
		if !each(v[i:end]) {
			return false
		}
		i = skipSpace(v, end)
		if v[i] == ',' {
			i = skipSpace(v, i+1)
		}
	}
	return true
}

// String decodes the valid JSON value val into *dst as encoding/json decodes
// it into a string field: null leaves *dst as it was, a plain string sets
// it. It returns false for anything else (an escaped or non-ASCII string, a
// value of another type).
func String(dst *string, val []byte) bool {
	switch {
	case val[0] == 'n':
		return true
	case val[0] == '"' && PlainASCII(val[1:len(val)-1]):
		*dst = string(val[1 : len(val)-1])
		return true
	}
	return false
}

// StringMember decodes the member key of the JSON object v as encoding/json
// decodes it into a string field tagged key ("" when absent or null; keys
// match case-insensitively, the last one wins). ok is false when that takes
// encoding/json: v is not a valid object, the value is not a plain string or
// null, or a key is not plain.
func StringMember(v []byte, key string) (s string, ok bool) {
	if !Object(v) {
		return "", false
	}
	keys := [1]string{key}
	if !Members(v, keys[:], func(_ int, val []byte) bool { return String(&s, val) }) {
		return "", false
	}
	return s, true
}

// PlainASCII reports whether b is printable ASCII without a backslash: JSON
// string content that means exactly its bytes.
func PlainASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// equalFold reports whether the plain ASCII key equals name, ASCII case
// folded. encoding/json folds Unicode too, but a plain key has no other
// letters to fold.
func equalFold(key []byte, name string) bool {
	if len(key) != len(name) {
		return false
	}
	for i := range len(key) {
		a, b := key[i], name[i]
		if a != b && lower(a) != lower(b) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(v []byte, i int) int {
	for i < len(v) && isSpace(v[i]) {
		i++
	}
	return i
}

// skipString returns the index after the string that opens at v[i].
func skipString(v []byte, i int) int {
	for i++; v[i] != '"'; i++ {
		if v[i] == '\\' {
			i++
		}
	}
	return i + 1
}

// skipValue returns the index after the valid JSON value that starts at v[i].
func skipValue(v []byte, i int) int {
	switch v[i] {
	case '"':
		return skipString(v, i)
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch v[i] {
			case '"':
				i = skipString(v, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	}
	for i < len(v) && !isSpace(v[i]) && v[i] != ',' && v[i] != '}' && v[i] != ']' {
		i++
	}
	return i
}

// TrimSpace trims JSON white space (space, tab, CR, LF) from both ends of b.
func TrimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// isSpace reports whether c is JSON white space.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
