-- wrk report for scripts/load.sh: one machine-readable line per run.
-- Errors are socket errors (connect, read, write, timeout) plus non-2xx/3xx
-- answers.
done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout + e.status
  io.write(string.format(
    "RESULT requests=%d seconds=%.1f rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d (connect=%d read=%d write=%d timeout=%d status=%d)\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors, e.connect, e.read, e.write, e.timeout, e.status))
end
