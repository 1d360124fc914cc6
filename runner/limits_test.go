package runner

import (
	"strings"
	"testing"
)

func TestSessionCap(t *testing.T) {
	tests := []struct {
		name        string
		max, users  int
		limit       uint64
		idle        int
		want        int
		warningWith string
	}{
		{"unknown limit keeps max", 50, 0, 0, 100, 50, ""},
		{"unknown limit, no max: none", 0, 0, 0, 100, 0, ""},
		{"no max: the limit's", 0, 0, 1024, 100, 1024 - fdReserve - 100, ""},
		{"small limit halves for the idle pool", 0, 0, 256, 100, 96, ""},
		{"users over the limit: warned", 0, 600, 256, 100, 96, "600 users, but the file limit (256) lets loadgen hold only 96"},
		{"max within the limit", 50, 0, 1024, 100, 50, ""},
		{"max over the limit: capped and warned", 5000, 0, 1024, 100, 860, "max_sessions 5000 is more than the file limit (1024)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warning := sessionCap(tt.max, tt.users, tt.limit, tt.idle)
			if got != tt.want || (tt.warningWith == "") != (warning == "") || !strings.Contains(warning, tt.warningWith) {
				t.Errorf("sessionCap(%d, %d, %d, %d) = %d, %q; want %d and a warning with %q", tt.max, tt.users, tt.limit, tt.idle, got, warning, tt.want, tt.warningWith)
			}
		})
	}
}
