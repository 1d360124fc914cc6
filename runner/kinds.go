package runner

import (
	"github.com/loadgen/loadgen/helperapi"
	"github.com/loadgen/loadgen/results"
)

// kindOf returns the results.Kind of an exchange's error: "" for nil. This
// switch is the one place the client's failure classes (helperapi.Kind)
// become the kinds results, metrics and reports count; a test checks that it
// covers every helperapi.Kinds() and that, with the runner's own kinds
// (expectation, template), it reaches every results.Kinds().
func kindOf(err error) results.Kind {
	if err == nil {
		return ""
	}
	k, ok := mapKind(helperapi.KindOf(err))
	if !ok {
		// Unreachable while the test passes; keep the client's word so the
		// failure still shows (metrics count it as "other").
		return results.Kind(helperapi.KindOf(err))
	}
	return k
}

func mapKind(k helperapi.Kind) (results.Kind, bool) {
	switch k {
	case helperapi.KindConnect:
		return results.KindConnect, true
	case helperapi.KindTimeout:
		return results.KindTimeout, true
	case helperapi.KindCanceled:
		return results.KindCanceled, true
	case helperapi.KindNetwork:
		return results.KindNetwork, true
	case helperapi.KindRateLimited:
		return results.KindRateLimited, true
	case helperapi.KindAuth:
		return results.KindAuth, true
	case helperapi.KindHTTP4xx:
		return results.KindHTTP4xx, true
	case helperapi.KindHTTP5xx:
		return results.KindHTTP5xx, true
	case helperapi.KindStreamTruncated:
		return results.KindStreamTruncated, true
	case helperapi.KindStreamError:
		return results.KindStreamError, true
	case helperapi.KindProtocol:
		return results.KindProtocol, true
	case helperapi.KindNoReply:
		return results.KindNoReply, true
	case helperapi.KindLocal:
		return results.KindLocal, true
	}
	return "", false
}

// shapeOf returns the results.Shape of a complete reply's helperapi.Shape:
// the other mapping from the client's words, checked like kindOf.
func shapeOf(s helperapi.Shape) results.Shape {
	switch s {
	case helperapi.ShapeModel:
		return results.ShapeModel
	case helperapi.ShapeSingleShot:
		return results.ShapeSingleShot
	case helperapi.ShapeEmpty:
		return results.ShapeEmpty
	}
	return results.Shape(s)
}

// runnerKinds are the kinds the runner gives steps itself, not from the
// client's errors.
var runnerKinds = []results.Kind{results.KindExpectation, results.KindTemplate}
