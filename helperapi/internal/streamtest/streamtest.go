// Package streamtest holds reply bodies shared by the tests and benchmarks of
// helperapi and helperapi/stream, so that the client's benchmark and the
// parser's read the same bytes.
package streamtest

import (
	"bytes"
	"fmt"
)

// ModelReply is Helper's usual model reply in the AI SDK v4 data stream:
// a step, three text parts, the finish parts, then a source and the
// annotation carrying the stored message id (43), which come after d:.
const ModelReply = `f:{"messageId":"msg-123"}
0:"Sure, "
0:"your order "
0:"shipped."
e:{"finishReason":"stop","usage":{"promptTokens":10,"completionTokens":3},"isContinued":false}
d:{"finishReason":"stop","usage":{"promptTokens":10,"completionTokens":3}}
h:{"sourceType":"url","id":"s1","url":"https://example.com/faq","title":"FAQ"}
8:[{"id":"43","traceId":"tr-1"}]
`

// BenchReply is a realistic model reply of n text parts, every 16th one
// escaped, with a data part first and usage in the finish parts.
func BenchReply(n int) []byte {
	var b bytes.Buffer
	b.WriteString("2:[{\"status\":\"searching\"}]\nf:{\"messageId\":\"msg-0123456789\"}\n")
	for i := range n {
		if i%16 == 15 {
			b.WriteString(`0:"line\n \"quoted\" caf\u00e9 "` + "\n")
		} else {
			fmt.Fprintf(&b, "0:\"token%d \"\n", i)
		}
	}
	fmt.Fprintf(&b, "e:{\"finishReason\":\"stop\",\"usage\":{\"promptTokens\":812,\"completionTokens\":%d},\"isContinued\":false}\n", n)
	fmt.Fprintf(&b, "d:{\"finishReason\":\"stop\",\"usage\":{\"promptTokens\":812,\"completionTokens\":%d}}\n", n)
	b.WriteString("8:[{\"id\":\"4321\",\"traceId\":\"tr-abc\"}]\n")
	return b.Bytes()
}
