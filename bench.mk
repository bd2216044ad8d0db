# The benchmark harness (cmd/bench, issues 6 and 13), included from the Makefile.
#   make bench        BENCH_SIZES lines (default 100k and 1M), side by side with SQLite FTS5,
#                     grep and a static server, in-process and over HTTP with distinct queries
#   make bench BENCH_SIZES=10000000   the opt-in 10M-line point (not in CI; about an hour,
#                     ~15 GB of disk in the temp folder)
#   make bench-quick  100k lines only
# Both rewrite their sections of cmd/bench/RESULTS.md (and cmd/bench/RESULTS.json, from which
# the side-by-side table at its top is built), which also say how long each size took; the
# timeouts below are only a safety bound, so that a slow run still reports what limits it.
# BENCH_FLAGS adds flags, e.g. BENCH_FLAGS='-profile /tmp/bench-prof -keep'.

BENCH_FLAGS ?=
BENCH_SIZES ?= 100000,1000000
BENCH_TIMEOUT ?= $(if $(findstring 0000000,$(BENCH_SIZES)),240m,40m)

.PHONY: bench bench-quick bench-tools bench-bin

## bench-tools: wrk (load generator) and ripgrep (grep baseline) from Debian when missing;
## without them bench falls back to a Go load loop and GNU grep.
bench-tools:
	@command -v wrk >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || \
	  apt-get install -y -q wrk >/dev/null 2>&1 || echo "bench: could not install wrk; using the Go load loop"
	@command -v rg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || \
	  apt-get install -y -q ripgrep >/dev/null 2>&1 || echo "bench: could not install ripgrep; using grep"

bench-bin: build
	$(GO) build -o bin/bench ./cmd/bench

bench: bench-tools bench-bin
	timeout $(BENCH_TIMEOUT) ./bin/bench -sizes $(BENCH_SIZES) -backchannel bin/backchannel -results cmd/bench/RESULTS.md $(BENCH_FLAGS)

bench-quick: bench-tools bench-bin
	timeout 10m ./bin/bench -sizes 100000 -backchannel bin/backchannel -results cmd/bench/RESULTS.md $(BENCH_FLAGS)
