package transcripts_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/loadgen/loadgen/transcripts"
)

func ExampleReader() {
	const jsonl = `{"conversation":"c1","role":"user","content":"Where is my order?","at":"2026-03-01T12:00:00Z","subject":"Order"}
{"conversation":"c1","role":"assistant","content":"It shipped yesterday.","at":"2026-03-01T12:00:04Z"}
{"conversation":"c1","role":"user","content":"Thanks!","at":"2026-03-01T12:00:34Z"}
{"conversation":"c2","role":"user","content":"Hi","at":"yesterday"}
`
	r := transcripts.NewReader(strings.NewReader(jsonl), transcripts.FormatJSONL, transcripts.WithFile("support.jsonl"))
	for {
		c, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s (%s):\n", c.ID, c.Subject)
		for _, t := range c.Turns() {
			fmt.Printf("  %q after %s (%s after the reply), reference %d chars\n", t.Content, t.SincePrevious, t.SinceReply, len(t.Reference))
		}
	}
	fmt.Println(r.Summary())
	// Output:
	// c1 (Order):
	//   "Where is my order?" after 0s (0s after the reply), reference 21 chars
	//   "Thanks!" after 34s (30s after the reply), reference 0 chars
	// support.jsonl: 1 bad record skipped (first: transcripts: support.jsonl:4: at: bad time "yesterday" (want RFC 3339, e.g. 2026-03-01T12:00:00Z))
}
