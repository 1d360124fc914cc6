package report

import (
	"io"
	"strings"
	"testing"
)

// A summary JSON that never ends is an error after maxSummary bytes, not a
// process out of memory.
func TestReadJSONIsBounded(t *testing.T) {
	defer func(m int64) { maxSummary = m }(maxSummary)
	maxSummary = 1 << 20 // the test need not read 256 MiB
	_, err := ReadJSON(io.MultiReader(strings.NewReader(`{"steps": "`), endless{}))
	if err == nil || !strings.Contains(err.Error(), "larger than 1 MiB, the limit for a summary JSON") {
		t.Errorf("ReadJSON(endless) = %v, want an error over the limit", err)
	}
}

type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}
