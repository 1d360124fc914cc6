package jsonscan

import (
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Unquote decodes q, which must be exactly one JSON string literal (no
// surrounding space), the way encoding/json does: escapes resolved, surrogate
// pairs joined, lone surrogates and invalid UTF-8 bytes replaced by U+FFFD.
//
// The fast path returns a sub-slice of q without copying when the literal has
// no escapes and is valid UTF-8, which is what almost every text part looks
// like. Otherwise the text is decoded into buf's storage; the possibly grown
// buf is returned for reuse. ok is false when q is not a valid literal.
func Unquote(q, buf []byte) (s, grown []byte, ok bool) {
	if len(q) < 2 || q[0] != '"' {
		return nil, buf, false
	}
	i := 1
	for i < len(q) {
		c := q[i]
		if c == '"' || c == '\\' || c < 0x20 {
			break
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(q[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	if i == len(q)-1 && q[i] == '"' {
		return q[1:i], buf, true
	}
	buf = append(buf[:0], q[1:i]...)
	for i < len(q) {
		c := q[i]
		switch {
		case c == '"':
			return buf, buf, i == len(q)-1
		case c < 0x20:
			return nil, buf, false
		case c == '\\':
			var n int
			if buf, n = unescape(q[i:], buf); n == 0 {
				return nil, buf, false
			}
			i += n
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(q[i:])
			if r == utf8.RuneError && size == 1 {
				buf = utf8.AppendRune(buf, unicode.ReplacementChar)
			} else {
				buf = append(buf, q[i:i+size]...)
			}
			i += size
		}
	}
	return nil, buf, false // no closing quote
}

// unescape decodes the escape sequence at the start of q (q[0] == '\\') onto
// buf and returns how many bytes it used; 0 when the escape is invalid.
func unescape(q, buf []byte) ([]byte, int) {
	if len(q) < 2 {
		return buf, 0
	}
	switch q[1] {
	case '"', '\\', '/':
		return append(buf, q[1]), 2
	case 'b':
		return append(buf, '\b'), 2
	case 'f':
		return append(buf, '\f'), 2
	case 'n':
		return append(buf, '\n'), 2
	case 'r':
		return append(buf, '\r'), 2
	case 't':
		return append(buf, '\t'), 2
	case 'u':
		r := getu4(q)
		if r < 0 {
			return buf, 0
		}
		n := 6
		if utf16.IsSurrogate(r) {
			if dec := utf16.DecodeRune(r, getu4(q[6:])); dec != unicode.ReplacementChar {
				r, n = dec, 12
			} else {
				r = unicode.ReplacementChar
			}
		}
		return utf8.AppendRune(buf, r), n
	}
	return buf, 0
}

// getu4 decodes \uXXXX at the start of q; -1 when there is none.
func getu4(q []byte) rune {
	if len(q) < 6 || q[0] != '\\' || q[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range q[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
