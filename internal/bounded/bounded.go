// Package bounded reads loadgen's inputs with a cap on their size, so that
// a wrong path (/dev/zero, a multi-gigabyte log, a file without newlines)
// ends in a clear error within a bounded amount of memory instead of
// growing until the process is killed.
package bounded

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// TooLargeError reports an input over its cap.
type TooLargeError struct {
	Name  string // the file, or what was read
	What  string // what the input should be, e.g. "a scenario"
	Limit int64  // the cap in bytes
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: larger than %s, the limit for %s (is this the right file?)", e.Name, Size(e.Limit), e.What)
}

// Size formats n bytes for a person: "64 KiB", "8 MiB".
func Size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ReadAll reads r to its end, or returns a *TooLargeError naming name and
// what once more than limit bytes arrive (having read limit+1 at most).
func ReadAll(r io.Reader, name, what string, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{Name: name, What: what, Limit: limit}
	}
	return b, nil
}

// ReadFile reads the file name (from fsys when it is not nil) with ReadAll.
func ReadFile(fsys fs.FS, name, what string, limit int64) ([]byte, error) {
	var f io.ReadCloser
	var err error
	if fsys != nil {
		f, err = fsys.Open(name)
	} else {
		f, err = os.Open(name)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, name, what, limit)
}

// Reader returns a reader of r that fails with a *TooLargeError once more
// than limit bytes were read through it, for inputs read as a stream.
func Reader(r io.Reader, name, what string, limit int64) io.Reader {
	return &reader{r: r, left: limit, err: &TooLargeError{Name: name, What: what, Limit: limit}}
}

type reader struct {
	r    io.Reader
	left int64
	err  *TooLargeError
}

func (l *reader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, l.err
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n + int(l.left), l.err // what was within the limit, then the error
	}
	return n, err
}

// IsTooLarge reports whether err is, or wraps, a *TooLargeError.
func IsTooLarge(err error) bool {
	var e *TooLargeError
	return errors.As(err, &e)
}
