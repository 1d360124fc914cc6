# loadgen — build, test, benchmark.
GO ?= go

.PHONY: all build test vet lint fmt-check bench clean

all: build

build:
	$(GO) build -o bin/loadgen ./cmd/loadgen

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# test: formatting, vet, then every test with the race detector.
test: fmt-check vet
	$(GO) test -race -count=1 -timeout 15m ./...

# lint: staticcheck, pinned (fetched through the Go module proxy; not part of make test).
lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

bench:
	bash bench/run.sh

clean:
	rm -rf bin
