package scenarios

import (
	"math/rand/v2"
	"testing"
)

func TestPickProportions(t *testing.T) {
	src := head + `conversations:
  - {name: a, weight: 1, turns: [{message: x}]}
  - {name: b, weight: 3, turns: [{message: x}]}
  - {name: c, weight: 6, turns: [{message: x}]}
`
	parsed, err := parseTest(t, src)
	if err != nil {
		t.Fatal(err)
	}
	// The same mix built in code (no precomputed weights) must agree.
	built := &Scenario{Conversations: parsed.Conversations}
	for _, tc := range []struct {
		name string
		s    *Scenario
	}{{"parsed", parsed}, {"built in code", built}} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			const n = 20000
			counts := map[string]int{}
			for range n {
				counts[tc.s.Pick(r).Name]++
			}
			for name, want := range map[string]float64{"a": 0.1, "b": 0.3, "c": 0.6} {
				if got := float64(counts[name]) / n; got < want-0.02 || got > want+0.02 {
					t.Errorf("Pick chose %s %.3f of the time, want %.2f ± 0.02 (counts %v)", name, got, want, counts)
				}
			}
		})
	}
}

func TestPickEdgeCases(t *testing.T) {
	if c := (&Scenario{}).Pick(nil); c != nil {
		t.Errorf("Pick on no conversations = %v, want nil", c)
	}
	s := &Scenario{Conversations: []ConversationSpec{{Name: "only"}}} // Weight 0 counts as 1
	if c := s.Pick(nil); c == nil || c.Name != "only" {
		t.Errorf("Pick(nil) = %v, want the only conversation", c)
	}
}

func BenchmarkPick(b *testing.B) {
	s, err := Parse("b.yaml", []byte(head+`conversations:
  - {name: a, weight: 1, turns: [{message: x}]}
  - {name: b, weight: 3, turns: [{message: x}]}
  - {name: c, weight: 6, turns: [{message: x}]}
  - {name: d, weight: 2, turns: [{message: x}]}
`))
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	b.ReportAllocs()
	for b.Loop() {
		s.Pick(r)
	}
}
