package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"backchannel/internal/index"
	"backchannel/internal/library"
)

// bcQuery is q in the product's terms.
func bcQuery(q benchQuery) index.Query {
	iq := index.Query{Text: q.text(), Size: q.Size, Page: 1}
	if q.From > 0 {
		iq.Page = q.From/q.Size + 1
	}
	if q.Speaker.Name != "" {
		iq.Speaker = q.Speaker.Name
	}
	return iq
}

// benchBackchannelSearch opens the index the way serve does and times every
// class through index.Search.
func benchBackchannelSearch(ctx context.Context, o options, data, transcripts string, qs []benchQuery, r *sizeResult, logf func(string, ...any)) error {
	logf("backchannel search")
	start := time.Now()
	b, err := library.OpenCurrent(data)
	if err != nil {
		return fmt.Errorf("library.OpenCurrent: %w", err)
	}
	defer b.Close()
	x := b.Index
	if _, err := x.Search(ctx, bcQuery(qs[0])); err != nil {
		return fmt.Errorf("first search: %w", err)
	}
	r.BC.Cold = time.Since(start)
	logf("  open + first answer: %s", ms(r.BC.Cold))
	r.BC.Search = map[class]latencies{}
	for _, cl := range classes {
		stop, err := startCPUProfile(profilePath(o, r.Lines, "search-"+string(cl)))
		if err != nil {
			return err
		}
		r.BC.Search[cl] = timeQueries(byClass(qs, cl), o.reps, o.classBudget, func(q benchQuery) (int, error) {
			res, err := x.Search(ctx, bcQuery(q))
			if err != nil {
				return 0, err
			}
			return int(res.Total), nil
		})
		if err := stop(); err != nil {
			return err
		}
		l := r.BC.Search[cl]
		logf("  backchannel %-24s p50 %s p99 %s max %s hits %.0f", cl, ms(l.P50), ms(l.P99), ms(l.Max), l.MeanHits)
	}
	if o.profile != "" {
		if err := writeHeapProfile(profilePath(o, r.Lines, "search-heap")); err != nil {
			return err
		}
	}
	return nil
}

func profilePath(o options, lines int, name string) string {
	if o.profile == "" {
		return ""
	}
	name = strings.Join(strings.FieldsFunc(name, func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
	}), "-")
	return filepath.Join(o.profile, fmt.Sprintf("%d-%s.pprof", lines, name))
}

// runIngest is an in-process ingest (library.Ingest, as backchannel ingest) for
// profiling: `bench ingest -transcripts DIR -data DIR -cpuprofile FILE`.
func runIngest(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	transcripts := fs.String("transcripts", "", "transcripts folder")
	data := fs.String("data", "", "data folder")
	cpu := fs.String("cpuprofile", "", "write a CPU profile here")
	heap := fs.String("memprofile", "", "write a heap profile here at the end")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *transcripts == "" || *data == "" {
		return errors.New("usage: bench ingest -transcripts DIR -data DIR [-cpuprofile FILE]")
	}
	stop, err := startCPUProfile(*cpu)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := library.Ingest(ctx, *transcripts, *data, library.IngestOptions{})
	if err != nil {
		stop()
		return fmt.Errorf("ingest: %w", err)
	}
	if err := stop(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "built in %s: %+v\n", time.Since(start), res.Index)
	if *heap != "" {
		return writeHeapProfile(*heap)
	}
	return nil
}
