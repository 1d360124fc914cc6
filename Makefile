# loadgen — build, test, benchmark.
GO ?= go

.PHONY: all build test vet lint fmt-check bench sweep-check fuzz clean image image-check

all: build

# -buildvcs=auto records the git commit (loadgen --version) even where
# GOFLAGS turns VCS stamping off.
build:
	$(GO) build -buildvcs=auto -o bin/loadgen ./cmd/loadgen

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# deploy/ is its own module (Kubernetes manifests and their checks, the
# image builder), so its heavy dependencies never reach the loadgen binary.
vet:
	$(GO) vet ./...
	cd deploy && $(GO) vet ./...

# test: formatting, vet, then every test with the race detector; then, without
# it, the capacity search's 200-sweep accuracy test, which the race detector
# would slow tenfold (capacity/accuracy_test.go; a few seconds of CPU), and the
# idle users' stack bound, which the race detector's larger stacks would make
# meaningless (runner/stacks_test.go skips itself under -race).
test: fmt-check vet
	$(GO) test -race -count=1 -timeout 15m ./...
	$(GO) test -count=1 -run '^TestAccuracy$$' ./capacity
	$(GO) test -count=1 -run '^TestIdleUsersKeepSmallStacks$$' ./runner
	cd deploy && $(GO) test -count=1 -timeout 5m ./...

# lint: staticcheck, pinned (fetched through the Go module proxy; not part of make test).
lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

bench:
	bash bench/run.sh

# sweep-check: loadgen sweep against loadgen mock as an M/M/8 queue, its
# answers held to the closed forms (about 4 minutes; bench/README.md).
sweep-check:
	bash bench/sweep-check.sh

# fuzz: every fuzz target for FUZZTIME (default 30s; about 15 minutes in all),
# found in the test files by .ci/fuzz (CI runs a rotating few of them). The
# differential test of internal/jsontext against the standard library's JSON
# v2 string encoder runs with GOEXPERIMENT=jsonv2 (its file has that tag).
FUZZTIME ?= 30s
fuzz:
	FUZZTIME=$(FUZZTIME) bash .ci/fuzz

# image: loadgen's container image without Docker (deploy/image): a static
# binary, CA certificates, non-root user 65532, entrypoint loadgen; written as
# an OCI layout (bin/image) and a docker-save tarball (bin/loadgen-image.tar,
# for docker load or kind load image-archive). IMAGE=name:tag names it.
IMAGE ?= loadgen:dev
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
image:
	CGO_ENABLED=0 GOOS=linux $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o bin/image-root/loadgen ./cmd/loadgen
	cd deploy && $(GO) run ./cmd/mkimage -binary ../bin/image-root/loadgen -version $(VERSION) \
		-revision "$$(git rev-parse HEAD 2>/dev/null)" -tag $(IMAGE) -layout ../bin/image -tar ../bin/loadgen-image.tar

# image-check: build the image, unpack it and run loadgen version and a short
# run against the mock from the unpacked file system (also part of make test).
image-check:
	cd deploy && $(GO) test -count=1 -run 'TestImage|TestBuild' -v ./image

clean:
	rm -rf bin
