package image

import (
	"archive/tar"
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/loadgen/loadgen/deploy/internal/lgtest"
)

// TestImage builds the image from a fresh static loadgen, writes it as an
// OCI layout, reads it back from disk, unpacks its file system and runs
// `loadgen version` and a short `loadgen run` against `loadgen mock`, both
// from the unpacked file system: chrooted into it as the image's non-root
// user when the test runs as root (as CI does), else directly.
func TestImage(t *testing.T) {
	work := t.TempDir()
	bin := lgtest.BuildStatic(t, work)
	img, err := Build(Config{Binary: bin, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(work, "layout")
	if err := WriteLayout(dir, img, "loadgen:test"); err != nil {
		t.Fatal(err)
	}
	if err := WriteDockerArchive(filepath.Join(work, "image.tar"), img, "loadgen:test"); err != nil {
		t.Fatal(err)
	}

	// Reproducible: the same inputs give the same digest.
	again, err := Build(Config{Binary: bin, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := img.Digest()
	d2, _ := again.Digest()
	if d1 != d2 {
		t.Errorf("two builds of one binary: digests %s and %s, want equal", d1, d2)
	}

	read, err := ReadLayout(dir, "loadgen:test")
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := read.Digest(); d != d1 {
		t.Errorf("layout's image digest %s, want %s", d, d1)
	}
	cf, err := read.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if !slices.Equal(c.Entrypoint, []string{BinaryPath}) || c.User != "65532:65532" || cf.OS != "linux" {
		t.Errorf("config: entrypoint %q, user %q, os %q; want [%s], 65532:65532, linux", c.Entrypoint, c.User, cf.OS, BinaryPath)
	}

	rootfs := filepath.Join(work, "rootfs")
	unpack(t, mutate.Extract(read), rootfs)
	pem, err := os.ReadFile(filepath.Join(rootfs, CACertsPath))
	if err != nil {
		t.Fatal(err)
	}
	if pool := x509.NewCertPool(); !pool.AppendCertsFromPEM(pem) {
		t.Errorf("%s holds no certificate Go can load", CACertsPath)
	}

	in := inImage{rootfs: rootfs, env: slices.Concat(c.Env, []string{"HELPER_HMAC_SECRET=image-test-secret"})}
	out, err := in.command(c.Entrypoint, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "loadgen ") {
		t.Fatalf("loadgen version in the image: %v\n%s", err, out)
	}
	t.Logf("from the image (%s): %s", in.how(), bytes.TrimSpace(out))

	mock := lgtest.StartMock(t, in.command(c.Entrypoint, "mock", "--addr", "127.0.0.1:0", "--ttft", "20ms"))
	scenario := `version: 1
name: image-check
target: {base_url: "http://127.0.0.1:1"}
users: {email: "image-{{.Seq}}@example.com"}
load: {users: 2, duration: 2s}
conversations:
  - name: hello
    turns: [{message: Hello}]
`
	if err := os.WriteFile(filepath.Join(rootfs, "tmp/scenario.yaml"), []byte(scenario), 0o644); err != nil {
		t.Fatal(err)
	}
	run := in.command(c.Entrypoint, "run", "--quiet", "--target", mock, "--out", "/tmp/results.jsonl",
		"--summary-json", "/tmp/summary.json", "/tmp/scenario.yaml")
	out, err = run.CombinedOutput()
	if err != nil {
		t.Fatalf("loadgen run in the image: %v\n%s", err, out)
	}
	var sum struct {
		Steps map[string]struct {
			Count  int64 `json:"count"`
			Errors int64 `json:"errors"`
		} `json:"steps"`
	}
	b, err := os.ReadFile(filepath.Join(rootfs, "tmp/summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	msg := sum.Steps["message"]
	if msg.Count == 0 || msg.Errors != 0 {
		t.Errorf("run in the image: %d messages, %d errors; want some and none\n%s", msg.Count, msg.Errors, out)
	}
	if in.chroot {
		fi, err := os.Stat(filepath.Join(rootfs, "tmp/results.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		if uid := fi.Sys().(*syscall.Stat_t).Uid; uid != UID {
			t.Errorf("results file owned by uid %d, want %d (the image's user)", uid, UID)
		}
	}
	t.Logf("run in the image: %d messages against the mock, no errors", msg.Count)
}

// TestBuildRefusesDynamicBinary: the image has no C library, so a binary
// that needs one must not go in.
func TestBuildRefusesDynamicBinary(t *testing.T) {
	sh, err := exec.LookPath("sh") // a dynamically linked executable on any distribution
	if err != nil {
		t.Skip("no sh")
	}
	real, _ := filepath.EvalSymlinks(sh)
	_, err = Build(Config{Binary: real})
	if err == nil || !strings.Contains(err.Error(), "dynamically linked") {
		t.Errorf("Build(%s) = %v, want a 'dynamically linked' error", real, err)
	}
	_, err = Build(Config{Binary: "image.go"})
	if err == nil || !strings.Contains(err.Error(), "not an ELF executable") {
		t.Errorf("Build(image.go) = %v, want a 'not an ELF executable' error", err)
	}
}

// inImage runs commands from an unpacked image file system.
type inImage struct {
	rootfs string
	env    []string
	chroot bool
}

func (in *inImage) how() string {
	if os.Geteuid() == 0 {
		return "chroot, uid 65532"
	}
	return "not root: the unpacked binary, without chroot"
}

// command returns a command running argv (the entrypoint) plus args in the
// image: chrooted as the image's user when root, else the unpacked binary
// with the image's environment.
func (in *inImage) command(entrypoint []string, args ...string) *exec.Cmd {
	argv := slices.Concat(entrypoint, args)
	cmd := &exec.Cmd{Args: argv, Env: in.env}
	if os.Geteuid() == 0 {
		in.chroot = true
		cmd.Path = argv[0] // resolved inside the chroot
		cmd.Dir = HomeDir
		cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: in.rootfs, Credential: &syscall.Credential{Uid: UID, Gid: GID}}
		return cmd
	}
	cmd.Path = filepath.Join(in.rootfs, argv[0])
	cmd.Dir = in.rootfs
	for i, a := range cmd.Args { // paths inside the image, seen from outside
		if strings.HasPrefix(a, "/tmp/") {
			cmd.Args[i] = filepath.Join(in.rootfs, a)
		}
	}
	return cmd
}

// unpack extracts a flattened image file system (a tar) into dir, keeping
// modes, and owners when running as root.
func unpack(t *testing.T, rc io.ReadCloser, dir string) {
	t.Helper()
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, h.Name)
		if !strings.HasPrefix(path, dir+string(os.PathSeparator)) {
			t.Fatalf("image entry %q leaves the root", h.Name)
		}
		mode := os.FileMode(h.Mode & 0o777)
		if h.Mode&0o1000 != 0 {
			mode |= os.ModeSticky
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(path, 0o755)
		case tar.TypeReg:
			var f *os.File
			if f, err = os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600); err == nil {
				_, err = io.Copy(f, tr)
				err = errors.Join(err, f.Close())
			}
		default:
			err = fmt.Errorf("unexpected entry type %c", h.Typeflag)
		}
		if err == nil {
			err = os.Chmod(path, mode)
		}
		if err == nil && os.Geteuid() == 0 {
			err = os.Lchown(path, h.Uid, h.Gid)
		}
		if err != nil {
			t.Fatalf("unpack %s: %v", h.Name, err)
		}
		os.Chtimes(path, time.Now(), h.ModTime)
	}
}
