package scenarios

import (
	"math/rand/v2"
	"sort"
)

// cumulativeWeights returns the running sums of the conversations' weights.
func cumulativeWeights(convs []ConversationSpec) []int {
	cum := make([]int, len(convs))
	total := 0
	for i, c := range convs {
		total += weight(c)
		cum[i] = total
	}
	return cum
}

// weight is a conversation's weight, 1 when unset.
func weight(c ConversationSpec) int { return max(c.Weight, 1) }

// Pick chooses a conversation at random in proportion to the weights, with
// r (nil: the global source). It is safe for concurrent use with distinct
// r and does not allocate. It returns nil when there are no conversations.
// For a Scenario built in code rather than parsed, a Weight of 0 counts as 1.
func (s *Scenario) Pick(r *rand.Rand) *ConversationSpec {
	n := len(s.Conversations)
	if n == 0 {
		return nil
	}
	intN := rand.IntN
	if r != nil {
		intN = r.IntN
	}
	if len(s.cumWeights) != n { // built in code: walk the weights
		total := 0
		for _, c := range s.Conversations {
			total += weight(c)
		}
		x := intN(total)
		for i := range s.Conversations {
			if x -= weight(s.Conversations[i]); x < 0 {
				return &s.Conversations[i]
			}
		}
	}
	x := intN(s.cumWeights[n-1])
	return &s.Conversations[sort.SearchInts(s.cumWeights, x+1)]
}
