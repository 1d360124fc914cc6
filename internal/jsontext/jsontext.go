// Package jsontext writes JSON strings without encoding/json's reflection
// and allocations, for the hot paths that frame JSON by hand: the mock's
// stream parts and the results file's records.
//
// AppendString matches the standard library's encoding/json/jsontext
// AppendQuote (Go's JSON v2, GOEXPERIMENT=jsonv2) byte for byte: RFC 8785's
// minimal escaping, which is also what JavaScript's JSON.stringify writes.
// encoding/json (v1) differs: it also escapes U+2028, U+2029 and, by
// default, <, > and &, and writes invalid UTF-8 as the escape \ufffd.
// FuzzMatchesJSONv2 (differential_test.go, behind the goexperiment.jsonv2
// build tag; make fuzz) checks the match; FuzzAppendString, in every test
// run, checks that encoding/json decodes each output back to its input.
package jsontext

import "unicode/utf8"

// AppendString appends s as a JSON string the way JavaScript's
// JSON.stringify writes it (the AI SDK's writer) and encoding/json/jsontext
// AppendQuote does: quotes and backslashes escaped, control characters as
// \b \t \n \f \r or \u00xx, everything else (including non-ASCII, U+2028
// and <, >, &) as is. Invalid UTF-8 becomes U+FFFD.
func AppendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\ufffd"...)
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
