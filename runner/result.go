package runner

import (
	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/results"
)

// maxDetail bounds the error text kept in a Result.
const maxDetail = 200

// fill copies an exchange's timing and error into res.
func (s *sessionRun) fill(res *results.Result, t helperapi.Timing, err error) {
	if !t.Start.IsZero() {
		res.Start = t.Start
	}
	res.Code = t.Status
	res.Latency = t.Total
	res.TTFB = t.TTFB
	res.BytesIn = t.BytesIn
	res.BytesOut = t.BytesOut
	if err != nil {
		res.Error = kindOf(err)
		res.Detail = truncate(err.Error(), maxDetail)
		if res.Latency == 0 {
			res.Latency = s.r.clock.Now().Sub(res.Start)
		}
	}
}

// fillReply copies a streamed reply's measurements into res.
func (s *sessionRun) fillReply(res *results.Result, reply *helperapi.Reply, err error) {
	if reply == nil {
		s.fill(res, helperapi.Timing{}, err)
		return
	}
	s.fill(res, reply.Timing, err)
	res.TTFT = reply.TTFT
	res.Gaps = reply.Gaps
	res.Tokens = reply.Tokens()
	res.Parts = reply.TextParts
	res.Chars = reply.Chars
	if err == nil {
		res.Shape = shapeOf(reply.Shape)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
