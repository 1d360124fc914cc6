package scenarios

import (
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// endlessFS serves the files of base, and every name in endless as a file
// of zero bytes that never ends, like /dev/zero.
type endlessFS struct {
	base    fstest.MapFS
	endless map[string]bool
}

func (e endlessFS) Open(name string) (fs.File, error) {
	if e.endless[name] {
		return zeroFile{}, nil
	}
	return e.base.Open(name)
}

type zeroFile struct{}

func (zeroFile) Stat() (fs.FileInfo, error) { return zeroInfo{}, nil }
func (zeroFile) Close() error               { return nil }
func (zeroFile) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

type zeroInfo struct{}

func (zeroInfo) Name() string       { return "zero" }
func (zeroInfo) Size() int64        { return 0 }
func (zeroInfo) Mode() fs.FileMode  { return 0 }
func (zeroInfo) ModTime() time.Time { return time.Time{} }
func (zeroInfo) IsDir() bool        { return false }
func (zeroInfo) Sys() any           { return nil }

var _ io.Reader = zeroFile{}

// A scenario or feeder file that never ends (loadgen validate /dev/zero
// grew to 24 GB) is an error naming the file and the cap, after reading no
// more than the cap.
func TestLoadFileIsBounded(t *testing.T) {
	feeders := head + `feeders:
  - {file: data/users.csv}
users: {email: "{{.Vars.email}}"}
conversations:
  - name: c
    turns: [{message: hi}]
`
	defer func(s, f int64) { maxScenarioFile, maxFeederFile = s, f }(maxScenarioFile, maxFeederFile)
	maxScenarioFile, maxFeederFile = 1<<20, 2<<20 // a test need not read hundreds of MB
	tests := []struct {
		name, endless, want string
	}{
		{"scenario", "s/s.yaml", "s/s.yaml: larger than 1 MiB, the limit for a scenario file"},
		{"feeder", "s/data/users.csv", "s/data/users.csv: larger than 2 MiB, the limit for a feeder file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := endlessFS{base: feederFS(feeders), endless: map[string]bool{tt.endless: true}}
			_, err := LoadFile("s/s.yaml", WithFS(fsys), WithLookupEnv(lookupTestEnv))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadFile with an endless %s: %v, want an error with %q", tt.name, err, tt.want)
			}
		})
	}
}
