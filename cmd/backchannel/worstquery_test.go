package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestWorstQueries serves a 100k-line archive whose every word is common
// and sends the costliest queries we could think of. Each must be answered
// (200) or refused (400 for out-of-range parameters, 503 when the search
// runs out of time) within about a second; none may fail with another
// status, and the server must keep answering pages afterwards.
func TestWorstQueries(t *testing.T) {
	if testing.Short() {
		t.Skip("100k-line archive skipped in -short mode")
	}
	dir, data := t.TempDir(), t.TempDir()
	lines := writeSyntheticArchive(t, dir, 200, 500, "zephyr", 3)
	if out, errOut, code := runCLI(t, "ingest", "--transcripts", dir, "--data", data); code != 0 {
		t.Fatalf("ingest of %d lines exit %d: %s %s", lines, code, out, errOut)
	}
	srv := startServe(t, dir, data)

	many := func(word string, n int, sep string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = word
		}
		return strings.Join(parts, sep)
	}
	words := strings.Fields("harbour ledger quay lighthouse tide cargo manifest signal pilot anchor " +
		"morning evening copy board meeting office north south channel rope lantern zephyr")
	queries := []string{
		"zephyr",                                  // every line
		"zephyr harbour ledger quay",              // AND of common words
		strings.Join(words, " OR "),               // many-term OR
		many("zephyr OR harbour", 40, " OR "),     // more ORs than the term cap
		`"` + strings.Join(words, " ") + `"`,      // long phrase of common words
		`"` + many("harbour", 60, " ") + `"`,      // repeated-word phrase
		"ha* qu* li* ti* ca* ma* si* pi* an* mo*", // short prefixes
		"h*", "*", "**", "/.*/", "z~2 h~2 q~2", // one-letter prefix, bare wildcards, regexp-looking, fuzzy-looking
		many("-zephyr", 30, " "),               // only exclusions
		strings.Repeat("a", 10000),             // one 10 KB word
		strings.Repeat("zephyr harbour ", 700), // 10 KB of words
		`"unbalanced speaker: call: after:2024-13-45 C++ ***`,
	}
	for _, q := range queries {
		for _, extra := range []string{"", "&page=500&size=20", "&sort=date"} {
			path := "/api/v1/search?q=" + url.QueryEscape(q) + extra
			start := time.Now()
			resp, err := http.Get(srv.base + path)
			took := time.Since(start)
			if err != nil {
				t.Fatalf("%.60s: %v", path, err)
			}
			resp.Body.Close()
			switch resp.StatusCode {
			case http.StatusOK, http.StatusBadRequest, http.StatusServiceUnavailable:
			default:
				t.Errorf("%.80s: status %d", path, resp.StatusCode)
			}
			// The search deadline is 2 s; a loaded CI machine gets some slack
			// over the 1 s the issue asks for, which the load test measures.
			if took > 3*time.Second {
				t.Errorf("%.80s: answered after %v", path, took)
			}
			t.Logf("%4d %8v %.70s", resp.StatusCode, took.Round(time.Millisecond), path)
		}
	}
	if resp, _ := srv.get(t, "/calls/synthetic-000"); resp.StatusCode != 200 {
		t.Errorf("call page after the worst queries: %d", resp.StatusCode)
	}
}
