package stream_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/loadgen/loadgen/helperapi/stream"
)

// A reply in the AI SDK data stream, fed in two reads that split a part:
// the Recorder times each text part by the read that completed it.
func ExampleNewParser() {
	var parts stream.Parts
	rec := stream.NewRecorder(&parts, true)
	p, err := stream.NewParser(http.Header{"X-Vercel-Ai-Data-Stream": {"v1"}}, rec)
	if err != nil {
		panic(err)
	}
	p.Feed([]byte("f:{\"messageId\":\"m1\"}\n0:\"Your order \"\n0:\"ship"), 300*time.Millisecond)
	p.Feed([]byte("ped.\"\nd:{\"finishReason\":\"stop\",\"usage\":{\"completionTokens\":2}}\n8:[{\"id\":\"42\"}]\n"), 340*time.Millisecond)
	parseErr := p.End(340 * time.Millisecond)
	if f := rec.Close(false, parseErr); f != nil {
		fmt.Println("broken:", f)
		return
	}
	fmt.Println(parts.Shape, parts.Text)
	fmt.Println("TTFT", parts.TTFT, "gaps", parts.Gaps, "tokens", parts.Tokens(), "message", parts.MessageID)
	// Output:
	// model Your order shipped.
	// TTFT 300ms gaps [40ms] tokens 2 message 42
}
