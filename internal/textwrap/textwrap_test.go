package textwrap

import (
	"slices"
	"testing"
)

func TestLines(t *testing.T) {
	tests := []struct {
		text  string
		width int
		want  []string
	}{
		{"", 10, nil},
		{"one two three", 7, []string{"one two", "three"}},
		{"  spaced \n out  ", 20, []string{"spaced out"}},
		{"a verylongword b", 4, []string{"a", "verylongword", "b"}},
	}
	for _, tt := range tests {
		if got := Lines(tt.text, tt.width); !slices.Equal(got, tt.want) {
			t.Errorf("Lines(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
		}
	}
}
