#!/bin/sh
# load.sh: load test of `backchannel serve` on loopback (issue 7), run by `make load`.
#
# Builds backchannel and cmd/bench, generates a synthetic archive with
# `bench gen` (LOAD_LINES lines, default 100000; fictional people), starts
# `backchannel serve` on 127.0.0.1 with it, then runs wrk for LOAD_DURATION
# (default 30s) at LOAD_CONNS connections (default 256) on a call page, a line
# page and a search page, and prints requests/s, p50/p99 latency and errors
# for each; then the search page again at LOAD_SEARCH_CONNS connections
# (default 16), below the search concurrency limit's queue, to show its
# throughput without refusals. At 256 connections a search page the
# machine cannot keep up with is refused with 503 after at most 1s in the
# queue (the limiter working): those 503s are counted as errors, and the
# server's own count of refusals is printed at the end. Everything lives in a temporary folder that is removed at the
# end; the server is stopped with SIGINT. Bounded: each wrk run by its
# duration, the whole script by `timeout` in the Makefile.
set -eu

LINES=${LOAD_LINES:-100000}
CONNS=${LOAD_CONNS:-256}
SEARCH_CONNS=${LOAD_SEARCH_CONNS:-16}
DURATION=${LOAD_DURATION:-30s}
THREADS=${LOAD_THREADS:-$(nproc 2>/dev/null || echo 2)}
GO=${GO:-go}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

if ! command -v wrk >/dev/null 2>&1; then
	if command -v apt-get >/dev/null 2>&1; then
		echo "load: installing wrk from Debian" >&2
		apt-get install -y -q wrk >/dev/null
	else
		echo "load: wrk is not installed (apt-get install wrk)" >&2
		exit 1
	fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/backchannel-load.XXXXXX")
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill -INT "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

cd "$root"
$GO build -o "$work/backchannel" ./cmd/backchannel
$GO build -o "$work/bench" ./cmd/bench
"$work/bench" gen -lines "$LINES" -seed 1 "$work/transcripts" >"$work/gen.txt"
head -n 1 "$work/gen.txt"
# A rare word of the generated vocabulary: a typical search.
query=${LOAD_QUERY:-$(awk '/^rare word/ {print $3; exit}' "$work/gen.txt")}

"$work/backchannel" serve --addr 127.0.0.1:0 --transcripts "$work/transcripts" --data "$work/data" \
	>"$work/stdout" 2>"$work/serve.log" &
pid=$!
base=
i=0
while [ -z "$base" ]; do
	base=$(sed -n 's/.* at \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$work/stdout" | head -n 1)
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "load: serve exited:" >&2
		cat "$work/serve.log" >&2
		exit 1
	fi
	i=$((i + 1))
	if [ "$i" -gt 1200 ]; then
		echo "load: serve did not start within 120s" >&2
		exit 1
	fi
	[ -n "$base" ] || sleep 0.1
done

slug=$(basename "$(ls "$work/transcripts"/*.md | head -n 1)" .md)
echo "load: $base, $DURATION per run, $THREADS wrk threads, $(nproc 2>/dev/null) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
for target in "call page|$CONNS|/calls/$slug" "line page|$CONNS|/calls/$slug/L50" "search page|$CONNS|/search?q=$query" \
	"search page|$SEARCH_CONNS|/search?q=$query"; do
	name=${target%%|*}
	rest=${target#*|}
	conns=${rest%%|*}
	path=${rest#*|}
	code=$(curl -s -o /dev/null -w '%{http_code}' "$base$path" 2>/dev/null || echo "?")
	printf '%-12s %s, %s connections (GET: %s)\n' "$name" "$path" "$conns" "$code"
	wrk -t "$THREADS" -c "$conns" -d "$DURATION" --timeout 10s -s "$here/load.lua" "$base$path" |
		sed -n 's/^RESULT /             /p'
done
echo "load: refused/failed searches during the run:"
curl -s "$base/metrics" | grep -E '^backchannel_search_(refused|errors)_total' || true
