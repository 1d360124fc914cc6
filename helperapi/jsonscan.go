package helperapi

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Fast paths for the JSON the client reads on every exchange: the two
// parts whose content the data stream parser reads, d: (finish reason and
// usage) and 8: (the message id), the conversation slug and the session
// reply. encoding/json
// allocated about 23 times per reply for the parts alone, a third of a
// streamed exchange's allocations. Each fast path checks its input with
// json.Valid (which does not allocate), then walks the now known-valid JSON
// by hand for the common shapes; anything else (an escaped or non-ASCII key
// or string, a value of an unexpected type) goes to encoding/json, so the
// result is always exactly encoding/json's (FuzzFinishFastPath,
// FuzzAnnotationFastPath, FuzzStringMemberFastPath and FuzzSessionFastPath
// check it). The session reply has one too.

// parseFinish decodes a d: part; usage is nil when no count was reported.
func parseFinish(v []byte) (reason string, usage *Usage, ok bool) {
	if len(v) == 0 || v[0] != '{' || !json.Valid(v) {
		return "", nil, false
	}
	// As encoding/json into finishPart: usage is a pointer (null resets
	// it, a repeated object fills the same struct), and so are the counts.
	var hasUsage, hasPrompt, hasCompletion bool
	var prompt, completion float64
	m := members{v: v, i: 1}
	for {
		key, val, more := m.next()
		if !more {
			break
		}
		switch {
		case !plainASCII(key):
			return parseFinishJSON(v)
		case bytes.EqualFold(key, []byte("finishReason")):
			switch val[0] {
			case 'n': // null leaves the string as it was
			case '"':
				if !plainASCII(val[1 : len(val)-1]) {
					return parseFinishJSON(v)
				}
				reason = string(val[1 : len(val)-1])
			default:
				return parseFinishJSON(v)
			}
		case bytes.EqualFold(key, []byte("usage")):
			switch val[0] {
			case 'n':
				hasUsage, hasPrompt, hasCompletion = false, false, false
				continue
			case '{':
			default:
				return parseFinishJSON(v)
			}
			if !hasUsage {
				hasUsage, hasPrompt, hasCompletion = true, false, false
			}
			u := members{v: val, i: 1}
			for {
				k, x, more := u.next()
				if !more {
					break
				}
				var has *bool
				var f *float64
				switch {
				case !plainASCII(k):
					return parseFinishJSON(v)
				case bytes.EqualFold(k, []byte("promptTokens")):
					has, f = &hasPrompt, &prompt
				case bytes.EqualFold(k, []byte("completionTokens")):
					has, f = &hasCompletion, &completion
				default:
					continue
				}
				if x[0] == 'n' {
					*has = false
					continue
				}
				if x[0] != '-' && (x[0] < '0' || x[0] > '9') {
					return parseFinishJSON(v)
				}
				n, err := strconv.ParseFloat(string(x), 64)
				if err != nil {
					return parseFinishJSON(v)
				}
				*has, *f = true, n
			}
		}
	}
	if hasUsage && (hasPrompt || hasCompletion) {
		var p, c *float64
		if hasPrompt {
			p = &prompt
		}
		if hasCompletion {
			c = &completion
		}
		usage = &Usage{PromptTokens: count(p), CompletionTokens: count(c)}
	}
	return reason, usage, true
}

// annotationID validates an 8: part (a JSON array) and returns the last "id"
// of its object elements: Helper's stored assistant message id. A numeric id
// is returned in decimal.
func annotationID(v []byte) (string, bool) {
	if len(v) == 0 || v[0] != '[' || !json.Valid(v) {
		return "", false
	}
	var id string
	for i := skipSpace(v, 1); v[i] != ']'; {
		end := skipValue(v, i)
		if v[i] == '{' {
			var raw []byte // the object's last "id" value, as encoding/json keeps it
			m := members{v: v[i:end], i: 1}
			for {
				key, val, more := m.next()
				if !more {
					break
				}
				if !plainASCII(key) {
					return annotationIDJSON(v)
				}
				if bytes.EqualFold(key, []byte("id")) {
					raw = val
				}
			}
			if raw != nil {
				s, ok := plainID(raw)
				if !ok {
					return annotationIDJSON(v)
				}
				if s != "" {
					id = s
				}
			}
		}
		i = skipSpace(v, end)
		if v[i] == ',' {
			i = skipSpace(v, i+1)
		}
	}
	return id, true
}

// plainID is jsonID for a plain ASCII string, a number or another literal;
// false for what needs encoding/json (escapes, non-ASCII text).
func plainID(raw []byte) (string, bool) {
	switch c := raw[0]; {
	case c == '"':
		if !plainASCII(raw[1 : len(raw)-1]) {
			return "", false
		}
		return string(raw[1 : len(raw)-1]), true
	case c == '-' || c >= '0' && c <= '9':
		if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			return strconv.FormatInt(n, 10), true
		}
		return string(raw), true
	}
	return "", true // null, true, false, objects and arrays are no id
}

// plainStringMember decodes the member key of the JSON object v as
// encoding/json decodes it into a string field tagged key ("" when absent or
// null; keys match case-insensitively, the last one wins). ok is false when
// that takes encoding/json: v is not a valid object, the value is not a
// plain string or null, or a key is not plain.
func plainStringMember(v []byte, key string) (s string, ok bool) {
	if len(v) == 0 || v[0] != '{' || !json.Valid(v) {
		return "", false
	}
	m := members{v: v, i: 1}
	for {
		k, val, more := m.next()
		if !more {
			return s, true
		}
		if !plainASCII(k) {
			return "", false
		}
		if !bytes.EqualFold(k, []byte(key)) {
			continue
		}
		switch {
		case val[0] == 'n':
		case val[0] == '"' && plainASCII(val[1:len(val)-1]):
			s = string(val[1 : len(val)-1])
		default:
			return "", false
		}
	}
}

// plain decodes a session reply as encoding/json would (valid is a
// pointer: null resets it; the strings keep their value on null); false when
// that takes encoding/json.
func (r *sessionReply) plain(v []byte) bool {
	if len(v) == 0 || v[0] != '{' || !json.Valid(v) {
		return false
	}
	var valid, hasValid bool
	m := members{v: v, i: 1}
	for {
		k, val, more := m.next()
		if !more {
			break
		}
		var s *string
		switch {
		case !plainASCII(k):
			return false
		case bytes.EqualFold(k, []byte("valid")):
			switch string(val) {
			case "null":
				hasValid = false
			case "true", "false":
				hasValid, valid = true, val[0] == 't'
			default:
				return false
			}
			continue
		case bytes.EqualFold(k, []byte("token")):
			s = &r.Token
		case bytes.EqualFold(k, []byte("error")):
			s = &r.Error
		default:
			continue
		}
		switch {
		case val[0] == 'n':
		case val[0] == '"' && plainASCII(val[1:len(val)-1]):
			*s = string(val[1 : len(val)-1])
		default:
			return false
		}
	}
	if hasValid {
		r.Valid = &valid
	}
	return true
}

// plainASCII reports whether b is printable ASCII without a backslash: JSON
// string content that means exactly its bytes.
func plainASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// members walks the members of a JSON object that is known to be valid;
// i starts just after its '{'.
type members struct {
	v []byte
	i int
}

// next returns the next member's key (the bytes between its quotes) and
// value (the whole JSON value); false after the last.
func (m *members) next() (key, val []byte, ok bool) {
	i := skipSpace(m.v, m.i)
	if m.v[i] == ',' {
		i = skipSpace(m.v, i+1)
	}
	if m.v[i] == '}' {
		m.i = i
		return nil, nil, false
	}
	end := skipString(m.v, i)
	key = m.v[i+1 : end-1]
	i = skipSpace(m.v, end)
	i = skipSpace(m.v, i+1) // past ':'
	end = skipValue(m.v, i)
	m.i = end
	return key, m.v[i:end], true
}

func skipSpace(v []byte, i int) int {
	for i < len(v) && isJSONSpace(v[i]) {
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
	for i < len(v) && !isJSONSpace(v[i]) && v[i] != ',' && v[i] != '}' && v[i] != ']' {
		i++
	}
	return i
}
