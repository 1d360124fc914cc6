// Command mkimage builds loadgen's container image from a static binary,
// without Docker: an OCI image layout directory and, optionally, a
// `docker save` tarball. `make image` runs it:
//
//	CGO_ENABLED=0 GOOS=linux go build -trimpath -o bin/image-root/loadgen ./cmd/loadgen
//	cd deploy && go run ./cmd/mkimage -binary ../bin/image-root/loadgen -layout ../bin/image -tar ../bin/loadgen-image.tar
//
// It prints the image's digest and where it wrote it.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/loadgen/loadgen/deploy/image"
)

func main() {
	var o image.Config
	var layoutDir, tarPath, tag string
	flag.StringVar(&o.Binary, "binary", "", "static Linux loadgen `BINARY` to put in the image (required)")
	flag.StringVar(&o.CACerts, "ca-certs", image.DefaultCACerts, "PEM CA bundle `FILE` to put in the image")
	flag.StringVar(&o.Arch, "arch", runtime.GOARCH, "the binary's `GOARCH`")
	flag.StringVar(&o.Version, "version", "dev", "loadgen `VERSION` for the image's labels")
	flag.StringVar(&o.Revision, "revision", "", "VCS `REVISION` for the image's labels")
	flag.StringVar(&layoutDir, "layout", "", "write an OCI image layout to `DIR` (replaced)")
	flag.StringVar(&tarPath, "tar", "", "also write a docker-save tarball to `FILE` (docker load, kind load image-archive)")
	flag.StringVar(&tag, "tag", "loadgen:dev", "image `REF` (the layout's ref name and the tarball's tag)")
	flag.Parse()
	if o.Binary == "" || (layoutDir == "" && tarPath == "") || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "mkimage: want -binary and -layout and/or -tar; see -h")
		os.Exit(2)
	}
	// SOURCE_DATE_EPOCH (reproducible builds) sets the image's time.
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			fmt.Fprintf(os.Stderr, "mkimage: SOURCE_DATE_EPOCH %q: want seconds since 1970\n", s)
			os.Exit(2)
		}
		o.Created = time.Unix(sec, 0).UTC()
	}
	if err := run(o, layoutDir, tarPath, tag); err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

func run(o image.Config, layoutDir, tarPath, tag string) error {
	img, err := image.Build(o)
	if err != nil {
		return err
	}
	digest, err := img.Digest()
	if err != nil {
		return err
	}
	if layoutDir != "" {
		if err := image.WriteLayout(layoutDir, img, tag); err != nil {
			return err
		}
		fmt.Printf("mkimage: %s %s: OCI layout in %s\n", tag, digest, layoutDir)
	}
	if tarPath != "" {
		if err := image.WriteDockerArchive(tarPath, img, tag); err != nil {
			return err
		}
		fmt.Printf("mkimage: %s %s: docker archive %s\n", tag, digest, tarPath)
	}
	return nil
}
