package stream

import (
	"encoding/json"
	"strconv"

	"github.com/loadgen/loadgen/helperapi/internal/jsonscan"
)

// Fast paths for the two parts whose content the data stream parser reads
// on every reply: d: (finish reason and usage) and 8: (the message id).
// encoding/json allocated about 23 times per reply for these parts alone, a
// third of a streamed exchange's allocations. Each fast path checks its input
// with json.Valid (which does not allocate), then walks the now known-valid
// JSON with jsonscan for the common shapes; anything else (an escaped or
// non-ASCII key or string, a value of an unexpected type) goes to the
// encoding/json version below it, so the result is always exactly
// encoding/json's (FuzzFinishFastPath and FuzzAnnotationFastPath check it).

// The members of a d: part and of its usage that the fast path reads, by
// their index in these lists.
var (
	finishKeys = []string{"finishReason", "usage"}
	usageKeys  = []string{"promptTokens", "completionTokens"}
)

// parseFinish decodes a d: part; usage is nil when no count was reported.
func parseFinish(v []byte) (reason string, usage *Usage, ok bool) {
	if !jsonscan.Object(v) {
		return "", nil, false
	}
	// As encoding/json into finishPart: usage is a pointer (null resets it,
	// a repeated object fills the same struct), and so are the counts.
	var hasUsage bool
	var has [2]bool       // promptTokens, completionTokens reported
	var counts [2]float64 // their values
	plain := jsonscan.Members(v, finishKeys, func(k int, val []byte) bool {
		if k == 0 { // finishReason
			return jsonscan.String(&reason, val)
		}
		switch val[0] {
		case 'n':
			hasUsage, has = false, [2]bool{}
			return true
		case '{':
		default:
			return false
		}
		if !hasUsage {
			hasUsage, has = true, [2]bool{}
		}
		return jsonscan.Members(val, usageKeys, func(k int, x []byte) bool {
			if x[0] == 'n' {
				has[k] = false
				return true
			}
			if x[0] != '-' && (x[0] < '0' || x[0] > '9') {
				return false
			}
			n, err := strconv.ParseFloat(string(x), 64)
			if err != nil {
				return false
			}
			has[k], counts[k] = true, n
			return true
		})
	})
	if !plain {
		return parseFinishJSON(v)
	}
	if hasUsage && (has[0] || has[1]) {
		var p, c *float64
		if has[0] {
			p = &counts[0]
		}
		if has[1] {
			c = &counts[1]
		}
		usage = &Usage{PromptTokens: count(p), CompletionTokens: count(c)}
	}
	return reason, usage, true
}

// idKey is the member of an annotation that holds a message id.
var idKey = []string{"id"}

// annotationID validates an 8: part (a JSON array) and returns the last "id"
// of its object elements: Helper's stored assistant message id. A numeric id
// is returned in decimal.
func annotationID(v []byte) (string, bool) {
	if !jsonscan.Array(v) {
		return "", false
	}
	var id string
	plain := jsonscan.Elements(v, func(elem []byte) bool {
		if elem[0] != '{' {
			return true
		}
		var raw []byte // the object's last "id" value, as encoding/json keeps it
		if !jsonscan.Members(elem, idKey, func(_ int, val []byte) bool { raw = val; return true }) {
			return false
		}
		if raw == nil {
			return true
		}
		s, ok := plainID(raw)
		if s != "" {
			id = s
		}
		return ok
	})
	if !plain {
		return annotationIDJSON(v)
	}
	return id, true
}

// plainID is jsonID for a plain ASCII string, a number or another literal;
// false for what needs encoding/json (escapes, non-ASCII text).
func plainID(raw []byte) (string, bool) {
	switch c := raw[0]; {
	case c == '"':
		if !jsonscan.PlainASCII(raw[1 : len(raw)-1]) {
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

// finishPart is the JSON of a d: part. Usage numbers are null when the
// provider did not report them.
type finishPart struct {
	FinishReason string     `json:"finishReason"`
	Usage        *usageJSON `json:"usage"`
}

// parseFinishJSON decodes a d: part with encoding/json; usage is nil when no
// count was reported. parseFinish is its fast path.
func parseFinishJSON(v []byte) (reason string, usage *Usage, ok bool) {
	if len(v) == 0 || v[0] != '{' {
		return "", nil, false
	}
	var f finishPart
	if json.Unmarshal(v, &f) != nil {
		return "", nil, false
	}
	return f.FinishReason, f.Usage.usage(), true
}

// usageJSON is the usage of a finish part as encoding/json reads it: a count
// is nil when the provider did not report it.
type usageJSON struct {
	PromptTokens     *float64 `json:"promptTokens"`
	CompletionTokens *float64 `json:"completionTokens"`
}

// usage converts u; nil when u is nil or reports no count.
func (u *usageJSON) usage() *Usage {
	if u == nil || u.PromptTokens == nil && u.CompletionTokens == nil {
		return nil
	}
	return &Usage{PromptTokens: count(u.PromptTokens), CompletionTokens: count(u.CompletionTokens)}
}

// count converts a reported token count; nil or negative is 0.
func count(f *float64) int {
	if f == nil || *f < 0 || *f > 1<<31 {
		return 0
	}
	return int(*f)
}

// annotationIDJSON validates an 8: part (a JSON array) and returns the last
// "id" of its object elements: Helper's stored assistant message id. A
// numeric id is returned in decimal. It uses encoding/json; annotationID is
// its fast path.
func annotationIDJSON(v []byte) (string, bool) {
	if len(v) == 0 || v[0] != '[' {
		return "", false
	}
	var items []json.RawMessage
	if json.Unmarshal(v, &items) != nil {
		return "", false
	}
	var id string
	for _, it := range items {
		if len(it) == 0 || it[0] != '{' {
			continue
		}
		var a struct {
			ID json.RawMessage `json:"id"`
		}
		if json.Unmarshal(it, &a) != nil || len(a.ID) == 0 {
			continue
		}
		if s := jsonID(a.ID); s != "" {
			id = s
		}
	}
	return id, true
}

// jsonID renders a JSON string or number id as text; "" for other values.
func jsonID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		if i, err := n.Int64(); err == nil {
			return strconv.FormatInt(i, 10)
		}
		return n.String()
	}
	return ""
}
