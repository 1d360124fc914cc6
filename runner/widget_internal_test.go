package runner

import (
	"slices"
	"testing"
)

func TestExtraPageViews(t *testing.T) {
	tests := []struct {
		messages, pageViews int
		want                []int // page views after each message
	}{
		{2, 1, []int{0, 0}},
		{2, 2, []int{0, 1}},    // after the last message
		{3, 2, []int{0, 1, 0}}, // between the second and the third
		{1, 3, []int{2}},
		{4, 3, []int{0, 1, 1, 0}},
		{0, 3, []int{}},
	}
	for _, tt := range tests {
		got := extraPageViews(tt.messages, tt.pageViews)
		if !slices.Equal(got, tt.want) {
			t.Errorf("extraPageViews(%d, %d) = %v, want %v", tt.messages, tt.pageViews, got, tt.want)
		}
		sum := 0
		for _, n := range got {
			sum += n
		}
		if tt.messages > 0 && sum != tt.pageViews-1 {
			t.Errorf("extraPageViews(%d, %d) places %d page views, want %d", tt.messages, tt.pageViews, sum, tt.pageViews-1)
		}
	}
}
