# Backchannel. `make run` serves the shipped archive at http://127.0.0.1:8080
# and follows edits to transcripts/ (serve --watch);
# `make test` runs every test.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
# Tests that drive a browser or validators find their tools here (see .ci/run).
export BACKCHANNEL_NODE_MODULES ?= $(CURDIR)/.ci/node_modules

.PHONY: all build run ingest test test-short vet fmt fuzz load dist clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/backchannel ./cmd/backchannel

run: build
	./bin/backchannel serve --watch

ingest: build
	./bin/backchannel ingest

## test: vet, then every test with the race detector, then the relevance report.
## The quote-search evaluation (cmd/bench TestQuoteSearch) writes its table to bin/quotes.txt.
test: vet
	@mkdir -p bin && rm -f bin/quotes.txt
	BACKCHANNEL_QUOTES_REPORT=$(CURDIR)/bin/quotes.txt $(GO) test -race -count=1 -timeout 15m ./...
	@$(GO) test -count=1 -run 'TestRelevance' -v ./internal/index/ 2>&1 | grep -E '^(relevance|success@1|MRR|--- FAIL)' || true
	@cat bin/quotes.txt 2>/dev/null || true

## test-short: the fast tests only (no browser, no validators).
test-short:
	$(GO) test -short -count=1 ./...

## vet: go vet, staticcheck (a tool in go.mod, so the version is pinned) and gofmt.
vet:
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || (echo "gofmt needed:"; gofmt -l .; exit 1)

fmt:
	gofmt -w $$(git ls-files '*.go')

## fuzz: each fuzz target for FUZZTIME (default 30s).
FUZZTIME ?= 30s
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

## load: wrk at 256 connections for 30s each on a call, a line and a search page of a
## 100k-line synthetic archive served on loopback (scripts/load.sh; LOAD_* variables).
load:
	GO=$(GO) timeout 15m ./scripts/load.sh

## dist: static release binaries for DIST_TARGETS into DIST (dist/), with
## SHA256SUMS. Reproducible: the same source, VERSION and Go give the same
## bytes (no cgo, no paths, no VCS stamp, no build ID; see TestDist).
DIST         ?= dist
DIST_TARGETS ?= linux/amd64 linux/arm64 darwin/arm64 windows/amd64
dist:
	rm -rf $(DIST) && mkdir -p $(DIST)
	@set -e; for t in $(DIST_TARGETS); do \
	  os=$${t%/*}; arch=$${t#*/}; ext=; [ "$$os" = windows ] && ext=.exe; \
	  out=$(DIST)/backchannel-$$os-$$arch$$ext; echo "dist: $$out"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -buildvcs=false \
	    -ldflags "-s -w -buildid= $(LDFLAGS)" -o $$out ./cmd/backchannel; \
	done
	cd $(DIST) && sha256sum backchannel-* >SHA256SUMS
	@cat $(DIST)/SHA256SUMS

clean:
	rm -rf bin data dist

-include bench.mk
