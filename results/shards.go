package results

import (
	"fmt"
	"strconv"
	"strings"
)

// ShardList names some of a distributed run's n shards, as the collector's
// messages and the reports say them: "shard 3 of 4", "shards 1, 3 of 4".
func ShardList(list []int, n int) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = strconv.Itoa(v)
	}
	word := "shard"
	if len(list) > 1 {
		word = "shards"
	}
	return fmt.Sprintf("%s %s of %d", word, strings.Join(s, ", "), n)
}
