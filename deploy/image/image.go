// Package image builds loadgen's container image without Docker or any
// daemon, with go-containerregistry: one layer holding the static loadgen
// binary, a CA bundle, /etc/passwd and /etc/group entries for a non-root
// user, and a writable /tmp; the entrypoint is loadgen, the user non-root.
//
// Build makes the image; WriteLayout writes it as an OCI image layout (a
// directory that skopeo, crane, podman and containerd read) and
// WriteDockerArchive as a `docker save` tarball (for `docker load` and
// `kind load image-archive`). The same inputs give the same digest: every
// file's time is Config.Created and the layer is written in a fixed order.
package image

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Paths and the user inside the image.
const (
	BinaryPath  = "/usr/local/bin/loadgen"
	CACertsPath = "/etc/ssl/certs/ca-certificates.crt"
	HomeDir     = "/home/nonroot"
	UID         = 65532 // the "nonroot" user of distroless images
	GID         = 65532
)

// DefaultCACerts is where Debian, Ubuntu and Alpine keep the CA bundle.
const DefaultCACerts = "/etc/ssl/certs/ca-certificates.crt"

// Config describes the image to build.
type Config struct {
	Binary   string    // path of a static Linux loadgen binary (CGO_ENABLED=0)
	CACerts  string    // path of a PEM CA bundle (default DefaultCACerts)
	Arch     string    // GOARCH of the binary (default amd64)
	Version  string    // loadgen's version, for the image's labels
	Revision string    // VCS revision, for the image's labels (optional)
	Created  time.Time // creation time and every file's time (default the Unix epoch, for reproducible digests)
}

// Build returns the image. It refuses a binary that is not a static ELF
// executable for o.Arch: the image has no C library or dynamic loader.
func Build(o Config) (v1.Image, error) {
	if o.CACerts == "" {
		o.CACerts = DefaultCACerts
	}
	if o.Arch == "" {
		o.Arch = "amd64"
	}
	if o.Created.IsZero() {
		o.Created = time.Unix(0, 0)
	}
	bin, err := os.ReadFile(o.Binary)
	if err != nil {
		return nil, fmt.Errorf("image: binary: %w", err)
	}
	if err := checkStatic(bin, o.Arch); err != nil {
		return nil, fmt.Errorf("image: %s: %w", o.Binary, err)
	}
	certs, err := os.ReadFile(o.CACerts)
	if err != nil {
		return nil, fmt.Errorf("image: CA certificates: %w", err)
	}
	if !bytes.Contains(certs, []byte("-----BEGIN CERTIFICATE-----")) {
		return nil, fmt.Errorf("image: CA certificates: %s holds no PEM certificate", o.CACerts)
	}
	layerTar, err := rootFS(bin, certs, o.Created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("image: layer: %w", err)
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{Layer: layer, History: v1.History{
		Created: v1.Time{Time: o.Created}, CreatedBy: "loadgen deploy/image: " + BinaryPath + ", CA certificates, non-root user", Comment: "loadgen " + o.Version,
	}})
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Created = "linux", o.Arch, v1.Time{Time: o.Created}
	cf.Config = v1.Config{
		Entrypoint: []string{BinaryPath},
		Cmd:        []string{"help"},
		User:       fmt.Sprintf("%d:%d", UID, GID),
		WorkingDir: HomeDir,
		Env: []string{
			"PATH=/usr/local/bin",
			"SSL_CERT_FILE=" + CACertsPath,
		},
		Labels: labels(o),
	}
	return mutate.ConfigFile(img, cf)
}

// labels are the OCI annotations-as-labels of the image.
func labels(o Config) map[string]string {
	l := map[string]string{
		"org.opencontainers.image.title":       "loadgen",
		"org.opencontainers.image.description": "Load and conversation-replay testing for Helper chat APIs",
		"org.opencontainers.image.source":      "https://github.com/loadgen/loadgen",
	}
	if o.Version != "" {
		l["org.opencontainers.image.version"] = o.Version
	}
	if o.Revision != "" {
		l["org.opencontainers.image.revision"] = o.Revision
	}
	return l
}

// checkStatic reports why bin is not a static ELF executable for arch.
func checkStatic(bin []byte, arch string) error {
	f, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		return fmt.Errorf("not an ELF executable (build it with GOOS=linux): %w", err)
	}
	defer f.Close()
	want, ok := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[arch]
	if !ok {
		return fmt.Errorf("architecture %q: want amd64 or arm64", arch)
	}
	if f.Machine != want {
		return fmt.Errorf("built for %v, want %v (%s)", f.Machine, want, arch)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return errors.New("dynamically linked (it needs a C library the image does not have): build with CGO_ENABLED=0")
		}
	}
	return nil
}

// rootFS returns the layer: a tar of the image's whole file system.
func rootFS(bin, certs []byte, mtime time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	root := func(h *tar.Header) *tar.Header {
		h.ModTime, h.Format = mtime, tar.FormatPAX
		return h
	}
	dir := func(name string, mode int64, uid, gid int) error {
		return tw.WriteHeader(root(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: mode, Uid: uid, Gid: gid}))
	}
	file := func(name string, mode int64, data []byte) error {
		if err := tw.WriteHeader(root(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data))})); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	passwd := fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:%s:/sbin/nologin\n", UID, GID, HomeDir)
	group := fmt.Sprintf("root:x:0:\nnonroot:x:%d:\n", GID)
	steps := []func() error{
		func() error { return dir("etc/", 0o755, 0, 0) },
		func() error { return file("etc/group", 0o644, []byte(group)) },
		func() error { return file("etc/nsswitch.conf", 0o644, []byte("hosts: files dns\n")) },
		func() error { return file("etc/passwd", 0o644, []byte(passwd)) },
		func() error { return dir("etc/ssl/", 0o755, 0, 0) },
		func() error { return dir("etc/ssl/certs/", 0o755, 0, 0) },
		func() error { return file("etc/ssl/certs/ca-certificates.crt", 0o644, certs) },
		func() error { return dir("home/", 0o755, 0, 0) },
		func() error { return dir("home/nonroot/", 0o700, UID, GID) },
		func() error { return dir("tmp/", 0o1777, 0, 0) },
		func() error { return dir("usr/", 0o755, 0, 0) },
		func() error { return dir("usr/local/", 0o755, 0, 0) },
		func() error { return dir("usr/local/bin/", 0o755, 0, 0) },
		func() error { return file("usr/local/bin/loadgen", 0o755, bin) },
		tw.Close,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("image: layer: %w", err)
		}
	}
	return buf.Bytes(), nil
}

// WriteLayout writes img into an OCI image layout at dir (created, or
// replaced if it holds one), tagged ref (e.g. "loadgen:dev") in the
// org.opencontainers.image.ref.name annotation that skopeo's
// oci:DIR:REF and containerd's import read.
func WriteLayout(dir string, img v1.Image, ref string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("image: %w", err)
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return fmt.Errorf("image: layout: %w", err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": ref,
	})); err != nil {
		return fmt.Errorf("image: layout: %w", err)
	}
	return nil
}

// WriteDockerArchive writes img as a `docker save` tarball tagged ref,
// for `docker load -i` and `kind load image-archive`.
func WriteDockerArchive(path string, img v1.Image, ref string) error {
	tag, err := name.NewTag(ref)
	if err != nil {
		return fmt.Errorf("image: tag %q: %w", ref, err)
	}
	if err := tarball.WriteToFile(path, tag, img); err != nil {
		return fmt.Errorf("image: docker archive: %w", err)
	}
	return nil
}

// ReadLayout returns the image tagged ref from the OCI layout at dir, or
// its only image when ref is "".
func ReadLayout(dir, ref string) (v1.Image, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	for _, d := range m.Manifests {
		if ref == "" && len(m.Manifests) == 1 || d.Annotations["org.opencontainers.image.ref.name"] == ref {
			return idx.Image(d.Digest)
		}
	}
	return nil, fmt.Errorf("image: %s: no image tagged %q", dir, ref)
}
