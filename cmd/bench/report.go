package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// engineResult is what one engine measured.
type engineResult struct {
	IngestTime time.Duration
	IngestCPU  time.Duration // user + system of the ingest process
	IngestRSS  int64
	IndexBytes int64
	StoreBytes int64         // Backchannel: the data folder less the index (line store, catalog)
	Cold       time.Duration // in-process open + first answered query
	ServeCold  time.Duration // exec of `backchannel serve` to its first answered /search
	ServeRSS   int64
	ServeHWM   int64
	// ServeAnon and ServeFile split ServeRSS: anonymous memory (heap,
	// stacks) and file-backed pages (the index's mapped segments).
	ServeAnon, ServeFile int64
	Search               map[class]latencies
}

// sizeResult is one run on one corpus.
type sizeResult struct {
	Lines, Calls, Speakers int
	Seed                   uint64
	Date, GoVersion        string
	Cores                  int
	GenTime                time.Duration
	ParseTime              time.Duration // transcript.LoadDir, in-process
	FileBytes, TextBytes   int64

	BC, SQL    engineResult
	GrepName   string
	Grep       map[class]latencies
	LoaderName string
	HTTP       map[string]loadResult
	PagePaths  map[string]string
	Notes      []string
	User       map[userClass]*userResult // issue 13's classes over HTTP
	HTTPBudget time.Duration             // per endpoint and class
	Elapsed    time.Duration             // the whole run at this size
	LoadBefore string                    // /proc/loadavg when the run started
	LoadAfter  string
}

// searchTarget is issue 6's p99 target per class (at 1M lines).
func searchTarget(c class) time.Duration {
	switch c {
	case classHighlight:
		return 15 * time.Millisecond
	case classFacet:
		return 20 * time.Millisecond
	case classDeep:
		return 0
	}
	return 10 * time.Millisecond
}

func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "–"
	}
	r := a / b
	if r >= 10 {
		return fmt.Sprintf("%.0fx", r)
	}
	return fmt.Sprintf("%.2fx", r)
}

func dratio(a, b time.Duration) string { return ratio(float64(a), float64(b)) }

func check(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

func p5099(l latencies) string {
	if l.N == 0 {
		if l.Err != "" {
			return "error"
		}
		return "–"
	}
	return ms(l.P50) + " / " + ms(l.P99)
}

func rps(l loadResult) string {
	return fmt.Sprintf("%.0f req/s, p99 %s", l.RPS, ms(l.P99))
}

func lps(lines int, d time.Duration) float64 {
	if d == 0 {
		return 0
	}
	return float64(lines) / d.Seconds()
}

// markdown renders the run as a section of RESULTS.md.
func (r *sizeResult) markdown() string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("## %d lines\n\n", r.Lines)
	w("Run %s, %d cores, %s, seed %d. Corpus: %d calls, %d lines, %d speakers; %s of transcript files, %s of line text (generated in %s).\n\n",
		r.Date, r.Cores, r.GoVersion, r.Seed, r.Calls, r.Lines, r.Speakers, mb(r.FileBytes), mb(r.TextBytes), ms(r.GenTime))
	w("This size took %s end to end (issue 6 allows 15 min for `make bench`, 3 min for `make bench-quick` at 100k). ", r.Elapsed.Round(time.Second))
	w("Load average (1/5/15 min) before the run %s, after %s: other processes on the machine skew every figure, and ratios less than absolute times.\n\n", r.LoadBefore, r.LoadAfter)
	w("Search cells are p50 / p99 over %s; ratios compare p99 (below 1x: Backchannel is faster). ", "every query of the class, repeated")
	w("Targets are issue 6's, set for 1M lines on 2 cores.\n\n")
	w("| figure | Backchannel | SQLite FTS5 | Backchannel/SQLite | grep or static | Backchannel/grep, page/static | target | met |\n")
	w("| --- | --- | --- | --- | --- | --- | --- | --- |\n")

	bl, sl := lps(r.Lines, r.BC.IngestTime), lps(r.Lines, r.SQL.IngestTime)
	w("| ingest lines/s (wall, incl. parse) | %.0f (%s) | %.0f (%s) | %s | | | >= 30000 | %s |\n",
		bl, ms(r.BC.IngestTime), sl, ms(r.SQL.IngestTime), ratio(bl, sl), check(bl >= 30000))
	w("| ingest CPU time, user + system (lines per CPU-second; 30k lines/s on 2 cores needs >= 15000) | %s (%.0f) | %s (%.0f) | %s | | | | |\n",
		ms(r.BC.IngestCPU), lps(r.Lines, r.BC.IngestCPU), ms(r.SQL.IngestCPU), lps(r.Lines, r.SQL.IngestCPU), dratio(r.BC.IngestCPU, r.SQL.IngestCPU))
	w("| ingest peak RSS | %s | %s | %s | | | <= 400 MB | %s |\n",
		mb(r.BC.IngestRSS), mb(r.SQL.IngestRSS), ratio(float64(r.BC.IngestRSS), float64(r.SQL.IngestRSS)), check(r.BC.IngestRSS <= 400e6))
	w("| of which parsing (transcript.LoadDir, in-process), lines/s | %.0f (%s) | same parser | | | | | |\n",
		lps(r.Lines, r.ParseTime), ms(r.ParseTime))
	bx, sx := float64(r.BC.IndexBytes)/float64(r.FileBytes), float64(r.SQL.IndexBytes)/float64(r.FileBytes)
	w("| index size (x transcript files) | %s (%.2fx) | %s (%.2fx) | %s | | | <= 2.5x | %s |\n",
		mb(r.BC.IndexBytes), bx, mb(r.SQL.IndexBytes), sx, ratio(bx, sx), check(bx <= 2.5))
	w("| line store, catalog and the rest of the data folder (x transcript files) | %s (%.2fx) | | | | | | |\n",
		mb(r.BC.StoreBytes), float64(r.BC.StoreBytes)/float64(max(1, r.FileBytes)))
	w("| cold start: open + first answer, in-process | %s | %s | %s | | | <= 200 ms | %s |\n",
		ms(r.BC.Cold), ms(r.SQL.Cold), dratio(r.BC.Cold, r.SQL.Cold), check(r.BC.Cold > 0 && r.BC.Cold <= 200*time.Millisecond))
	w("| cold start: exec `serve` (catalog + open; the index already built) to first /search 200 | %s | | | | | <= 200 ms | %s |\n",
		ms(r.BC.ServeCold), check(r.BC.ServeCold > 0 && r.BC.ServeCold <= 200*time.Millisecond))
	for _, c := range classes {
		bs, ss := r.BC.Search[c], r.SQL.Search[c]
		gcell, gratio := "", ""
		if g, ok := r.Grep[c]; ok {
			gcell, gratio = p5099(g), dratio(bs.P99, g.P99)
		}
		target, met := "<= SQLite", check(bs.N > 0 && bs.P99 <= ss.P99)
		if t := searchTarget(c); t > 0 {
			target = fmt.Sprintf("<= %s and <= SQLite", ms(t))
			met = check(bs.N > 0 && bs.P99 <= t && bs.P99 <= ss.P99)
		}
		w("| search %s | %s | %s | %s | %s | %s | %s | %s |\n", c, p5099(bs), p5099(ss), dratio(bs.P99, ss.P99), gcell, gratio, target, met)
	}
	for _, p := range []string{"transcript", "line"} {
		h, s := r.HTTP[p], r.HTTP["static "+p]
		rr := 0.0
		if s.RPS > 0 {
			rr = h.RPS / s.RPS
		}
		w("| HTTP %s page | %s | | | %s (static) | %.2fx | >= 0.8x static | %s |\n", p, rps(h), rps(s), rr, check(rr >= 0.8))
	}
	w("| HTTP search page | %s | | | | | | |\n", rps(r.HTTP["search"]))
	w("| RSS while serving (after load; peak) | %s (peak %s) | | | | | <= 300 MB | %s |\n",
		mb(r.BC.ServeRSS), mb(r.BC.ServeHWM), check(r.BC.ServeRSS > 0 && r.BC.ServeRSS <= 300e6))
	w("\nMean total hits per class (Backchannel / SQLite; they differ where the engines analyse text differently):")
	for _, c := range classes {
		w(" %s %.0f / %.0f;", c, r.BC.Search[c].MeanHits, r.SQL.Search[c].MeanHits)
	}
	w("\n\nHow: ingest runs `backchannel ingest` and `bench sqlite-build` (same parser, FTS5 with journal off, then `optimize`) as child processes; peak RSS from their rusage. ")
	w("Search runs in-process (index.Open + Search; database/sql + modernc.org/sqlite, one connection), after a warm-up pass, page cache warm. ")
	w("SQLite answers each query with a ranked page (`ORDER BY rank`) and `count(*)`, plus `snippet()` for the highlighted class and `GROUP BY speaker` for the facet class. ")
	w("grep is `%s` over the raw files, one process per phrase. ", r.GrepName)
	w("HTTP load: %s on loopback against `backchannel serve` (pages %s, %s, %s) and a net/http FileServer serving the same bytes; server and load generator share the 2 cores.\n",
		r.LoaderName, r.PagePaths["transcript"], r.PagePaths["line"], r.PagePaths["search"])
	for _, c := range classes {
		for _, l := range []struct {
			who string
			l   latencies
		}{{"Backchannel", r.BC.Search[c]}, {"SQLite", r.SQL.Search[c]}, {"grep", r.Grep[c]}} {
			if l.l.Errors > 0 {
				w("\nErrors: %s %s: %d, first: %s\n", l.who, c, l.l.Errors, l.l.Err)
			}
		}
	}
	for _, k := range []string{"transcript", "static transcript", "line", "static line", "search"} {
		if h := r.HTTP[k]; h.Errors > 0 {
			w("\nHTTP %s: %d errors or non-2xx answers out of %d.\n", k, h.Errors, h.Requests)
		}
	}
	if len(r.User) > 0 {
		b.WriteString(r.userMarkdown())
	}
	for _, n := range r.Notes {
		w("\n%s\n", n)
	}
	return b.String()
}

// userTarget is issue 13's p99 target for /api/v1/search on class c (the
// search page's is pageTarget for every class).
func userTarget(c userClass) time.Duration {
	switch c {
	case ucPrefix:
		return 25 * time.Millisecond
	case ucQuote:
		return quoteTarget
	}
	return 10 * time.Millisecond
}

// userPageTarget is the search page's p99 target for class c.
func userPageTarget(c userClass) time.Duration {
	if c == ucQuote {
		return quoteTarget
	}
	return pageTarget
}

// quoteTarget is issue 16's p99 target for a pasted quote.
const quoteTarget = 30 * time.Millisecond

const (
	pageTarget       = 15 * time.Millisecond
	throughputTarget = 3000 // search page req/s for a common word at 16 connections
)

func pn(l latencies) string {
	if l.N == 0 {
		return p5099(l)
	}
	return fmt.Sprintf("%s (%d)", p5099(l), l.N)
}

// userMarkdown is issue 13's table: what users get over HTTP.
func (r *sizeResult) userMarkdown() string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("\n### What users get: searches over HTTP, distinct queries (issue 13)\n\n")
	w("**Distinct** cells: each query of the class asked once, so no cache in the serving process has seen it (the OS page cache is warm: the same archive was searched before); p50 / p99 (queries timed). ")
	w("Each class has a pool of distinct queries; /api/v1/search gets one half and the search page the other, so that neither asks what the other asked, and each stops after %s. ", r.HTTPBudget)
	w("**Repeated** cells: the first %d queries of the API half, asked once to warm up, then %d times in rotation. ", repeatedQueries, repeatedPasses)
	w("HTTP is timed from the bench process over loopback against `backchannel serve` (one request at a time, keep-alive, Accept-Encoding: gzip, request sent to last byte read); SQLite FTS5 in-process on the API half, each query once (a ranked page of 20 and `count(*)`; call, date and sort as WHERE/ORDER BY on stored columns). ")
	w("Server CPU per request is the serving process's user + system time (/proc/PID/stat) over the class's distinct requests, divided by their number: what a request costs whatever else the machine runs. ")
	w("Targets are issue 13's, set for 1M lines on 2 cores: API p99 <= 10 ms (25 ms for prefixes), search page p99 <= 15 ms, API p99 <= FTS5 p99; for pasted quotes, issue 16's p99 <= 30 ms (set at 211k lines of real transcripts, tracked here at 1M).\n\n")
	w("| class (how drawn) | pool | API distinct | search page distinct | API repeated | search page repeated | SQLite FTS5 distinct | API/FTS5 p99 | server CPU per distinct request, API / page | target API / page | met |\n")
	w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, c := range userClasses {
		u := r.User[c]
		if u == nil {
			continue
		}
		ok := u.API.N > 0 && u.Page.N > 0 && u.API.Errors == 0 && u.Page.Errors == 0 &&
			u.API.P99 <= userTarget(c) && u.Page.P99 <= userPageTarget(c) && (u.FTS.N == 0 || u.API.P99 <= u.FTS.P99)
		w("| %s (%s) | %d | %s | %s | %s | %s | %s | %s | %s / %s | <= %s / <= %s | %s |\n", c, userClassHow[c], u.Pool,
			pn(u.API), pn(u.Page), p5099(u.APIRep), p5099(u.PageRep), pn(u.FTS), dratio(u.API.P99, u.FTS.P99),
			ms(u.APICPU), ms(u.PageCPU), ms(userTarget(c)), ms(userPageTarget(c)), check(ok))
	}
	w("\nMean total hits per class (API distinct / FTS5 distinct; they differ where the engines analyse text differently, e.g. stems):")
	for _, c := range userClasses {
		if u := r.User[c]; u != nil {
			w(" %s %.0f / %.0f;", c, u.API.MeanHits, u.FTS.MeanHits)
		}
	}
	w("\n")
	for _, c := range userClasses {
		u := r.User[c]
		if u == nil {
			continue
		}
		for _, e := range []struct {
			who string
			l   latencies
		}{{"API", u.API}, {"search page", u.Page}, {"API repeated", u.APIRep}, {"search page repeated", u.PageRep}, {"FTS5", u.FTS}} {
			if e.l.Errors > 0 {
				w("\nErrors: %s %s: %d, first: %s\n", e.who, c, e.l.Errors, e.l.Err)
			}
		}
	}
	w("\nSearch page throughput (%s, each connection asking the next path of a list of distinct queries, Accept-Encoding: gzip; server and load generator share the cores):\n\n", r.LoaderName)
	w("| search page | req/s | p50 / p99 | requests / distinct paths | errors | server CPU per request | target | met |\n")
	w("| --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, c := range throughputClasses {
		u := r.User[c]
		if u == nil || u.Throughput == nil {
			continue
		}
		t := u.Throughput
		target, met := "", ""
		if c == ucCommon {
			target, met = fmt.Sprintf(">= %d req/s", throughputTarget), check(t.RPS >= throughputTarget && t.Errors == 0)
		}
		w("| %s | %.0f | %s / %s | %d / %d | %d | %s | %s | %s |\n", c, t.RPS, ms(t.P50), ms(t.P99), t.Requests, t.Paths, t.Errors, ms(t.CPU), target, met)
	}
	w("| one URL, repeated (%s) | %.0f | %s / %s | %d / 1 | %d | | | |\n", r.PagePaths["search"], r.HTTP["search"].RPS,
		ms(r.HTTP["search"].P50), ms(r.HTTP["search"].P99), r.HTTP["search"].Requests, r.HTTP["search"].Errors)
	w("\nCommon-word paths are the class's whole pool (asked before by the timed runs; the corpus has only so many common words), so a run longer than the pool asks them again; rare-word and prefix paths are past the timed halves and new to the server until the list wraps. ")
	w("Serving RSS after all of this: %s (peak %s; target <= 300 MB: %s), of which %s anonymous (heap, stacks) and %s file-backed (mostly the index's memory-mapped segments, which the kernel can drop and read again).\n",
		mb(r.BC.ServeRSS), mb(r.BC.ServeHWM), check(r.BC.ServeRSS > 0 && r.BC.ServeRSS <= 300e6), mb(r.BC.ServeAnon), mb(r.BC.ServeFile))
	return b.String()
}

const resultsHeader = `# Benchmark results

Written by ` + "`make bench`" + ` / ` + "`make bench-quick`" + ` (cmd/bench, issues 6 and 13). Each size's section is replaced by the
latest run at that size; the git history of this file is the trend.
`

// updateResults replaces the section for r's size in path with table,
// keeping other sizes' sections, and records r's figures in the JSON file
// beside path (path with .json for .md), from which the side-by-side
// section at the top is rebuilt.
func updateResults(path string, r *sizeResult, table string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("results: %w", err)
	}
	sections := map[int]string{}
	var order []int
	for _, part := range strings.Split(string(old), "\n## ")[1:] {
		var n int
		if _, err := fmt.Sscanf(part, "%d lines", &n); err == nil {
			sections[n] = "## " + strings.TrimRight(part, "\n") + "\n"
			order = append(order, n)
		}
	}
	if _, ok := sections[r.Lines]; !ok {
		order = append(order, r.Lines)
	}
	sections[r.Lines] = strings.TrimRight(table, "\n") + "\n"
	slices.Sort(order) // smaller corpora first

	jsonPath := strings.TrimSuffix(path, ".md") + ".json"
	all := map[int]*sizeResult{}
	if b, err := os.ReadFile(jsonPath); err == nil {
		if err := json.Unmarshal(b, &all); err != nil {
			return fmt.Errorf("results: %s: %w", jsonPath, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("results: %w", err)
	}
	all[r.Lines] = r
	for n := range all { // a size whose section is gone from the markdown is dropped
		if _, ok := sections[n]; !ok {
			delete(all, n)
		}
	}
	js, err := json.MarshalIndent(all, "", " ")
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if err := os.WriteFile(jsonPath, append(js, '\n'), 0o644); err != nil {
		return fmt.Errorf("results: %w", err)
	}

	var b strings.Builder
	b.WriteString(resultsHeader)
	b.WriteString("\n" + sideBySide(all))
	for _, n := range order {
		b.WriteString("\n" + sections[n])
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// sideBySide is the section that shows every size's main figures in one
// table, so that how each cost grows with the archive is visible.
func sideBySide(all map[int]*sizeResult) string {
	sizes := slices.Sorted(maps.Keys(all))
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("## Side by side\n\n")
	w("The latest run at each size (each size's own section below says when, at what machine load, and how every figure was taken). ")
	w("Search cells are p99 over distinct queries, each asked once (API and search page over loopback HTTP against `backchannel serve`; SQLite FTS5 in-process); the repeated-query figures are in each size's section.\n\n")
	w("| figure |")
	for _, n := range sizes {
		w(" %s lines |", humanLines(n))
	}
	w("\n| --- |%s\n", strings.Repeat(" --- |", len(sizes)))
	row := func(name string, cell func(r *sizeResult) string) {
		w("| %s |", name)
		for _, n := range sizes {
			w(" %s |", cell(all[n]))
		}
		w("\n")
	}
	row("run (1/5/15-min load average before; after)", func(r *sizeResult) string {
		return r.Date + " (" + r.LoadBefore + "; " + r.LoadAfter + ")"
	})
	row("transcript files", func(r *sizeResult) string { return mb(r.FileBytes) })
	row("ingest lines/s (target >= 30000)", func(r *sizeResult) string {
		return fmt.Sprintf("%.0f (%s)", lps(r.Lines, r.BC.IngestTime), ms(r.BC.IngestTime))
	})
	row("ingest CPU, user + system (lines per CPU-second)", func(r *sizeResult) string {
		return fmt.Sprintf("%s (%.0f)", ms(r.BC.IngestCPU), lps(r.Lines, r.BC.IngestCPU))
	})
	row("ingest peak RSS (target <= 400 MB)", func(r *sizeResult) string { return mb(r.BC.IngestRSS) })
	row("index size (x transcript files; target <= 2.5x)", func(r *sizeResult) string {
		return fmt.Sprintf("%s (%.2fx)", mb(r.BC.IndexBytes), float64(r.BC.IndexBytes)/float64(max(1, r.FileBytes)))
	})
	row("line store, catalog and the rest of the data folder (x transcript files)", func(r *sizeResult) string {
		return fmt.Sprintf("%s (%.2fx)", mb(r.BC.StoreBytes), float64(r.BC.StoreBytes)/float64(max(1, r.FileBytes)))
	})
	row("exec `serve` to first /search 200", func(r *sizeResult) string { return ms(r.BC.ServeCold) })
	row("serving RSS after the load (target <= 300 MB): total (anonymous + file-backed)", func(r *sizeResult) string {
		return fmt.Sprintf("%s (%s + %s)", mb(r.BC.ServeRSS), mb(r.BC.ServeAnon), mb(r.BC.ServeFile))
	})
	for _, c := range userClasses {
		row(string(c)+" — p99 API / search page / FTS5 (server CPU per request, API / page)", func(r *sizeResult) string {
			u := r.User[c]
			if u == nil {
				return "–"
			}
			return ms(u.API.P99) + " / " + ms(u.Page.P99) + " / " + ms(u.FTS.P99) + " (" + ms(u.APICPU) + " / " + ms(u.PageCPU) + ")"
		})
	}
	for _, c := range throughputClasses {
		row("search page req/s at 16 connections, "+string(c), func(r *sizeResult) string {
			if u := r.User[c]; u != nil && u.Throughput != nil {
				return fmt.Sprintf("%.0f", u.Throughput.RPS)
			}
			return "–"
		})
	}
	return b.String()
}

// humanLines writes 100000 as 100k and 1000000 as 1M.
func humanLines(n int) string {
	switch {
	case n >= 1000000 && n%1000000 == 0:
		return fmt.Sprintf("%dM", n/1000000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return strconv.Itoa(n)
}
