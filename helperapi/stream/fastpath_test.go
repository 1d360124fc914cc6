package stream

import (
	"reflect"
	"testing"

	"github.com/loadgen/loadgen/helperapi/internal/jsonscan"
)

var finishSeeds = []string{
	`{"finishReason":"stop","usage":{"promptTokens":812,"completionTokens":40}}`,
	`{"finishReason":"tool-calls","usage":{"promptTokens":null,"completionTokens":3},"isContinued":false}`,
	`{"FINISHREASON":"x","usage":null}`,
	`{"usage":{"promptTokens":1},"usage":{"completionTokens":2}}`,
	`{"usage":{"promptTokens":1},"usage":null,"usage":{"completionTokens":2}}`,
	`{"finishReason":"st\u006fp"}`,
	`{"finishReason":7}`,
	`{"usage":{"promptTokens":"9"}}`,
	`{"usage":{"promptTokens":1e400}}`,
	`{"usage":{"promptTokens":-5,"completionTokens":2.5e1}}`,
	`{ "finishReason" : "stop" , "x" : [ {"y":"}"} ] , "usage" : { "a":{"b":[1,2]}, "completionTokens" : 4 } }`,
	`{"finishReasoN":"a","finishReason":"b"}`,
	`{"ſinishReason":"kelvin"}`,
	`{}`, `{`, `[1]`, `{"a":1}x`,
}

func TestFinishFastPath(t *testing.T) {
	for _, s := range finishSeeds {
		checkFinish(t, []byte(s))
	}
}

func checkFinish(t *testing.T, v []byte) {
	t.Helper()
	r1, u1, ok1 := parseFinish(v)
	r2, u2, ok2 := parseFinishJSON(v)
	if r1 != r2 || ok1 != ok2 || !reflect.DeepEqual(u1, u2) {
		t.Errorf("parseFinish(%q) = %q, %+v, %v; encoding/json gives %q, %+v, %v", v, r1, u1, ok1, r2, u2, ok2)
	}
}

func FuzzFinishFastPath(f *testing.F) {
	for _, s := range finishSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) { checkFinish(t, jsonscan.TrimSpace(v)) })
}

var annotationSeeds = []string{
	`[{"id":"43","traceId":"tr-1"}]`,
	`[{"id":43}]`, `[{"id":-0}]`, `[{"id":1.5}]`, `[{"id":12345678901234567890}]`,
	`[{"id":"a"},{"id":"b"}]`, `[{"id":"a"},{"id":null}]`, `[{"id":"a"},{"id":""}]`,
	`[{"ID":"x","id":"y"}]`, `[{"id":"x","Id":true}]`,
	`[1,"s",[{"id":"nested"}],{"other":{"id":"deep"}}]`,
	`[{"id":"caf\u00e9"}]`, `[{"id":"café"}]`, `[{"\u0069d":"escaped key"}]`,
	`[ ]`, `[]`, `[{"id":"1"}`, `{"id":"1"}`,
}

func TestAnnotationFastPath(t *testing.T) {
	for _, s := range annotationSeeds {
		checkAnnotation(t, []byte(s))
	}
}

func checkAnnotation(t *testing.T, v []byte) {
	t.Helper()
	id1, ok1 := annotationID(v)
	id2, ok2 := annotationIDJSON(v)
	if id1 != id2 || ok1 != ok2 {
		t.Errorf("annotationID(%q) = %q, %v; encoding/json gives %q, %v", v, id1, ok1, id2, ok2)
	}
}

func FuzzAnnotationFastPath(f *testing.F) {
	for _, s := range annotationSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) { checkAnnotation(t, jsonscan.TrimSpace(v)) })
}
