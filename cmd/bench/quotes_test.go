package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestQuoteSearch is the known-item evaluation of quote search on the
// Oyez corpus (quotes.go): 300 lines sampled with a fixed seed, a span of
// 7-10 words from each that occurs in that line only, pasted in each way
// of quoteVariants, searched over HTTP at 211k lines and in SQLite FTS5
// over the same lines. It prints success@1 and MRR per paste beside
// FTS5's and the latency over HTTP, and fails when a paste with a target
// is below it, or when Backchannel is behind FTS5 on any paste. Latency is
// reported, not asserted.
//
// The evaluation runs in a child process built without the race
// detector (SQLite's pure-Go build is many times slower under it).
func TestQuoteSearch(t *testing.T) {
	if testing.Short() {
		t.Skip("the 211k-line quote evaluation is skipped in -short mode")
	}
	// ../shared beside the repository, or BACKCHANNEL_CORPORA (for a
	// checkout elsewhere, such as a git worktree).
	corpora := filepath.Join("..", "..", "..", "shared", "corpora")
	if dir := os.Getenv("BACKCHANNEL_CORPORA"); dir != "" {
		corpora = dir
	}
	corpus := filepath.Join(corpora, "scotus-oyez")
	if _, err := os.Stat(filepath.Join(corpus, "turns")); err != nil {
		t.Skipf("corpus %s is absent (%v): the public test corpora live in ../shared/corpora beside the repository", corpus, err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bench")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build bench: %v\n%s", err, out)
	}
	report := filepath.Join(dir, "quotes.json")
	cmd := exec.Command(bin, "quotes", "-corpus", corpus, "-n", "300", "-seed", "16", "-json", report, "-work", dir)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("bench quotes: %v\n%s\n%s", err, out, stderr)
	}
	t.Logf("\n%s", out)
	// make test prints the table after the suite (go test shows a passing
	// test's output only with -v).
	if path := os.Getenv("BACKCHANNEL_QUOTES_REPORT"); path != "" {
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Error(err)
		}
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep quoteReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Samples < 300 || rep.Lines < 200000 {
		t.Errorf("%d spans over %d lines, want 300 over the corpus's 211k", rep.Samples, rep.Lines)
	}
	for _, v := range rep.Variants {
		if v.Target > 0 && v.BCSuccess < v.Target {
			t.Errorf("%s: success@1 %.3f < %.3f; misses: %q", v.Variant, v.BCSuccess, v.Target, v.Misses)
		}
		if v.BCSuccess < v.FTSSuccess {
			t.Errorf("%s: success@1 %.3f behind SQLite FTS5's %.3f; misses: %q", v.Variant, v.BCSuccess, v.FTSSuccess, v.Misses)
		}
	}
}
