package resultfile_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/loadgen/loadgen/resultfile"
)

// endless is an input without a newline that never ends (/dev/zero, a
// log without line ends).
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// A file whose first line never ends is not a results file, and is said to
// be after MaxLine bytes, not after reading it all (1.06–1.29 GB were read
// before "not a results file").
func TestReaderBoundsLines(t *testing.T) {
	counted := &countingReader{r: endless{}}
	_, err := resultfile.NewReader(counted, "huge")
	if !errors.Is(err, resultfile.ErrFormat) || !strings.Contains(err.Error(), "longer than 16 MiB") {
		t.Errorf("NewReader(endless) = %v, want ErrFormat: a line longer than 16 MiB", err)
	}
	if counted.n > 2*resultfile.MaxLine {
		t.Errorf("read %d bytes, want about MaxLine (%d)", counted.n, resultfile.MaxLine)
	}
	// The same for a long line after a good header.
	header := `{"k":"header","format":1,"run_id":"r"}` + "\n"
	r, err := resultfile.NewReader(io.MultiReader(strings.NewReader(header), endless{}), "huge")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); !errors.Is(err, resultfile.ErrFormat) || !strings.Contains(err.Error(), "huge:2") {
		t.Errorf("Next() on an endless second line = %v, want ErrFormat at huge:2", err)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
