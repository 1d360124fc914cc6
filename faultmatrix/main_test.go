package faultmatrix

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadgenBin is the loadgen binary TestMain built for the whole package.
var loadgenBin string

// Environment of the rlimit wrapper: when wrapExec is set, the test binary
// does not run tests; it sets the limits and execs the program in its
// arguments (see wrap), so that a limit holds from the child's first
// instruction, as `ulimit -n 256; exec loadgen …` would in a shell.
const (
	wrapExec   = "FAULTMATRIX_EXEC"
	wrapNofile = "FAULTMATRIX_RLIMIT_NOFILE"
	wrapFsize  = "FAULTMATRIX_RLIMIT_FSIZE"
	wrapNoINT  = "FAULTMATRIX_IGNORE_SIGINT" // start with SIGINT ignored, as a script's background job does
)

func TestMain(m *testing.M) {
	if os.Getenv(wrapExec) != "" {
		os.Exit(execWithLimits())
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "faultmatrix-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "faultmatrix:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	// FAULTMATRIX_LOADGEN runs the matrix against another build (say, an
	// older one, to see which cases it fails).
	if bin := os.Getenv("FAULTMATRIX_LOADGEN"); bin != "" {
		loadgenBin = bin
		return m.Run()
	}
	// Built once, without -race: the matrix tests loadgen's behaviour, and
	// the race detector's cost would skew every bound.
	loadgenBin = filepath.Join(dir, "loadgen")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", loadgenBin, "github.com/loadgen/loadgen/cmd/loadgen").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "faultmatrix: go build ./cmd/loadgen: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// execWithLimits is the wrapper: it sets the rlimits named in the
// environment and execs os.Args[1:].
func execWithLimits() int {
	set := func(env string, resource int) error {
		v := os.Getenv(env)
		if v == "" {
			return nil
		}
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fmt.Errorf("%s=%q: %w", env, v, err)
		}
		return syscall.Setrlimit(resource, &syscall.Rlimit{Cur: n, Max: n})
	}
	if err := set(wrapNofile, syscall.RLIMIT_NOFILE); err != nil {
		fmt.Fprintln(os.Stderr, "faultmatrix wrapper:", err)
		return 127
	}
	if err := set(wrapFsize, syscall.RLIMIT_FSIZE); err != nil {
		fmt.Fprintln(os.Stderr, "faultmatrix wrapper:", err)
		return 127
	}
	// Set SIGINT's disposition for the program whatever the test's own is
	// (a test run in a script's background job starts with it ignored):
	// ignored survives the exec; a handler becomes the default action.
	if os.Getenv(wrapNoINT) != "" {
		signal.Ignore(os.Interrupt)
	} else {
		signal.Notify(make(chan os.Signal, 1), os.Interrupt)
	}
	env := make([]string, 0, len(os.Environ()))
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FAULTMATRIX_") {
			env = append(env, kv)
		}
	}
	err := syscall.Exec(os.Args[1], os.Args[1:], env)
	fmt.Fprintln(os.Stderr, "faultmatrix wrapper: exec:", err)
	return 127
}

// wrap returns the command that runs bin with args under the given limits
// (0: inherited), with SIGINT ignored from the start when noINT, else with
// its default action.
func wrap(ctx context.Context, nofile, fsize uint64, noINT bool, bin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], append([]string{bin}, args...)...)
	cmd.Env = append(os.Environ(), wrapExec+"=1")
	if noINT {
		cmd.Env = append(cmd.Env, wrapNoINT+"=1")
	}
	if nofile > 0 {
		cmd.Env = append(cmd.Env, wrapNofile+"="+strconv.FormatUint(nofile, 10))
	}
	if fsize > 0 {
		cmd.Env = append(cmd.Env, wrapFsize+"="+strconv.FormatUint(fsize, 10))
	}
	return cmd
}
