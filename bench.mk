# Issue 6's benchmark harness (cmd/bench), included from the Makefile.
#   make bench        100k and 1M lines, side by side with SQLite FTS5, grep and a static server (< 15 min)
#   make bench-quick  100k lines only (< 3 min)
# Both rewrite their sections of cmd/bench/RESULTS.md, which also says how long each
# size took; the timeouts below are only a safety bound, looser than the issue's
# budgets, so that a slow run still reports what limits it. BENCH_FLAGS adds flags,
# e.g. BENCH_FLAGS='-profile /tmp/bench-prof -keep'.

BENCH_FLAGS ?=

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
	timeout 40m ./bin/bench -sizes 100000,1000000 -backchannel bin/backchannel -results cmd/bench/RESULTS.md $(BENCH_FLAGS)

bench-quick: bench-tools bench-bin
	timeout 10m ./bin/bench -sizes 100000 -backchannel bin/backchannel -results cmd/bench/RESULTS.md $(BENCH_FLAGS)
