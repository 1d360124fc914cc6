# loadgen — build, test, benchmark.
GO ?= go

.PHONY: all build test vet lint fmt-check bench clean image image-check

all: build

build:
	$(GO) build -o bin/loadgen ./cmd/loadgen

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# deploy/ is its own module (Kubernetes manifests and their checks, the
# image builder), so its heavy dependencies never reach the loadgen binary.
vet:
	$(GO) vet ./...
	cd deploy && $(GO) vet ./...

# test: formatting, vet, then every test with the race detector.
test: fmt-check vet
	$(GO) test -race -count=1 -timeout 15m ./...
	cd deploy && $(GO) test -count=1 -timeout 5m ./...

# lint: staticcheck, pinned (fetched through the Go module proxy; not part of make test).
lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

bench:
	bash bench/run.sh

clean:
	rm -rf bin
