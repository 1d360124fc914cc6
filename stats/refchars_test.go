package stats_test

import (
	"testing"

	"github.com/loadgen/loadgen/results"
	"github.com/loadgen/loadgen/stats"
)

func TestSummaryCountsRecordedReplies(t *testing.T) {
	parts := []*stats.Aggregate{stats.New(), stats.New()}
	for i, r := range []*results.Result{
		{Step: results.StepMessage, Chars: 30, RefChars: 60},
		{Step: results.StepMessage, Chars: 10, RefChars: 20, Error: results.KindExpectation},
		{Step: results.StepMessage, Chars: 0, RefChars: 50, Error: "timeout"}, // no reply: not compared
		{Step: results.StepMessage, Chars: 99},                                // no recorded reply
		{Step: results.StepPoll, Chars: 5, RefChars: 10},                      // async: the poll carries the reply
	} {
		parts[i%2].Record(r)
	}
	parts[0].Merge(parts[1])
	d := parts[0].Snapshot()
	msg, poll := d.Step(results.StepMessage), d.Step(results.StepPoll)
	if msg.Referenced != 2 || msg.RefReplyChars != 40 || msg.RefChars != 80 {
		t.Errorf("message: Referenced, RefReplyChars, RefChars = %d, %d, %d; want 2, 40, 80", msg.Referenced, msg.RefReplyChars, msg.RefChars)
	}
	if poll.Referenced != 1 || poll.RefReplyChars != 5 || poll.RefChars != 10 {
		t.Errorf("poll: Referenced, RefReplyChars, RefChars = %d, %d, %d; want 1, 5, 10", poll.Referenced, poll.RefReplyChars, poll.RefChars)
	}
}
