package results_test

import (
	"testing"

	"github.com/loadgen/loadgen/results"
)

func TestShardList(t *testing.T) {
	for _, tc := range []struct {
		list []int
		n    int
		want string
	}{{[]int{3}, 4, "shard 3 of 4"}, {[]int{0, 2}, 4, "shards 0, 2 of 4"}} {
		if got := results.ShardList(tc.list, tc.n); got != tc.want {
			t.Errorf("ShardList(%v, %d) = %q, want %q", tc.list, tc.n, got, tc.want)
		}
	}
}
