package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"
)

// engineResult is what one engine measured.
type engineResult struct {
	IngestTime time.Duration
	IngestRSS  int64
	IndexBytes int64
	Cold       time.Duration // in-process open + first answered query
	ServeCold  time.Duration // exec of `backchannel serve` to its first answered /search
	ServeRSS   int64
	ServeHWM   int64
	Search     map[class]latencies
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
	Elapsed    time.Duration // the whole run at this size
	LoadBefore string        // /proc/loadavg when the run started
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
	w("| ingest peak RSS | %s | %s | %s | | | <= 400 MB | %s |\n",
		mb(r.BC.IngestRSS), mb(r.SQL.IngestRSS), ratio(float64(r.BC.IngestRSS), float64(r.SQL.IngestRSS)), check(r.BC.IngestRSS <= 400e6))
	w("| of which parsing (transcript.LoadDir, in-process), lines/s | %.0f (%s) | same parser | | | | | |\n",
		lps(r.Lines, r.ParseTime), ms(r.ParseTime))
	bx, sx := float64(r.BC.IndexBytes)/float64(r.FileBytes), float64(r.SQL.IndexBytes)/float64(r.FileBytes)
	w("| index size (x transcript files) | %s (%.2fx) | %s (%.2fx) | %s | | | <= 2.5x | %s |\n",
		mb(r.BC.IndexBytes), bx, mb(r.SQL.IndexBytes), sx, ratio(bx, sx), check(bx <= 2.5))
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
	for _, n := range r.Notes {
		w("\n%s\n", n)
	}
	return b.String()
}

const resultsHeader = `# Benchmark results

Written by ` + "`make bench`" + ` / ` + "`make bench-quick`" + ` (cmd/bench, issue 6). Each section is replaced by the
latest run at that size; the git history of this file is the trend.
`

// updateResults replaces the section for lines in path with table, keeping
// other sizes' sections.
func updateResults(path string, lines int, table string) error {
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
	if _, ok := sections[lines]; !ok {
		order = append(order, lines)
	}
	sections[lines] = strings.TrimRight(table, "\n") + "\n"
	slices.Sort(order) // smaller corpora first
	var b strings.Builder
	b.WriteString(resultsHeader)
	for _, n := range order {
		b.WriteString("\n" + sections[n])
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}
