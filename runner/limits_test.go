package runner

import (
	"strings"
	"testing"
)

func TestConnCap(t *testing.T) {
	tests := []struct {
		name        string
		sessions    int
		limit       uint64
		idle        int
		want        int
		warningWith string
	}{
		{"unknown limit: none", 50, 0, 100, 0, ""},
		{"unknown sessions: the limit's", 0, 1024, 100, 1024 - fdReserve - 100, ""},
		{"small limit halves for the idle pool", 0, 256, 100, 96, ""},
		{"sessions within the limit", 50, 1024, 100, 860, ""},
		{"sessions at the limit", 96, 256, 100, 96, ""},
		{"sessions over the limit: warned", 600, 256, 100, 96,
			"up to 600 sessions in flight, but the file limit (256) lets loadgen hold only 96 connections at once"},
		{"the warning says thinking users need none", 50000, 20000, 1024, 20000 - fdReserve - 1024, "users thinking between turns hold none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warning := connCap(tt.sessions, tt.limit, tt.idle)
			if got != tt.want || (tt.warningWith == "") != (warning == "") || !strings.Contains(warning, tt.warningWith) {
				t.Errorf("connCap(%d, %d, %d) = %d, %q; want %d and a warning with %q", tt.sessions, tt.limit, tt.idle, got, warning, tt.want, tt.warningWith)
			}
		})
	}
}
