package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"backchannel/internal/library"
)

// runSearch is `bench search`: the search classes alone, against an index
// (and optionally an FTS5 database) that an earlier `bench -keep` run left,
// with each class's slowest queries listed. It is for working on one class
// without the ingest and HTTP parts of a full run.
//
//	bench search -data DIR -lines N [-seed S] [-queries FILE] [-db FILE]
//	             [-class NAME] [-reps N] [-cpuprofile FILE]
//
// The query list depends only on the corpus, so it is regenerated (in a
// temporary folder) from -lines and -seed, or read from -queries when that
// file exists; it is written there after generating.
func runSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("bench search", flag.ContinueOnError)
	fl.SetOutput(stderr)
	data := fl.String("data", "", "Backchannel data folder (required)")
	lines := fl.Int("lines", 100000, "corpus size the index was built from")
	seed := fl.Uint64("seed", 1, "generator seed the index was built from")
	qfile := fl.String("queries", "", "query list cache (JSON)")
	db := fl.String("db", "", "FTS5 database to time side by side (optional)")
	only := fl.String("class", "", "time only the classes whose name contains this")
	reps := fl.Int("reps", 10, "timed passes over each class")
	cpuprofile := fl.String("cpuprofile", "", "write a CPU profile of Backchannel's searches here")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *data == "" {
		return errors.New("bench search: -data is required")
	}
	qs, err := searchQueries(*qfile, *lines, *seed)
	if err != nil {
		return err
	}
	b, err := library.OpenCurrent(*data)
	if err != nil {
		return fmt.Errorf("bench search: %w", err)
	}
	defer b.Close()
	x := b.Index
	var sq *sqliteSearcher
	if *db != "" {
		if sq, err = openSQLite(ctx, *db); err != nil {
			return err
		}
		defer sq.Close()
	}
	stop, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	for _, cl := range classes {
		if *only != "" && !strings.Contains(string(cl), *only) {
			continue
		}
		cqs := byClass(qs, cl)
		worst := map[string]time.Duration{}
		seen := map[string]bool{} // the first run of each query is the warm-up
		l := timeQueries(cqs, *reps, time.Minute, func(q benchQuery) (int, error) {
			start := time.Now()
			res, err := x.Search(ctx, bcQuery(q))
			d := time.Since(start)
			if err != nil {
				return 0, err
			}
			k := bcQuery(q).Text
			if seen[k] {
				worst[k] = max(worst[k], d)
			}
			seen[k] = true
			return int(res.Total), nil
		})
		fmt.Fprintf(stdout, "%-24s backchannel p50 %s p99 %s max %s hits %.0f", cl, ms(l.P50), ms(l.P99), ms(l.Max), l.MeanHits)
		if sq != nil {
			s := timeQueries(cqs, *reps, time.Minute, func(q benchQuery) (int, error) { return sq.search(ctx, q) })
			fmt.Fprintf(stdout, " | sqlite p50 %s p99 %s", ms(s.P50), ms(s.P99))
		}
		fmt.Fprintln(stdout)
		type qd struct {
			q string
			d time.Duration
		}
		var ws []qd
		for q, d := range worst {
			ws = append(ws, qd{q, d})
		}
		slices.SortFunc(ws, func(a, b qd) int { return cmp.Compare(b.d, a.d) })
		for _, w := range ws[:min(3, len(ws))] {
			fmt.Fprintf(stdout, "    slowest %-40q %s\n", w.q, ms(w.d))
		}
	}
	return nil
}

// searchQueries reads the query list from path, or regenerates the corpus
// to draw it and caches it at path.
func searchQueries(path string, lines int, seed uint64) ([]benchQuery, error) {
	if path != "" {
		b, err := os.ReadFile(path)
		if err == nil {
			var qs []benchQuery
			if err := json.Unmarshal(b, &qs); err != nil {
				return nil, fmt.Errorf("bench search: %s: %w", path, err)
			}
			return qs, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("bench search: %w", err)
		}
	}
	dir, err := os.MkdirTemp("", "bench-queries-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	c, err := generate(dir, genConfig{Lines: lines, Seed: seed})
	if err != nil {
		return nil, err
	}
	qs := makeQueries(c, seed)
	if path != "" {
		b, err := json.Marshal(qs)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return nil, fmt.Errorf("bench search: %w", err)
		}
	}
	return qs, nil
}
